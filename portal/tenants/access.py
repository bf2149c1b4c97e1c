"""Checkpoints: the one place that decides which roles a user holds where.

Views, API permissions and services ask these functions; nothing else reads
``Membership`` to make an access decision.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db import connection
from django.shortcuts import render

from .roles import NATIONAL_ROLES, Role

_CACHE_ATTR = "_portal_roles_cache"


def current_municipality():
    """The municipality the connection is routed to, or None on the national site."""
    tenant = getattr(connection, "tenant", None)
    if tenant is None or tenant.schema_name == settings.PUBLIC_SCHEMA_NAME:
        return None
    return tenant


def roles_for(user, municipality=None) -> frozenset[Role]:
    """Roles ``user`` holds in ``municipality`` (or nationally when it is None).

    Cached on the user object for the request: one query per request at most.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cache = getattr(user, _CACHE_ATTR, None)
    if cache is None:
        cache = {}
        for municipality_id, role in user.memberships.values_list("municipality_id", "role"):
            cache.setdefault(municipality_id, set()).add(Role(role))
        setattr(user, _CACHE_ATTR, cache)
    key = municipality.pk if municipality is not None else None
    return frozenset(cache.get(key, ()))


def national_roles(user) -> frozenset[Role]:
    return frozenset(r for r in roles_for(user, None) if r in NATIONAL_ROLES)


def municipality_ids_for(user) -> list[int]:
    roles_for(user)  # fills the cache
    return [pk for pk in getattr(user, _CACHE_ATTR, {}) if pk is not None]


def has_role(user, *roles: Role, municipality=None) -> bool:
    return bool(roles_for(user, municipality) & set(roles))


def is_member_here(user) -> bool:
    """Does the user hold any role in the municipality of the current host?"""
    municipality = current_municipality()
    if municipality is None:
        return bool(roles_for(user, None))
    return bool(roles_for(user, municipality))


def member_required(*roles: Role):
    """View decorator: sign-in required; then a role here (any, or one of ``roles``).

    A signed-in user without the role gets a 403 page that says so — the page
    never reveals what it would have shown.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            held = roles_for(user, current_municipality())
            if not held or (roles and not held & set(roles)):
                return render(request, "frontend/forbidden.html", status=403)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
