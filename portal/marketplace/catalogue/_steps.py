"""Shared steps of the catalogue's services: apply and diff fields, validate, record the history,
announce changes after commit, check staff rights. Private to ``catalogue.services``."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from portal.tenants.access import has_role
from portal.tenants.models import Municipality
from portal.tenants.roles import Role

from . import signals
from .errors import CatalogueInvalid, NotProviderStaff
from .models import CatalogueChange, Provider, ProviderStaff
from .validators import normalise_code

_CODE_FIELDS = ("social_register_number", "company_number", "iban", "vat_number")

def _as_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if hasattr(value, "pk"):
        return str(getattr(value, "code", value.pk))
    return str(value)


def _apply(instance, fields: dict, allowed) -> dict:
    """Set ``fields`` on ``instance``; return {field: [old, new]} for the ones that changed."""
    unknown = set(fields) - set(allowed)
    if unknown:
        raise CatalogueInvalid(_("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))},
                               code="catalogue.unknown_field", field=sorted(unknown)[0])
    changes = {}
    for name, new in fields.items():
        if name in _CODE_FIELDS and isinstance(new, str):
            new = normalise_code(new)
        elif isinstance(new, str):
            new = new.strip()
        if name == "service_type":
            old = instance.service_type if instance.service_type_id else None
            old_cmp, new_cmp = instance.service_type_id, getattr(new, "pk", new)
        else:
            old = getattr(instance, name)
            old_cmp, new_cmp = old, new
        if name == "unit_price" and new is not None:
            try:
                new_cmp = new = Decimal(str(new)).quantize(Decimal("0.01"))
            except (InvalidOperation, ValueError):
                raise CatalogueInvalid(_("Enter the price as an amount in euros, e.g. 12.50."),
                                       code="catalogue.invalid_price", field="unit_price") from None
        if old_cmp != new_cmp:
            changes[name] = [_as_text(old), _as_text(new)]
        setattr(instance, name, new)
    return changes


def _validate(instance, *, exclude=None) -> None:
    """Model validation (formats, ranges, uniqueness) as one ``CatalogueInvalid`` naming the first field."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        field = next(iter(errors))
        code = "invalid"
        if hasattr(error, "error_dict"):
            first = error.error_dict[field][0]
            code = first.code or "invalid"
        raise CatalogueInvalid(errors[field][0], code=f"catalogue.{code}",
                               field=None if field == "__all__" else field, errors=errors) from None


def _check_municipalities(codes) -> None:
    codes = list(codes or [])
    known = set(Municipality.objects.filter(code__in=codes).values_list("code", flat=True))
    missing = [c for c in codes if c not in known]
    if missing:
        raise CatalogueInvalid(_("No such municipality: %(codes)s") % {"codes": ", ".join(missing)},
                               code="catalogue.unknown_municipality", field="municipalities_served")


def _record(*, provider, actor, kind, changes=None, service=None) -> CatalogueChange:
    is_user = getattr(actor, "is_authenticated", False)
    return CatalogueChange.objects.create(
        provider=provider, service=service, kind=kind, changes=changes or {},
        actor=actor if is_user else None, actor_label=actor.email if is_user else "")


def _announce(provider_id: int, service_ids=()) -> None:
    """After commit: tell listeners (search indexing) what changed."""
    service_ids = list(service_ids)
    transaction.on_commit(lambda: signals.catalogue_changed.send(
        sender=Provider, provider_id=provider_id, service_ids=service_ids))


def _require_staff(provider, actor, *, owner: bool = False) -> ProviderStaff:
    staff = None
    if getattr(actor, "is_authenticated", False) and has_role(actor, Role.PROVIDER_STAFF):
        staff = ProviderStaff.objects.filter(provider=provider, user=actor).first()
    if staff is None or (owner and not staff.is_owner):
        raise NotProviderStaff(_("Only this provider's staff may do this.") if not owner
                               else _("Only the provider's account owners may manage staff."))
    return staff


def _unique_slug(name: str) -> str:
    table = str.maketrans("āčēģīķļņšūžĀČĒĢĪĶĻŅŠŪŽ", "acegiklnsuzACEGIKLNSUZ")
    base = slugify(name.translate(table))[:60].strip("-") or "sniedzejs"
    slug, n = base, 1
    while Provider.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug

