"""Helpers shared by the invoicing pages."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django_tenants.utils import tenant_context

from portal.marketplace.invoicing.access import provider_ids_for
from portal.tenants.access import current_municipality, national_roles
from portal.tenants.models import Municipality
from portal.tenants.roles import Role


def provider_required(view):
    """National site, provider staff: sign-in, the role, and at least one provider."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if current_municipality() is not None:
            raise Http404
        if Role.PROVIDER_STAFF not in national_roles(user) or not provider_ids_for(user):
            return render(request, "frontend/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped


def in_municipality(view):
    """Provider pages about one municipality's records: enter that municipality's schema for the request.

    One schema per request (never a query across schemas); the municipality comes from the URL and
    must be a real one, otherwise 404.
    """

    @wraps(view)
    @provider_required
    def wrapped(request, code, *args, **kwargs):
        municipality = (Municipality.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME)
                        .filter(code=code).first())
        if municipality is None:
            raise Http404
        with tenant_context(municipality):
            response = view(request, municipality, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            return response

    return wrapped


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
