"""Writes to the national catalogue: provider sign-up and verification, profiles, locations,
staff and services. Every change is kept in ``CatalogueChange`` (who, when, old → new)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import override

from portal.platform.accounts.models import User
from portal.platform.core.models import AuditEvent, audit
from portal.tenants.access import has_role
from portal.tenants.models import Municipality
from portal.tenants.roles import Role
from portal.tenants.services import membership_ensure, send_welcome_email

from . import signals
from ._steps import (
    _announce,
    _apply,
    _as_text,
    _check_municipalities,
    _record,
    _require_staff,
    _unique_slug,
    _validate,
)
from .errors import AlreadyRegistered, CatalogueInvalid, NotProviderStaff, StaffConflict
from .models import ACCESSIBILITY_FIELDS, CatalogueChange, Location, Provider, ProviderStaff, Service, ServiceType, Unit
from .taxonomy import FIXED_UNITS

PROFILE_FIELDS = (
    "name", "social_register_number", "company_number", "legal_form", "email", "phone", "website", "address",
    "description_lv", "description_en", "languages", "municipalities_served", "iban", "vat_payer", "vat_number",
    *ACCESSIBILITY_FIELDS, "accessibility_notes",
)
LOCATION_FIELDS = ("name", "address", "municipality_code", "latitude", "longitude", *ACCESSIBILITY_FIELDS,
                   "accessibility_notes")
SERVICE_FIELDS = (
    "service_type", "title_lv", "title_en", "description_lv", "description_en", "target_groups", "min_age",
    "max_age", "delivery_modes", "unit", "unit_price", "free_places", "waiting_weeks", "schedule", "is_active",
)
PRICE_FIELDS = frozenset({"unit", "unit_price"})
CAPACITY_FIELDS = frozenset({"free_places", "waiting_weeks"})

# ---- providers ------------------------------------------------------------------------------------------

@transaction.atomic
def provider_sign_up(*, actor, profile: dict, full_name: str = "", email: str = "", password: str = "",
                     request=None) -> Provider | None:
    """A provider registers itself; it waits for a platform administrator's verification.

    A signed-in ``actor`` becomes the owner at once. A visitor gives a name, e-mail and password, and the
    answer never tells whether the address has an account (issue 15, account enumeration): a new address
    gets an inactive account, the pending provider and a link to confirm the address
    (``provider_sign_up_confirm``); an address that has an account gets an e-mail saying someone tried to
    register with it (sign in first, then register) and nothing is written — ``None`` is returned.
    """
    if getattr(actor, "is_authenticated", False):
        user = actor
    else:
        email = (email or "").strip().lower()
        if not full_name.strip():
            raise CatalogueInvalid(_("Enter your full name."), code="catalogue.required", field="full_name")
        user = User(email=email, full_name=full_name.strip(), is_active=False)
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CatalogueInvalid(error.messages[0], code="catalogue.weak_password", field="password") from None
        user.set_password(password)
        try:
            User._meta.get_field("email").run_validators(email)  # the format only: uniqueness would tell
        except ValidationError as error:
            raise CatalogueInvalid(error.messages[0], code="catalogue.invalid", field="email") from None
        try:
            user.full_clean(exclude=["email"])
        except ValidationError as error:
            field = next(iter(error.message_dict))
            raise CatalogueInvalid(error.message_dict[field][0], code="catalogue.invalid", field=field) from None
    provider = Provider(status=Provider.Status.PENDING)
    changes = _apply(provider, profile, PROFILE_FIELDS)
    provider.slug = _unique_slug(provider.name or "")
    _check_municipalities(provider.municipalities_served)
    _validate(provider)
    if user.pk is None and User.objects.filter(email__iexact=email).exists():
        _send_sign_up_email("registration/sign_up_exists", existing=User.objects.get(email__iexact=email),
                            request=request)
        return None
    if user.pk is None:
        user.save()
    try:
        with transaction.atomic():
            provider.save()
    except IntegrityError:
        raise AlreadyRegistered(_("This provider is already registered."), field="company_number") from None
    membership_ensure(user=user, role=Role.PROVIDER_STAFF, actor=user, request=request)
    ProviderStaff.objects.create(user=user, provider=provider, is_owner=True)
    _record(provider=provider, actor=user, kind=CatalogueChange.Kind.PROVIDER_CREATED, changes=changes)
    audit(actor=user, action=AuditEvent.Action.CREATE, obj=provider, message="provider.signed_up",
          params={"name": provider.name},
          request=request)
    _announce(provider.pk)
    if not user.is_active:
        _send_sign_up_email("registration/sign_up_confirm", existing=user, request=request, provider=provider)
    return provider


def _send_sign_up_email(template: str, *, existing: User, request, provider: Provider | None = None) -> None:
    """Sign-up e-mails carry links to the national site (where sign-up lives), built from its URLs."""
    secure = request is not None and request.is_secure()
    site = f"{'https' if secure else 'http'}://{request.get_host() if request is not None else settings.PORTAL_BASE_DOMAIN}"

    def link(name, **kwargs):
        return site + reverse(name, urlconf=settings.PUBLIC_SCHEMA_URLCONF, kwargs=kwargs or None)

    context = {"user": existing, "provider": provider,
               "confirm_link": link("catalogue:sign-up-confirm", uidb64=urlsafe_base64_encode(force_bytes(existing.pk)),
                                    token=default_token_generator.make_token(existing)),
               "sign_in_link": link("accounts:login") + "?next=" + reverse("catalogue:sign-up",
                                                                           urlconf=settings.PUBLIC_SCHEMA_URLCONF),
               "reset_link": link("accounts:password_reset")}
    with override(existing.preferred_language):
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}_email.txt", context)
    transaction.on_commit(lambda: send_mail(subject, body, None, [existing.email]))


@transaction.atomic
def provider_sign_up_confirm(*, uidb64: str, token: str, request=None) -> User | None:
    """The link of a visitor's sign-up e-mail: activates the account (once). ``None``: a wrong or used link."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    user = User.objects.select_for_update().filter(pk=pk, is_active=False, last_login__isnull=True).first()
    if user is None or not default_token_generator.check_token(user, token):
        return None
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit(actor=user, action=AuditEvent.Action.UPDATE, obj=user, message="account.sign_up_address_confirmed",
          params={"email": user.email},
          request=request)
    return user


