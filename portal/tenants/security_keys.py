"""Security keys and passkeys (WebAuthn) as the second sign-in step, beside the authenticator app.

The ceremonies run on the host where the person is (ADR 0019): the password sign-in and its second step
happen on one host, and the sign-in hand-off carries the verifying device to the others (ADR 0009). The
relying party id is the portal's base domain whenever the host is under it and the base domain can be
claimed (it has a dot: ``sbs.example.lv``, ``sbs.localhost``), so one key works on every municipality's host
and the national site; otherwise (a municipality's own host name, or the single-label ``localhost`` of
development, which Chromium refuses as a registrable suffix) it is the host itself.

Each ceremony is two requests: *begin* returns the options for ``navigator.credentials.create/get`` and keeps
the challenge in the session (``CHALLENGE``: one at a time, single use, ``CHALLENGE_SECONDS`` to live);
*finish* takes the browser's answer, spends the challenge whatever the outcome and checks the answer with
py_webauthn. Refusals are ``DomainError`` with stable ``security_key.*`` codes and write nothing but, where
it is a sign-in failure, an audit row.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from portal.platform.core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from portal.platform.core.models import AuditEvent, audit

from . import two_factor
from .models import SecurityKey

CHALLENGE = "security_key_challenge"
CHALLENGE_SECONDS = 300
TIMEOUT_MS = 120_000  # how long the browser waits for a touch
REGISTER, AUTHENTICATE = "register", "authenticate"
NAME_MAX = 64
KEYS_MAX = 10
_TRANSPORTS = {t.value for t in AuthenticatorTransport}


# ---- where: the relying party and the origin ----------------------------------------------------------------

def rp_id_for(host: str) -> str:
    """The relying party id for a request to ``host`` (ADR 0019)."""
    host = host.split(":")[0].lower().rstrip(".")
    base = settings.PORTAL_BASE_DOMAIN.lower().rstrip(".")
    if "." in base and (host == base or host.endswith("." + base)):
        return base
    return host


def _origin(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


def _rp_id(request) -> str:
    return rp_id_for(request.get_host())


# ---- reading ------------------------------------------------------------------------------------------------

def security_keys_for(user) -> list[SecurityKey]:
    return list(SecurityKey.objects.filter(user=user, confirmed=True))


def usable_here(request, user=None) -> bool:
    """Whether ``user`` (default: the signed-in one) has a key for this host's relying party."""
    user = user or request.user
    return SecurityKey.objects.filter(user=user, confirmed=True, rp_id=_rp_id(request)).exists()


def _user_handle(user) -> bytes:
    """A stable, opaque user handle (WebAuthn asks for no personal data in it)."""
    return hmac.new(settings.SECRET_KEY.encode(), f"webauthn-user:{user.pk}".encode(), hashlib.sha256).digest()


def _descriptor(key: SecurityKey) -> PublicKeyCredentialDescriptor:
    transports = [AuthenticatorTransport(t) for t in key.transports if t in _TRANSPORTS] or None
    return PublicKeyCredentialDescriptor(id=base64url_to_bytes(key.credential_id), transports=transports)


# ---- the challenge: in the session, single use, expiring ----------------------------------------------------

def _keep_challenge(request, purpose: str, challenge: bytes, **extra) -> None:
    request.session[CHALLENGE] = {"purpose": purpose, "challenge": bytes_to_base64url(challenge),
                                  "expires": int(time.time()) + CHALLENGE_SECONDS, "rp_id": _rp_id(request),
                                  **extra}


def _spend_challenge(request, purpose: str) -> dict:
    """The challenge this ceremony began with, removed from the session (single use, whatever follows)."""
    kept = request.session.pop(CHALLENGE, None)
    if (not isinstance(kept, dict) or kept.get("purpose") != purpose or kept.get("expires", 0) < time.time()
            or kept.get("rp_id") != _rp_id(request)):
        raise ValidationFailed(_("This request has expired or was already used. Try again."),
                               code="security_key.challenge_expired")
    return kept


