"""Helpers shared by the invoicing pages."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.http import Http404, HttpResponse
from django_tenants.utils import tenant_context

from portal.frontend.decorators import provider_required
from portal.tenants.models import Municipality


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