@transaction.atomic
def provider_update(*, provider: Provider, actor, request=None, **fields) -> Provider:
    """Change a provider's profile (its staff only). Returns the provider; records old → new."""
    _require_staff(provider, actor)
    provider = Provider.objects.select_for_update().get(pk=provider.pk)
    changes = _apply(provider, fields, PROFILE_FIELDS)
    if not changes:
        return provider
    if "municipalities_served" in changes:
        _check_municipalities(provider.municipalities_served)
    _validate(provider)
    provider.save()
    _record(provider=provider, actor=actor, kind=CatalogueChange.Kind.PROVIDER_CHANGED, changes=changes)
    audit(actor=actor, action=AuditEvent.Action.UPDATE, obj=provider, changes=changes,
          message="provider.profile_changed", params={"name": provider.name}, request=request)
    _announce(provider.pk, provider.services.values_list("pk", flat=True))
    return provider


@transaction.atomic
def provider_status_set(*, provider: Provider, status: str, actor, request=None) -> Provider:
    """A platform administrator verifies or suspends a provider (or sends it back to pending)."""
    if not has_role(actor, Role.PLATFORM_ADMIN):
        raise NotProviderStaff(_("Only a platform administrator may verify providers."),
                               code="catalogue.not_platform_admin")
    if status not in Provider.Status.values:
        raise CatalogueInvalid(_("Choose a status."), code="catalogue.invalid_status", field="status")
    provider = Provider.objects.select_for_update().get(pk=provider.pk)
    if provider.status == status:
        return provider
    changes = {"status": [provider.status, status]}
    provider.status = status
    if status == Provider.Status.VERIFIED:
        provider.verified_at, provider.verified_by = timezone.now(), actor
    provider.save(update_fields=["status", "verified_at", "verified_by", "modified_at"])
    _record(provider=provider, actor=actor, kind=CatalogueChange.Kind.PROVIDER_STATUS, changes=changes)
    audit(actor=actor, action=AuditEvent.Action.UPDATE, obj=provider, changes=changes,
          message="provider.status_changed", params={"name": provider.name, "status": str(status)},
          request=request)
    _announce(provider.pk, provider.services.values_list("pk", flat=True))
    if status == Provider.Status.VERIFIED:
        signals.provider_verified.send(sender=Provider, provider_id=provider.pk)
    return provider


# ---- locations ------------------------------------------------------------------------------------------

@transaction.atomic
def location_create(*, provider: Provider, actor, **fields) -> Location:
    _require_staff(provider, actor)
    location = Location(provider=provider)
    changes = _apply(location, fields, LOCATION_FIELDS)
    _check_location(location)
    location.save()
    _record(provider=provider, actor=actor, kind=CatalogueChange.Kind.LOCATION,
            changes={"location": [None, location.name], **changes})
    _announce(provider.pk, location.services.values_list("pk", flat=True))
    return location


