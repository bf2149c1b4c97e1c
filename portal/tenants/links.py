"""Absolute links to a site, for what leaves the browser (e-mails): the site's primary host name, the
scheme the portal is served with (``PORTAL_HTTPS``) and, where one is set, the port (``PORTAL_PUBLIC_PORT``:
the demo's; production hosts have none)."""

from __future__ import annotations

from django.conf import settings

from .models import Domain


def site_origin(schema_name: str) -> str:
    """``http(s)://<primary host>`` of the site of ``schema_name`` (``public``: the national site)."""
    host = (Domain.objects.filter(tenant__schema_name=schema_name).order_by("-is_primary", "pk")
            .values_list("domain", flat=True).first())
    if host is None and schema_name == settings.PUBLIC_SCHEMA_NAME:
        host = settings.PORTAL_BASE_DOMAIN
    if host is None:
        return ""
    scheme = "https" if settings.PORTAL_HTTPS else "http"
    port = settings.PORTAL_PUBLIC_PORT
    if port and port != {"http": 80, "https": 443}[scheme]:
        host = f"{host}:{port}"
    return f"{scheme}://{host}"


def absolute_url(path: str, *, schema_name: str) -> str:
    """``path`` ("/nodarbibas/5/") as an absolute link on the site of ``schema_name``; an empty path or one
    already absolute is returned as it is."""
    if not path or not path.startswith("/") or path.startswith("//"):
        return path
    return site_origin(schema_name) + path
