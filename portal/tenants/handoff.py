"""Carry a sign-in from one of the platform's hosts to another (ADR 0009).

Session cookies stay host-only. A signed-in person following a link to another of the platform's
hosts gets a one-time pass: a random token, good for one use, on that one host, for a minute. The
target host redeems it and signs the same account in there. Only the token's digest is stored.

The sessions a sign-in opens this way are one sign-in: each carries the sign-in's id (``SIGN_IN``) and is
listed in ``SignInSession``; signing out on any host, or the staff idle time-out, ends every one of them.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db import transaction
from django.db.models import Max
from django.dispatch import receiver
from django.utils import timezone

from portal.platform.core.errors import PermissionDenied

from .models import Domain, SignInHandoff, SignInSession

HANDOFF_SECONDS = 60
SIGN_IN = "sign_in"  # session key: the id of the sign-in the session belongs to


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def is_platform_host(hostname: str) -> bool:
    """Is ``hostname`` (no port) one of the platform's sites (the national one or a municipality's)?"""
    return Domain.objects.filter(domain=hostname.lower()).exists()


def handoff_issue(*, user, host: str, otp_device: str = "", sign_in: str | None = None) -> str:
    """A one-time pass that signs ``user`` in on ``host``; refused for an inactive user or a foreign host.
    ``otp_device``: the device that verified the second step on this host, if any (carried to the other);
    ``sign_in``: the sign-in this host's session belongs to (the other host's session joins it)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise PermissionDenied("Sign in first.", code="not_signed_in")
    if not is_platform_host(host):
        raise PermissionDenied("That site is not part of the platform.", code="foreign_host", field="next")
    now = timezone.now()
    SignInHandoff.objects.filter(expires_at__lt=now).delete()
    token = secrets.token_urlsafe(32)
    SignInHandoff.objects.create(digest=_digest(token), user=user, host=host.lower(), otp_device=otp_device or "",
                                 sign_in=sign_in or None, expires_at=now + timedelta(seconds=HANDOFF_SECONDS))
    return token


def handoff_redeem(*, token: str, host: str):
    """The user the pass was issued to, or None (unknown, used, expired, another host, inactive user); its
    ``handoff_otp_device`` names the device that verified the second step on the first host ("" if none),
    ``handoff_sign_in`` the sign-in the new session joins.

    The pass is spent on the first attempt whatever its outcome.
    """
    if not token:
        return None
    with transaction.atomic():
        row = (SignInHandoff.objects.select_for_update().select_related("user")
               .filter(digest=_digest(token)).first())
        if row is None:
            return None
        row.delete()
    if row.host != host.lower() or row.expires_at <= timezone.now() or not row.user.is_active:
        return None
    row.user.handoff_otp_device = row.otp_device
    row.user.handoff_sign_in = row.sign_in
    return row.user


# ---------------------------------------------------------------- one sign-in, many hosts' sessions
def _session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


@receiver(user_logged_in)
def _join_sign_in(sender, request, user, **kwargs):
    """Every sign-in (password, hand-off, …) lists its session: a hand-off joins the sign-in it came from,
    anything else starts one. Rows older than a session's longest life are swept here."""
    session = getattr(request, "session", None)
    if session is None:
        return
    if session.session_key is None:
        session.save()
    sign_in = getattr(user, "handoff_sign_in", None) or uuid.uuid4()
    session[SIGN_IN] = str(sign_in)
    now = timezone.now()
    SignInSession.objects.filter(created_at__lt=now - timedelta(seconds=settings.SESSION_COOKIE_AGE)).delete()
    SignInSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={"sign_in": sign_in, "user": user, "host": _host_of(request), "seen_at": now})


def _host_of(request) -> str:
    """The host name the session belongs to, for the record ("" for a request without one, as in tests)."""
    meta = getattr(request, "META", {})
    return (meta.get("HTTP_HOST") or meta.get("SERVER_NAME") or "").split(":")[0].lower()[:253]


@receiver(user_logged_out)
def _end_sign_in(sender, request, user, **kwargs):
    """Signing out (or the idle time-out) on one host signs the same sign-in out on every host."""
    session = getattr(request, "session", None)
    sign_in = session.get(SIGN_IN) if session is not None else None
    if sign_in:
        sign_in_end(sign_in=sign_in)


def sign_in_end(*, sign_in) -> int:
    """Delete every session of ``sign_in`` on every host; how many there were."""
    keys = list(SignInSession.objects.filter(sign_in=sign_in).values_list("session_key", flat=True))
    store = _session_store()
    for key in keys:
        store().delete(key)
    SignInSession.objects.filter(sign_in=sign_in).delete()
    return len(keys)


def sign_in_seen(*, sign_in, when) -> None:
    """Activity of the sign-in on some host (the idle time-out's clock, shared by its hosts)."""
    SignInSession.objects.filter(sign_in=sign_in).update(seen_at=when)


def sign_in_last_seen(*, sign_in) -> float | None:
    """The sign-in's last activity on any host, as a Unix time, or None if it has no listed session."""
    last = SignInSession.objects.filter(sign_in=sign_in).aggregate(last=Max("seen_at"))["last"]
    return last.timestamp() if last else None
