"""Limits on guessing: failed sign-ins (django-axes) and password-reset requests.

Sign-ins are counted by django-axes (settings ``AXES_*``) per account and per address. Password-reset
requests are counted here in the default cache, per address and per e-mail address, for an hour; above
the limit no e-mail is sent (the page still says "check your e-mail", so it tells nothing about accounts)
and an address above its limit is told to wait. The default cache is Valkey (settings ``CACHES``), shared by
every process and node, so a limit counts once for the whole portal.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = 60 * 60


def signin_username(request, credentials) -> str:
    """The account an attempt is for, as axes counts it: one count whatever the letter case."""
    return str((credentials or {}).get("username") or request.POST.get("username") or "").strip().lower()


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _count(key: str) -> int:
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW_SECONDS)
        return 1


def reset_request_allowed(*, address: str, email: str) -> tuple[bool, bool]:
    """Count one password-reset request; returns (address within its limit, account within its limit)."""
    by_address = _count(f"reset:ip:{address}") <= settings.PASSWORD_RESET_LIMIT_PER_ADDRESS
    by_account = _count(f"reset:email:{email.strip().lower()}") <= settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT
    return by_address, by_account
