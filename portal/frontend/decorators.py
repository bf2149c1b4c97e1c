"""Page decorators: who may open a page, answered the way a browser needs it.

Anonymous visitors are sent to sign in; a signed-in user without the right gets the 403 page, which
never reveals what the page would have shown. The decisions themselves are the checkpoints' (in
``portal.tenants.access`` and the areas' ``access`` modules); this module only turns them into pages.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import render

from portal.marketplace.agreements.access import is_provider_staff
from portal.marketplace.invoicing.access import provider_ids_for
from portal.tenants.access import current_municipality, is_member_here, national_roles
from portal.tenants.roles import Role


def _guarded(view, allowed):
    """``view`` behind sign-in and then ``allowed(request)`` (which may also raise Http404)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not allowed(request):
            return render(request, "frontend/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped


def signed_in(view):
    """Object pages: sign-in only; the checkpoint answers 404 to anyone who may not see the object here."""
    return _guarded(view, lambda request: True)


def member_required(*roles: Role):
    """Sign-in, then a role here (any, or one of ``roles``)."""

    def decorator(view):
        return _guarded(view, lambda request: is_member_here(request.user, *roles))

    return decorator


def member_or_provider(view):
    """Signed in, and either holds a role in this municipality or works for a provider."""
    return _guarded(view, lambda request: is_member_here(request.user) or is_provider_staff(request.user))


def _provider_on_national_site(request) -> bool:
    if current_municipality() is not None:
        raise Http404
    return Role.PROVIDER_STAFF in national_roles(request.user) and bool(provider_ids_for(request.user))


def provider_required(view):
    """National site, provider staff: sign-in, the role, and at least one provider (404 on a municipality's site)."""
    return _guarded(view, _provider_on_national_site)