@transaction.atomic
def location_update(*, location: Location, actor, **fields) -> Location:
    _require_staff(location.provider, actor)
    location = Location.objects.select_for_update().get(pk=location.pk)
    changes = _apply(location, fields, LOCATION_FIELDS)
    if not changes:
        return location
    _check_location(location)
    location.save()
    _record(provider=location.provider, actor=actor, kind=CatalogueChange.Kind.LOCATION,
            changes={"location": [location.name, location.name], **changes})
    _announce(location.provider_id, location.services.values_list("pk", flat=True))
    return location


@transaction.atomic
def location_delete(*, location: Location, actor) -> None:
    _require_staff(location.provider, actor)
    service_ids = list(location.services.values_list("pk", flat=True))
    _record(provider=location.provider, actor=actor, kind=CatalogueChange.Kind.LOCATION,
            changes={"location": [location.name, None]})
    provider_id = location.provider_id
    location.delete()
    _announce(provider_id, service_ids)


def _check_location(location: Location) -> None:
    if (location.latitude is None) != (location.longitude is None):
        raise CatalogueInvalid(_("Give both latitude and longitude, or neither."), code="catalogue.coordinates",
                               field="longitude" if location.longitude is None else "latitude")
    if location.municipality_code and not Municipality.objects.filter(code=location.municipality_code).exists():
        raise CatalogueInvalid(_("No such municipality: %(codes)s") % {"codes": location.municipality_code},
                               code="catalogue.unknown_municipality", field="municipality_code")
    _validate(location)


# ---- staff ----------------------------------------------------------------------------------------------

@transaction.atomic
def staff_add(*, provider: Provider, actor, email: str, full_name: str = "", is_owner: bool = False,
              request=None) -> ProviderStaff:
    """An owner adds a colleague (a new account gets a link to choose a password)."""
    _require_staff(provider, actor, owner=True)
    email = (email or "").strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if created:
        if not full_name.strip():
            raise CatalogueInvalid(_("Give the person's full name for a new account."), code="catalogue.required",
                                   field="full_name")
        user = User(email=email, full_name=full_name.strip())
        user.set_unusable_password()
        try:
            user.full_clean()
        except ValidationError as error:
            field = next(iter(error.message_dict))
            raise CatalogueInvalid(error.message_dict[field][0], code="catalogue.invalid", field=field) from None
        user.save()
    if ProviderStaff.objects.filter(provider=provider, user=user).exists():
        raise StaffConflict(_("%(email)s already works for this provider.") % {"email": email}, field="email")
    membership_ensure(user=user, role=Role.PROVIDER_STAFF, actor=actor, request=request)
    staff = ProviderStaff.objects.create(provider=provider, user=user, is_owner=is_owner)
    _record(provider=provider, actor=actor, kind=CatalogueChange.Kind.STAFF, changes={"staff": [None, email]})
    if created and request is not None:
        transaction.on_commit(lambda: send_welcome_email(user, request))
    return staff


@transaction.atomic
def staff_remove(*, staff: ProviderStaff, actor) -> None:
    _require_staff(staff.provider, actor, owner=True)
    if staff.is_owner and not ProviderStaff.objects.filter(provider=staff.provider, is_owner=True).exclude(
            pk=staff.pk).exists():
        raise StaffConflict(_("A provider needs at least one owner: add another owner first."),
                            code="catalogue.last_owner")
    _record(provider=staff.provider, actor=actor, kind=CatalogueChange.Kind.STAFF,
            changes={"staff": [staff.user.email, None]})
    staff.delete()


# ---- services -------------------------------------------------------------------------------------------

def _resolve_service_type(fields: dict) -> None:
    value = fields.get("service_type")
    if value is None or isinstance(value, ServiceType):
        return
    found = ServiceType.objects.filter(code=value).first() if isinstance(value, str) else \
        ServiceType.objects.filter(pk=value).first()
    if found is None:
        raise CatalogueInvalid(_("Choose a service type."), code="catalogue.invalid_service_type",
                               field="service_type")
    fields["service_type"] = found