def _credential_json(credential) -> dict:
    if isinstance(credential, (str, bytes)):
        try:
            credential = json.loads(credential)
        except ValueError:
            credential = None
    if not isinstance(credential, dict) or not isinstance(credential.get("id"), str):
        raise ValidationFailed(_("The browser's answer could not be read. Try again."), code="security_key.invalid")
    return credential


# ---- registration -------------------------------------------------------------------------------------------

def _may_manage(request) -> None:
    if two_factor.pending(request):
        raise PermissionDenied(_("Finish signing in first."), code="security_key.sign_in_first")
    if not two_factor.has_app(request.user):
        raise PermissionDenied(_("Set up an authenticator app first: its recovery codes are your way back if "
                                 "you lose the key."), code="security_key.no_app")


def security_key_register_begin(*, request, name: str) -> dict:
    """The options for ``navigator.credentials.create`` (a JSON-ready dict) for a key to be called ``name``."""
    _may_manage(request)
    name = " ".join((name or "").split())
    if not name:
        raise ValidationFailed(_("Enter a name for the key, for example “Blue key” or “Work laptop”."),
                               code="security_key.name", field="name")
    if len(name) > NAME_MAX:
        raise ValidationFailed(_("The name must be %(max)d characters or fewer.") % {"max": NAME_MAX},
                               code="security_key.name", field="name")
    user = request.user
    existing = security_keys_for(user)
    if len(existing) >= KEYS_MAX:
        raise ValidationFailed(_("You have %(max)d keys, the most an account may have. Remove one first.")
                               % {"max": KEYS_MAX}, code="security_key.too_many", field="name")
    rp_id = _rp_id(request)
    options = generate_registration_options(
        rp_id=rp_id, rp_name=str(_("SBS portal")), user_id=_user_handle(user), user_name=user.get_username(),
        user_display_name=user.get_full_name() or user.get_username(), timeout=TIMEOUT_MS,
        attestation=AttestationConveyancePreference.NONE,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.DISCOURAGED,
            user_verification=UserVerificationRequirement.PREFERRED),
        exclude_credentials=[_descriptor(k) for k in existing if k.rp_id == rp_id])
    _keep_challenge(request, REGISTER, options.challenge, name=name)
    return json.loads(options_to_json(options))


def security_key_register_finish(*, request, credential) -> SecurityKey:
    """Check the new key's attestation against the kept challenge, this host's origin and relying party; keep it."""
    kept = _spend_challenge(request, REGISTER)
    _may_manage(request)
    credential = _credential_json(credential)
    try:
        verified = verify_registration_response(
            credential=credential, expected_challenge=base64url_to_bytes(kept["challenge"]),
            expected_rp_id=kept["rp_id"], expected_origin=_origin(request))
    except (WebAuthnException, ValueError, TypeError, KeyError) as error:
        raise ValidationFailed(_("The key's answer could not be checked. Try again."),
                               code="security_key.invalid") from error
    transports = [t for t in (credential.get("response") or {}).get("transports") or [] if t in _TRANSPORTS]
    user = request.user
    try:
        with transaction.atomic():
            key = SecurityKey.objects.create(
                user=user, name=kept["name"], confirmed=True,
                credential_id=bytes_to_base64url(verified.credential_id),
                public_key=verified.credential_public_key, sign_count=verified.sign_count,
                transports=transports, rp_id=kept["rp_id"])
    except IntegrityError as error:
        raise Conflict(_("This key is already registered."), code="security_key.exists") from error
    audit(actor=user, action=AuditEvent.Action.CREATE, obj=key, message="account.security_key_added",
          params={"name": key.name}, changes={"name": key.name, "rp_id": key.rp_id, "transports": transports}, request=request)
    return key


# ---- the second step ----------------------------------------------------------------------------------------

