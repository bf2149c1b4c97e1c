"""Requests at the door: bad input refused in one place; nothing personal left in caches.

Bad input is refused at the door, in one place, before any view or query sees it.

PostgreSQL cannot store or compare a NUL character in text: a ``\\x00`` in a filter, a form field or the
path reached the database as a ``DataError`` (a 500). A form body the request cannot decode (a charset
other than UTF-8) is refused the same way. Both answer 400 and nothing is written: the API with its
error shape ``{"code": "bad_input", "detail": ...}``, pages with a plain page.
"""

from __future__ import annotations

from django.core.exceptions import BadRequest
from django.http import HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.utils.html import escape
from django.utils.translation import gettext as _

NUL = "\x00"
JSON_NUL = (b"\\u0000", b"\x00")
CODE = "bad_input"


def _has_nul(values) -> bool:
    return any(NUL in key or any(NUL in v for v in vs) for key, vs in values.lists())


def bad_input(request) -> str | None:
    """Why this request's input is unusable, or None when it is fine."""
    if NUL in request.path:
        return _("The address contains a character that is not allowed.")
    if _has_nul(request.GET):
        return _("The search or filter contains a character that is not allowed.")
    if request.method not in ("POST", "PUT", "PATCH"):
        return None
    try:
        form = request.POST  # parses form bodies only; files are left alone (they may hold any byte)
    except (BadRequest, UnicodeDecodeError, ValueError):
        return _("The form could not be read. Send it in UTF-8.")
    if _has_nul(form):
        return _("The form contains a character that is not allowed.")
    if (request.content_type or "").endswith("json") and any(marker in request.body for marker in JSON_NUL):
        return _("The data contains a character that is not allowed.")
    return None


def bad_input_response(request, reason: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"code": CODE, "detail": reason}, status=400)
    title = escape(_("The request could not be used"))
    page = (f'<!DOCTYPE html><html lang="{escape(getattr(request, "LANGUAGE_CODE", "lv"))}"><head>'
            f'<meta charset="utf-8"><title>{title}</title></head><body><main id="main-content">'
            f"<h1>{title}</h1><p>{escape(reason)}</p><p>{escape(_('Go back and try again.'))}</p>"
            "</main></body></html>")
    return HttpResponse(page, status=400, content_type="text/html; charset=utf-8")


class BadInputMiddleware:
    """Answer 400 to a NUL byte in the path, the query or the form, and to an unreadable form body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reason = bad_input(request)
        if reason is not None:
            return bad_input_response(request, reason)
        return self.get_response(request)


class NoStoreWhenSignedInMiddleware:
    """No browser or proxy keeps a copy of what a signed-in user was shown.

    Everything behind the sign-in may hold personal data (special-category data included), so every
    response to a signed-in request is ``Cache-Control: no-store`` — a shared computer's back button or
    disk cache shows nothing after sign-out. Public pages stay cacheable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response


class PermissionsPolicyMiddleware:
    """``Permissions-Policy``: the portal uses no camera, microphone, location, payment or sensors; no
    page (nor anything it embeds) may ask for them. The policy is ``settings.PERMISSIONS_POLICY``."""

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.header = ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.header)
        return response
