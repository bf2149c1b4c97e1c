"""Granting and revoking roles. The municipality administrator manages the
roles of their own municipality; the platform administrator the national ones."""

from __future__ import annotations

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from portal.platform.accounts.models import User
from portal.platform.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from portal.platform.core.models import AuditEvent, audit

from .access import forget_roles, roles_for
from .models import Membership, Municipality
from .roles import MUNICIPAL_ROLES, NATIONAL_ROLES, Role

# Who may grant which roles where.
GRANTABLE_BY_MUNICIPALITY_ADMIN = frozenset(MUNICIPAL_ROLES)
GRANTABLE_BY_PLATFORM_ADMIN = frozenset(NATIONAL_ROLES) | {Role.MUNICIPALITY_ADMIN}
# Roles that move money: a municipality administrator's grant waits for a second administrator's (or the
# platform administrator's) confirmation.
MONEY_ROLES = frozenset({Role.FINANCE_OFFICER})


def _refuse_self_grant(actor, user) -> None:
    if user is not None and user.pk is not None and user.pk == getattr(actor, "pk", None):
        raise PermissionDenied(_("You cannot grant a role to yourself: ask another administrator."),
                               code="self_grant")


def _require_granting_right(actor, role: Role, municipality: Municipality | None) -> None:
    if municipality is not None and Role.MUNICIPALITY_ADMIN in roles_for(actor, municipality) \
            and role in GRANTABLE_BY_MUNICIPALITY_ADMIN:
        return
    if Role.PLATFORM_ADMIN in roles_for(actor, None) and role in GRANTABLE_BY_PLATFORM_ADMIN:
        return
    raise PermissionDenied(_("You may not grant or remove this role here."), code="role_not_grantable")


def membership_grant(*, actor, email: str, full_name: str, role: str, municipality: Municipality | None,
                     request=None) -> tuple[Membership, bool]:
    """Give ``email`` the ``role`` (creating the account if needed). Returns (membership, account_created).

    A new account gets no password: it is sent a link to choose one.
    """
    email = (email or "").strip().lower()
    full_name = (full_name or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationFailed(_("Enter an e-mail address like name@example.lv."), code="invalid_email",
                               field="email") from None
    if role not in Role.values:
        raise ValidationFailed(_("Choose a role."), code="invalid_role", field="role")
    role = Role(role)
    if (role in MUNICIPAL_ROLES) != (municipality is not None):
        raise ValidationFailed(_("This role is not held in a municipality.") if municipality
                               else _("This role is held in a municipality."), code="invalid_role", field="role")
    _require_granting_right(actor, role, municipality)
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).first()
        created = user is None
        _refuse_self_grant(actor, user)
        if created:
            if not full_name:
                raise ValidationFailed(_("Give the person's full name for a new account."), code="required",
                                       field="full_name")
            user = User(email=email, full_name=full_name)
            user.set_unusable_password()
            user.full_clean()
            user.save()
        if Membership.objects.filter(user=user, role=role, municipality=municipality).exists():
            raise Conflict(_("%(email)s already holds this role here.") % {"email": email},
                           code="already_member", field="email")
        pending = role in MONEY_ROLES and Role.PLATFORM_ADMIN not in roles_for(actor, None)
        membership = _membership_create(user=user, role=role, municipality=municipality, actor=actor,
                                        request=request, pending=pending)
    if created and request is not None:
        transaction.on_commit(lambda: send_welcome_email(user, request))
    return membership, created


def membership_ensure(*, user, role: Role, municipality: Municipality | None = None, actor,
                      request=None) -> Membership:
    """Make sure ``user`` holds ``role``, for a grant another area has decided and checked.

    The marketplace gives the provider-staff role to whoever it registers as a provider's staff: the
    right to do that is the provider's owners', which the catalogue checks, not an administrator's.
    A new role is audited and the user's cached roles are refreshed at once; one already held is
    returned as it is.
    """
    membership = Membership.objects.filter(user=user, role=role, municipality=municipality).first()
    if membership is not None:
        return membership
    if role != Role.PROVIDER_STAFF:  # signing up one's own provider makes one its staff: that one is by design
        _refuse_self_grant(actor, user)
    with transaction.atomic():
        return _membership_create(user=user, role=role, municipality=municipality, actor=actor, request=request)


def _membership_create(*, user, role: Role, municipality: Municipality | None, actor, request,
                       pending: bool = False) -> Membership:
    membership = Membership.objects.create(user=user, role=role, municipality=municipality, pending=pending,
                                           granted_by=actor if getattr(actor, "pk", None) else None)
    audit(actor=actor, action=AuditEvent.Action.CREATE, obj=membership,
          message="role.proposed" if pending else "role.granted",
          params={"role": role.value, "email": user.email}, request=request)
    forget_roles(user)
    return membership


def membership_confirm(*, actor, membership_id: int, municipality: Municipality | None,
                       request=None) -> Membership:
    """A second administrator (or the platform administrator) confirms a pending money-role grant.

    Four eyes: neither the administrator who proposed it nor the user receiving it may confirm it.
    """
    membership = (Membership.objects.select_related("user")
                  .filter(pk=membership_id, municipality=municipality).first())
    if membership is None:
        raise NotFound(_("No such role here."))
    _require_granting_right(actor, Role(membership.role), municipality)
    if not membership.pending:
        raise Conflict(_("This role is already confirmed."), code="not_pending")
    if actor.pk in (membership.granted_by_id, membership.user_id):
        raise PermissionDenied(_("A second administrator must confirm a role you proposed or received."),
                               code="four_eyes")
    with transaction.atomic():
        membership.pending = False
        membership.save(update_fields=["pending"])
        audit(actor=actor, action=AuditEvent.Action.UPDATE, obj=membership,
              message="role.confirmed", params={"role": membership.role, "email": membership.user.email},
              changes={"pending": [True, False]}, request=request)
    forget_roles(membership.user)
    return membership


def send_welcome_email(user, request) -> None:
    """A new account has no password: send a one-time link to choose one (the reset token)."""
    context = {"user": user, "domain": request.get_host(), "protocol": "https" if request.is_secure() else "http",
               "uid": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)}
    subject = render_to_string("registration/account_created_subject.txt", context).strip()
    send_mail(subject, render_to_string("registration/account_created_email.txt", context), None, [user.email])


def membership_revoke(*, actor, membership_id: int, municipality: Municipality | None, request=None) -> None:
    """Remove one role. An administrator cannot remove their own administrator role (no lock-out)."""
    membership = (Membership.objects.select_related("user")
                  .filter(pk=membership_id, municipality=municipality).first())
    if membership is None:
        raise NotFound(_("No such role here."))
    _require_granting_right(actor, Role(membership.role), municipality)
    if membership.user_id == actor.pk and membership.role in (Role.MUNICIPALITY_ADMIN, Role.PLATFORM_ADMIN):
        raise Conflict(_("You cannot remove your own administrator role."), code="self_lockout")
    with transaction.atomic():
        audit(actor=actor, action=AuditEvent.Action.DELETE, obj=membership,
              message="role.removed", params={"role": membership.role, "email": membership.user.email},
              request=request)
        membership.delete()