def security_key_authenticate_begin(*, request) -> dict:
    """The options for ``navigator.credentials.get`` at the second step: the user's keys for this host."""
    if two_factor.pending(request) != two_factor.VERIFY:
        raise PermissionDenied(_("There is no second step to finish."), code="security_key.not_needed")
    rp_id = _rp_id(request)
    keys = [k for k in security_keys_for(request.user) if k.rp_id == rp_id]
    if not keys:
        raise NotFound(_("You have no security key for this site. Enter a code instead."),
                       code="security_key.none")
    options = generate_authentication_options(rp_id=rp_id, timeout=TIMEOUT_MS,
                                              allow_credentials=[_descriptor(k) for k in keys],
                                              user_verification=UserVerificationRequirement.PREFERRED)
    _keep_challenge(request, AUTHENTICATE, options.challenge)
    return json.loads(options_to_json(options))


def security_key_authenticate_finish(*, request, credential) -> SecurityKey:
    """Check the key's signature; a good one finishes the sign-in (the key verifies the session)."""
    kept = _spend_challenge(request, AUTHENTICATE)
    if two_factor.pending(request) != two_factor.VERIFY:
        raise PermissionDenied(_("There is no second step to finish."), code="security_key.not_needed")
    user = request.user
    credential = _credential_json(credential)
    key = SecurityKey.objects.filter(user=user, confirmed=True, rp_id=kept["rp_id"],
                                     credential_id=credential["id"]).first()
    if key is None:
        _refused(request, message="account.security_key_unknown")
        raise ValidationFailed(_("This key is not registered to your account. Use another key or a code."),
                               code="security_key.unknown")
    try:
        # The count is compared below, after the signature proved the answer came from the key.
        verified = verify_authentication_response(
            credential=credential, expected_challenge=base64url_to_bytes(kept["challenge"]),
            expected_rp_id=kept["rp_id"], expected_origin=_origin(request),
            credential_public_key=bytes(key.public_key), credential_current_sign_count=0)
    except (WebAuthnException, ValueError, TypeError, KeyError) as error:
        _refused(request, message="account.security_key_refused", key=key)
        raise ValidationFailed(_("The key's answer could not be checked. Try again."),
                               code="security_key.invalid") from error
    new_count = verified.new_sign_count
    if (new_count or key.sign_count) and new_count <= key.sign_count:
        # A counter that went back means two copies of the key exist: refuse it, and say so in the audit.
        _refused(request, message="account.security_key_cloned", key=key,
                 changes={"stored_count": key.sign_count, "answered_count": new_count})
        raise PermissionDenied(_("This key cannot be trusted: it may have been copied. Use a code, and "
                                 "remove the key from your account."), code="security_key.cloned")
    key.sign_count = new_count
    key.last_used_at = timezone.now()
    key.save(update_fields=["sign_count", "last_used_at"])
    otp_login(request, key)
    request.session.pop(two_factor.SESSION_STATE, None)
    audit(actor=user, action=AuditEvent.Action.LOGIN, obj=key, message="account.security_key_used",
          params={"name": key.name}, changes={"name": key.name}, request=request)
    return key


def _refused(request, *, message: str, key: SecurityKey | None = None, changes: dict | None = None) -> None:
    user = request.user
    audit(actor=user, action=AuditEvent.Action.LOGIN_FAILED, obj=key or user, message=message,
          changes=changes, request=request)


# ---- removal ------------------------------------------------------------------------------------------------

def security_key_remove(*, request, key_id: int, password: str) -> None:
    """Remove one of the user's keys after the password is entered again (it counts toward the lock-out)."""
    if two_factor.pending(request):
        raise PermissionDenied(_("Finish signing in first."), code="security_key.sign_in_first")
    user = request.user
    key = SecurityKey.objects.filter(user=user, pk=key_id).first()
    if key is None:
        raise NotFound(_("There is no such key on your account."), code="security_key.not_found")
    if authenticate(request, username=user.get_username(), password=password or "") != user:
        raise PermissionDenied(_("The password is not right."), code="security_key.reauth", field="password")
    with transaction.atomic():
        audit(actor=user, action=AuditEvent.Action.DELETE, obj=key, message="account.security_key_removed",
              params={"name": key.name}, changes={"name": key.name, "rp_id": key.rp_id}, request=request)
        key.delete()
