"""Carry a sign-in from one of the platform's hosts to another (ADR 0009).

Session cookies stay host-only. A signed-in person following a link to another of the platform's
hosts gets a one-time pass: a random token, good for one use, on that one host, for a minute. The
target host redeems it and signs the same account in there. Only the token's digest is stored.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from portal.platform.core.errors import PermissionDenied

from .models import Domain, SignInHandoff

HANDOFF_SECONDS = 60


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def is_platform_host(hostname: str) -> bool:
    """Is ``hostname`` (no port) one of the platform's sites (the national one or a municipality's)?"""
    return Domain.objects.filter(domain=hostname.lower()).exists()


def handoff_issue(*, user, host: str, otp_device: str = "") -> str:
    """A one-time pass that signs ``user`` in on ``host``; refused for an inactive user or a foreign host.
    ``otp_device``: the device that verified the second step on this host, if any (carried to the other)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise PermissionDenied("Sign in first.", code="not_signed_in")
    if not is_platform_host(host):
        raise PermissionDenied("That site is not part of the platform.", code="foreign_host", field="next")
    now = timezone.now()
    SignInHandoff.objects.filter(expires_at__lt=now).delete()
    token = secrets.token_urlsafe(32)
    SignInHandoff.objects.create(digest=_digest(token), user=user, host=host.lower(), otp_device=otp_device or "",
                                 expires_at=now + timedelta(seconds=HANDOFF_SECONDS))
    return token


def handoff_redeem(*, token: str, host: str):
    """The user the pass was issued to, or None (unknown, used, expired, another host, inactive user); its
    ``handoff_otp_device`` names the device that verified the second step on the first host ("" if none).

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
    return row.user