def _set_locations(service: Service, locations) -> dict:
    wanted = list(locations)
    ids = {getattr(loc, "pk", loc) for loc in wanted}
    own = set(Location.objects.filter(provider_id=service.provider_id, pk__in=ids).values_list("pk", flat=True))
    if own != ids:
        raise CatalogueInvalid(_("Choose locations of this provider."), code="catalogue.invalid_location",
                               field="locations")
    old = set(service.locations.values_list("pk", flat=True)) if service.pk else set()
    if old == ids:
        return {}
    service.locations.set(ids)
    return {"locations": [_as_text(sorted(old)), _as_text(sorted(ids))]}


def _change_kind(changes: dict):
    if PRICE_FIELDS & set(changes):
        return CatalogueChange.Kind.PRICE_CHANGED
    if changes and set(changes) <= CAPACITY_FIELDS:
        return CatalogueChange.Kind.CAPACITY_CHANGED
    return CatalogueChange.Kind.SERVICE_CHANGED


def _check_service(service: Service) -> None:
    if service.unit_price is not None and service.unit_price <= 0:
        raise CatalogueInvalid(_("The price per unit must be more than zero."), code="catalogue.invalid_price",
                               field="unit_price")
    if service.min_age is not None and service.max_age is not None and service.min_age > service.max_age:
        raise CatalogueInvalid(_("The minimum age cannot be above the maximum age."), code="catalogue.age_range",
                               field="max_age")
    if not service.target_groups:
        raise CatalogueInvalid(_("Choose at least one target group."), code="catalogue.required",
                               field="target_groups")
    if not service.delivery_modes:
        raise CatalogueInvalid(_("Choose where the service is delivered."), code="catalogue.required",
                               field="delivery_modes")
    fixed_unit = FIXED_UNITS.get(service.service_type.code) if service.service_type_id else None
    if fixed_unit is not None and service.unit != fixed_unit:
        raise CatalogueInvalid(_("This kind of service is priced per unit “%(unit)s” only: choose it.") % {
            "unit": Unit(fixed_unit).label}, code="catalogue.unit_not_allowed", field="unit")
    _validate(service)


@transaction.atomic
def service_create(*, provider: Provider, actor, locations=(), **fields) -> Service:
    """Add a service offering (its provider's staff only)."""
    _require_staff(provider, actor)
    _resolve_service_type(fields)
    service = Service(provider=provider)
    if "unit" not in fields and fields.get("service_type") is not None:
        fields["unit"] = fields["service_type"].default_unit
    changes = _apply(service, fields, SERVICE_FIELDS)
    _check_service(service)
    service.save()
    changes.update(_set_locations(service, locations))
    _record(provider=provider, service=service, actor=actor, kind=CatalogueChange.Kind.SERVICE_CREATED,
            changes=changes)
    _announce(provider.pk, [service.pk])
    return service


@transaction.atomic
def service_update(*, service: Service, actor, locations=None, request=None, **fields) -> Service:
    """Change a service (price, capacity, description…); the history keeps old → new."""
    _require_staff(service.provider, actor)
    _resolve_service_type(fields)
    service = Service.objects.select_for_update().select_related("provider").get(pk=service.pk)
    changes = _apply(service, fields, SERVICE_FIELDS)
    if changes:
        _check_service(service)
        service.save()
    if locations is not None:
        changes.update(_set_locations(service, locations))
    if not changes:
        return service
    _record(provider=service.provider, service=service, actor=actor, kind=_change_kind(changes), changes=changes)
    if PRICE_FIELDS & set(changes):
        audit(actor=actor, action=AuditEvent.Action.UPDATE, obj=service, changes=changes,
              message="service.price_changed", params={"service": service.pk},
              request=request)
    _announce(service.provider_id, [service.pk])
    return service


@transaction.atomic
def services_capacity_update(*, provider: Provider, actor, changes: dict, request=None) -> int:
    """Change prices, free places and waiting times of several services at once: all or nothing.

    ``changes`` maps service id → {unit_price, free_places, waiting_weeks}. Returns how many changed.
    A refusal names the field as ``<service id>-<field>``.
    """
    _require_staff(provider, actor)
    allowed = {"unit_price", "free_places", "waiting_weeks"}
    own = {s.pk: s for s in provider.services.filter(pk__in=list(changes))}
    if set(changes) - set(own):
        raise CatalogueInvalid(_("Choose services of this provider."), code="catalogue.invalid_service")
    before = CatalogueChange.objects.filter(provider=provider).count()
    for service_id, fields in changes.items():
        fields = {k: v for k, v in fields.items() if k in allowed}
        try:
            service_update(service=own[service_id], actor=actor, request=request, **fields)
        except CatalogueInvalid as error:
            error.field = f"{service_id}-{error.field}"
            raise
    return CatalogueChange.objects.filter(provider=provider).count() - before
