"""Two-factor sign-in: who must use it, enrolling an authenticator app, recovery codes, the second step.

Every staff role (social worker, municipality administrator, finance officer — where the municipality's
``staff_two_factor`` is on, the default — and the national roles: provider staff, ministry analyst,
platform administrator) confirms each sign-in with a TOTP code (django-otp); families may opt in. With
``settings.PORTAL_DEMO`` it is offered, never required. The state is decided once, at sign-in, and kept in
the session (``SESSION_STATE``: "verify" — has an app, must enter a code; "enrol" — must set one up), so
pages cost no query for it; a verified session holds django-otp's device key (``is_verified``).

Recovery codes are ten one-time codes shown once; only an HMAC of each is stored (as django-otp static
tokens), so a copy of the database does not hold them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from base64 import b32encode

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.platform.core.errors import PermissionDenied
from portal.platform.core.models import AuditEvent, audit

from .models import Membership, SecurityKey
from .roles import NATIONAL_ROLES, STAFF_ROLES

SESSION_STATE = "two_factor"
VERIFY, ENROL = "verify", "enrol"
RECOVERY_CODES = 10
TOTP_NAME, RECOVERY_NAME = "app", "recovery"


STAFF_SESSION = "staff"  # the session of someone holding a staff role: ends after idle time
SEEN_AT = "seen_at"  # when that session last made a request (kept to the minute)


def _staff_memberships(user) -> list[Membership]:
    return list(Membership.objects.filter(user=user, role__in=[*STAFF_ROLES, *NATIONAL_ROLES])
                .select_related("municipality"))


def two_factor_required(user, memberships: list[Membership] | None = None) -> bool:
    """True when one of the user's roles must sign in with a second step."""
    if settings.PORTAL_DEMO:
        return False
    memberships = _staff_memberships(user) if memberships is None else memberships
    return any(m.municipality is None or m.municipality.staff_two_factor for m in memberships)


def has_app(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def has_second_factor(user) -> bool:
    """An app or a security key (portal/tenants/security_keys.py): either finishes the sign-in."""
    return has_app(user) or SecurityKey.objects.filter(user=user, confirmed=True).exists()


@receiver(user_logged_in)
def _decide_at_sign_in(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is None:
        return
    memberships = _staff_memberships(user)
    state = VERIFY if has_second_factor(user) else ENROL if two_factor_required(user, memberships) else None
    if state:
        session[SESSION_STATE] = state
    else:
        session.pop(SESSION_STATE, None)
    if memberships:
        session[STAFF_SESSION] = True
        session[SEEN_AT] = int(time.time())


def carry_verification(request, persistent_id: str) -> None:
    """After a sign-in hand-off: the device that verified the session on the first host verifies this one
    (only a confirmed device of the same user; anything else leaves the second step owed)."""
    if not persistent_id:
        return
    device = Device.from_persistent_id(persistent_id)
    if device is not None and device.user_id == request.user.pk and getattr(device, "confirmed", False):
        otp_login(request, device)
        request.session.pop(SESSION_STATE, None)


def is_verified(request) -> bool:
    return DEVICE_ID_SESSION_KEY in request.session


def owed(session) -> str | None:
    """What the session's signed-in user must still do ("verify" / "enrol"), or None."""
    if DEVICE_ID_SESSION_KEY in session:
        return None
    return session.get(SESSION_STATE)


def pending(request) -> str | None:
    return owed(request.session)


# ---- enrolment ----------------------------------------------------------------------------------------------

def enrolment_device(user) -> TOTPDevice:
    """The user's unconfirmed authenticator (a new secret unless one is being set up)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False, name=TOTP_NAME).first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def secret_text(device: TOTPDevice) -> str:
    """The secret as people type it into an app: base32 in groups of four."""
    raw = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i:i + 4] for i in range(0, len(raw), 4))


@transaction.atomic
def enrolment_confirm(*, request, device: TOTPDevice, code: str) -> list[str] | None:
    """The first code from the app confirms it: old apps and codes go, new recovery codes come (returned)."""
    if not device.verify_token(_digits(code)):
        return None
    user = device.user
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = recovery_codes_replace(user)
    otp_login(request, device)
    request.session.pop(SESSION_STATE, None)
    audit(actor=user, action=AuditEvent.Action.UPDATE, obj=user, message="account.two_factor_set_up",
          request=request)
    return codes


def recovery_codes_renew(*, request, password: str, code: str) -> list[str]:
    """New recovery codes for a user who has an app, after signing in again on the spot: the password and a
    code from the app. The old codes stop working; the new ones are returned (to be shown once). Refused
    re-authentication writes nothing but a failed-sign-in audit row (the password goes through
    ``authenticate``, so the lock-out counts it)."""
    user = request.user
    app = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if app is None:
        raise PermissionDenied(_("Set up an authenticator app first; recovery codes come with it."),
                               code="two_factor.no_app")
    if authenticate(request, username=user.get_username(), password=password or "") != user:
        raise PermissionDenied(_("The password is not right."), code="two_factor.reauth", field="password")
    if not app.verify_token(_digits(code)):
        audit(actor=user, action=AuditEvent.Action.LOGIN_FAILED, obj=user,
              message="account.two_factor_wrong_code_renewing", request=request)
        raise PermissionDenied(_("The code is not right. Enter the code your app shows now."),
                               code="two_factor.reauth", field="code")
    with transaction.atomic():
        codes = recovery_codes_replace(user)
        audit(actor=user, action=AuditEvent.Action.UPDATE, obj=user, message="account.recovery_codes_renewed",
              changes={"recovery_codes": len(codes)}, request=request)
    return codes


def recovery_codes_replace(user) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_NAME,
                                                          defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _i in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=_hash(code)) for code in codes)
    return codes


# ---- the second step ----------------------------------------------------------------------------------------

def verify(*, request, code: str) -> bool:
    """A code from the app or a recovery code (used up) finishes the sign-in."""
    user = request.user
    app = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = app if app is not None and app.verify_token(_digits(code)) else None
    if device is None:
        device = _use_recovery_code(user, code)
    if device is None:
        audit(actor=user, action=AuditEvent.Action.LOGIN_FAILED, obj=user, message="account.two_factor_wrong_code",
              request=request)
        return False
    otp_login(request, device)
    request.session.pop(SESSION_STATE, None)
    return True


def _use_recovery_code(user, code: str):
    code = code.strip().lower()
    if not code:
        return None
    token = StaticToken.objects.select_related("device").filter(
        device__user=user, device__name=RECOVERY_NAME, token=_hash(code)).first()
    if token is None:
        return None
    token.delete()
    return token.device


def _digits(code: str) -> str:
    return "".join(ch for ch in (code or "") if ch.isdigit())


def _hash(code: str) -> str:
    """16 hex characters of an HMAC (the static token's column holds 16)."""
    return hmac.new(settings.SECRET_KEY.encode(), code.strip().lower().encode(), hashlib.sha256).hexdigest()[:16]
