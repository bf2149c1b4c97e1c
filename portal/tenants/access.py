"""Checkpoints: the one place that decides which roles a user holds where.

Views, API permissions and services ask these functions; nothing else reads
``Membership`` to make an access decision.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection

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
        for municipality_id, role in user.memberships.filter(pending=False).values_list("municipality_id", "role"):
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


def is_member_here(user, *roles: Role) -> bool:
    """Does the user hold a role (any, or one of ``roles``) on the current host?

    The municipality's roles on a municipality's host, the national roles on the national one.
    """
    held = roles_for(user, current_municipality())
    return bool(held) and (not roles or bool(held & set(roles)))


def forget_roles(user) -> None:
    """Drop the roles cached on ``user``: call it after changing their memberships in this request."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
