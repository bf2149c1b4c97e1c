"""Writes for persons, relations and consents; every change (and, through ``person_viewed``, every read)
of a person's data is written to the municipality's audit log.

Plans and assessments live in ``plans.py`` and ``assessments.py``; their services are re-exported here so
callers have one place to look (``people.services.plan_approve``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.platform.core.models import AuditEvent, audit
from portal.tenants.access import current_municipality, roles_for
from portal.tenants.roles import Role

from . import access
from . import personal_code as pc
from .errors import ConsentInvalid, DuplicatePersonalCode, InvalidPersonalCode, NotAllowed, PersonInvalid, \
    RelationInvalid
from .common import audit_person, person_viewed, require_writer  # noqa: F401  person_viewed re-exported
from .eligibility import ELIGIBLE_ADULT_GROUPS, check_adult_group
from .models import Consent, DisabilityGroup, Person, Relation, TargetGroup

# Special-category data: the audit log records that these changed, never their values.
SENSITIVE_FIELDS = frozenset({
    "disability_group", "disability_decision_number", "disability_decided_on", "disability_valid_from",
    "disability_valid_until", "left_institution", "left_institution_on",
})
PERSON_FIELDS = (
    "first_name", "last_name", "personal_code", "birth_date", "target_group", "disability_group",
    "disability_decision_number", "disability_decided_on", "disability_valid_from", "disability_valid_until",
    "left_institution", "left_institution_on", "address", "latitude", "longitude", "phone", "email", "preferred_language", "user", "social_worker",
)


def persons_listed(*, actor, query: str, count: int, request=None) -> AuditEvent:
    return audit(actor=actor, action=AuditEvent.Action.VIEW, object_type="people.person",
                 message="person.list_searched",
                 params={"query": query[:80], "n": count}, request=request)


def _display(value):
    if isinstance(value, (dt.date, Decimal)):
        return str(value)
    if hasattr(value, "pk"):
        return value.pk
    return value


def _age_on(birth_date: dt.date, day: dt.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def _validate_person(data: dict, *, existing: Person | None = None) -> dict:
    """Check and normalise person fields; raise the first problem with its field."""
    cleaned = dict(data)
    for name in ("first_name", "last_name"):
        cleaned[name] = (cleaned.get(name) or "").strip()
        if not cleaned[name]:
            raise PersonInvalid(_("Enter the first name.") if name == "first_name" else _("Enter the last name."),
                                field=name)
    try:
        cleaned["personal_code"] = pc.normalise(cleaned.get("personal_code") or "")
    except pc.InvalidPersonalCode:
        raise InvalidPersonalCode(
            _("Enter a valid personal code, like 010190-12349 or 321234-56785."), field="personal_code") from None
    duplicates = Person.objects.filter(personal_code=cleaned["personal_code"])
    if existing is not None:
        duplicates = duplicates.exclude(pk=existing.pk)
    if duplicates.exists():
        raise DuplicatePersonalCode(_("A person with this personal code is already registered."),
                                    field="personal_code")
    birth_date = cleaned.get("birth_date")
    if not isinstance(birth_date, dt.date):
        raise PersonInvalid(_("Enter the date of birth."), field="birth_date")
    encoded = pc.birth_date_of(cleaned["personal_code"])
    if encoded is not None and encoded != birth_date:
        raise PersonInvalid(_("The date of birth does not match the personal code."), field="birth_date")
    if birth_date > timezone.localdate():
        raise PersonInvalid(_("The date of birth cannot be in the future."), field="birth_date")
    target_group = cleaned.get("target_group")
    if target_group not in TargetGroup.values:
        raise PersonInvalid(_("Choose the target group."), field="target_group")
    age = _age_on(birth_date, timezone.localdate())
    if existing is None and target_group == TargetGroup.CHILDREN and age >= 18:
        raise PersonInvalid(_("A person of 18 or older belongs to the adults' group."), field="target_group")
    if target_group == TargetGroup.ADULTS and age < 18:
        raise PersonInvalid(_("A person under 18 belongs to the children's group."), field="target_group")
    group = cleaned.get("disability_group")
    if target_group == TargetGroup.CHILDREN and group != DisabilityGroup.CHILD:
        raise PersonInvalid(_("For a child choose “Disability of a child”."), field="disability_group")
    check_adult_group(target_group, group)
    if target_group == TargetGroup.ADULTS and group not in ELIGIBLE_ADULT_GROUPS:
        raise PersonInvalid(_("For an adult choose disability group I or II."), field="disability_group")
    valid_from, valid_until = cleaned.get("disability_valid_from"), cleaned.get("disability_valid_until")
    if valid_from and valid_until and valid_until < valid_from:
        raise PersonInvalid(_("The disability end date must be after its start date."),
                            field="disability_valid_until")
    _validate_institution(cleaned, target_group=target_group, birth_date=birth_date)
    lat, lon = cleaned.get("latitude"), cleaned.get("longitude")
    if (lat is None) != (lon is None):
        raise PersonInvalid(_("Enter both latitude and longitude, or neither."), field="latitude")
    if lat is not None and not (Decimal(-90) <= Decimal(lat) <= Decimal(90)):
        raise PersonInvalid(_("Latitude must be between -90 and 90."), field="latitude")
    if lon is not None and not (Decimal(-180) <= Decimal(lon) <= Decimal(180)):
        raise PersonInvalid(_("Longitude must be between -180 and 180."), field="longitude")
    worker = cleaned.get("social_worker")
    if worker is not None and Role.SOCIAL_WORKER not in roles_for(worker, current_municipality()):
        raise PersonInvalid(_("Choose a social worker of this municipality."), field="social_worker")
    return cleaned


def _validate_institution(cleaned: dict, *, target_group: str, birth_date: dt.date) -> None:
    """Whether (and when) an adult left an institution: adults only, a date needs the tick, never ahead."""
    left = cleaned.get("left_institution") or False
    if not isinstance(left, bool):
        raise PersonInvalid(_("Say whether the person left an institution."), field="left_institution")
    cleaned["left_institution"] = left
    left_on = cleaned.get("left_institution_on")
    if left and target_group != TargetGroup.ADULTS:
        raise PersonInvalid(_("Leaving an institution is recorded for adults."), field="left_institution")
    if left_on is None:
        return
    if not left:
        raise PersonInvalid(_("Give the date only if the person left an institution."), field="left_institution")
    if not isinstance(left_on, dt.date) or left_on > timezone.localdate():
        raise PersonInvalid(_("The date of leaving the institution cannot be in the future."),
                            field="left_institution_on")
    if left_on < birth_date:
        raise PersonInvalid(_("The date of leaving the institution cannot be before the date of birth."),
                            field="left_institution_on")


def person_create(*, actor, request=None, **data) -> Person:
    """Register a person. Only a social worker may."""
    require_writer(actor)
    unknown = set(data) - set(PERSON_FIELDS)
    if unknown:
        raise PersonInvalid(_("Unknown field."), field=sorted(unknown)[0])
    cleaned = _validate_person(data)
    with transaction.atomic():
        person = Person(**cleaned)
        try:
            with transaction.atomic():
                person.save()
        except IntegrityError:
            raise DuplicatePersonalCode(_("A person with this personal code is already registered."),
                                        field="personal_code") from None
        audit_person(actor=actor, action=AuditEvent.Action.CREATE, person=person, message="person.registered",
                     changes={"fields": sorted(k for k, v in cleaned.items() if v not in (None, ""))},
                     request=request)
    return person


def person_update(*, person: Person, actor, request=None, **changes) -> Person:
    """Change a person's data; the audit row keeps old and new values (only "changed" for disability data)."""
    require_writer(actor)
    unknown = set(changes) - set(PERSON_FIELDS)
    if unknown:
        raise PersonInvalid(_("Unknown field."), field=sorted(unknown)[0])
    current = {name: getattr(person, name) for name in PERSON_FIELDS}
    cleaned = _validate_person({**current, **changes}, existing=person)
    diff = {name: cleaned[name] for name in PERSON_FIELDS if cleaned[name] != current[name]}
    if not diff:
        return person
    with transaction.atomic():
        for name, value in diff.items():
            setattr(person, name, value)
        person.save(update_fields=[*diff, "modified_at"])
        logged = {name: ("changed" if name in SENSITIVE_FIELDS else [_display(current[name]), _display(value)])
                  for name, value in diff.items()}
        audit_person(actor=actor, action=AuditEvent.Action.UPDATE, person=person,
                     message="person.changed", params={"fields": sorted(diff)}, changes=logged,
                     request=request)
    return person


# Relations ---------------------------------------------------------------------------------------

_BASES = {
    Relation.Kind.LEGAL_REPRESENTATIVE: {Relation.Basis.PARENT, Relation.Basis.GUARDIAN,
                                         Relation.Basis.FOSTER_FAMILY},
    Relation.Kind.SUPPORT_PERSON: {Relation.Basis.SUPPORT_AGREEMENT},
}
_KIND_ROLE = {Relation.Kind.LEGAL_REPRESENTATIVE: Role.LEGAL_REPRESENTATIVE,
              Relation.Kind.SUPPORT_PERSON: Role.SUPPORT_PERSON}


def relation_add(*, person: Person, user, kind: str, basis: str, valid_from: dt.date,
                 valid_until: dt.date | None = None, may_see=(), actor, request=None) -> Relation:
    """Link a legal representative (of a child) or a support person (of an adult) to the person."""
    require_writer(actor)
    if kind not in Relation.Kind.values:
        raise RelationInvalid(_("Choose the kind of relation."), field="kind")
    if basis not in _BASES[kind]:
        raise RelationInvalid(_("This basis does not fit this kind of relation."), field="basis")
    if kind == Relation.Kind.LEGAL_REPRESENTATIVE and person.target_group != TargetGroup.CHILDREN:
        raise RelationInvalid(_("Here a legal representative acts for a child; an adult decides, with a "
                                "support person if they wish."), field="kind")
    if kind == Relation.Kind.SUPPORT_PERSON and person.target_group != TargetGroup.ADULTS:
        raise RelationInvalid(_("A support person for decision-making supports an adult."), field="kind")
    if user is None:
        raise RelationInvalid(_("Choose the user."), field="user")
    if person.user_id == user.pk:
        raise RelationInvalid(_("A person cannot be related to themselves."), field="user")
    if _KIND_ROLE[kind] not in roles_for(user, current_municipality()):
        raise RelationInvalid(_("This user does not hold that role in this municipality."), field="user")
    if valid_until is not None and valid_until < valid_from:
        raise RelationInvalid(_("The end date must be after the start date."), field="valid_until")
    may_see = sorted(set(may_see))
    if any(section not in Relation.Section.values for section in may_see):
        raise RelationInvalid(_("Unknown section."), field="may_see")
    if kind == Relation.Kind.LEGAL_REPRESENTATIVE:
        may_see = []  # acts for the child: sees everything
    if Relation.objects.filter(person=person, user=user, kind=kind).exists():
        raise RelationInvalid(_("This relation is already recorded."), field="user")
    with transaction.atomic():
        relation = Relation.objects.create(person=person, user=user, kind=kind, basis=basis, may_see=may_see,
                                           valid_from=valid_from, valid_until=valid_until, created_by=actor)
        audit_person(actor=actor, action=AuditEvent.Action.CREATE, person=person, obj=relation,
                     message="person.relation_added", params={"kind": str(kind), "email": user.email},
                     changes={"kind": kind, "basis": basis, "may_see": may_see}, request=request)
    return relation


def relation_set_visibility(*, relation: Relation, may_see, actor, request=None) -> Relation:
    """Record what the person allowed their support person to see. The person themselves may set it; a
    social worker may record it for them."""
    person = relation.person
    capacity = access.acting_capacity(actor, person)
    if not (capacity == access.SELF or access.may_write(actor)):
        raise NotAllowed(_("Only the person (or their social worker recording their wish) may change this."))
    if relation.kind != Relation.Kind.SUPPORT_PERSON:
        raise RelationInvalid(_("Only a support person's view is limited."), field="may_see")
    may_see = sorted(set(may_see))
    if any(section not in Relation.Section.values for section in may_see):
        raise RelationInvalid(_("Unknown section."), field="may_see")
    old = list(relation.may_see)
    if old == may_see:
        return relation
    with transaction.atomic():
        relation.may_see = may_see
        relation.save(update_fields=["may_see"])
        audit_person(actor=actor, action=AuditEvent.Action.UPDATE, person=person, obj=relation,
                     message="person.relation_view_changed", changes={"may_see": [old, may_see]}, request=request)
    return relation


def relation_end(*, relation: Relation, on: dt.date, actor, request=None) -> Relation:
    require_writer(actor)
    if on < relation.valid_from:
        raise RelationInvalid(_("The end date must be after the start date."), field="valid_until")
    with transaction.atomic():
        old = relation.valid_until
        relation.valid_until = on
        relation.save(update_fields=["valid_until"])
        audit_person(actor=actor, action=AuditEvent.Action.UPDATE, person=relation.person, obj=relation,
                     message="person.relation_ended", changes={"valid_until": [_display(old), str(on)]},
                     request=request)
    return relation


# Consents ----------------------------------------------------------------------------------------

def consent_record(*, person: Person, kind: str, given_on: dt.date, given_by_name: str = "",
                   given_by_capacity: str = access.SELF, actor, request=None) -> Consent:
    """Record a consent the person (or the legal representative of a child) gave on ``given_on``."""
    capacity = access.acting_capacity(actor, person)
    if not (access.may_write(actor) or capacity in (access.SELF, access.LEGAL_REPRESENTATIVE)):
        raise NotAllowed(_("Only the person, their legal representative or a social worker may record this."))
    if kind not in Consent.Kind.values:
        raise ConsentInvalid(_("Choose the consent."), field="kind")
    if not isinstance(given_on, dt.date) or given_on > timezone.localdate():
        raise ConsentInvalid(_("Enter the date the consent was given; it cannot be in the future."),
                             field="given_on")
    if given_by_capacity not in (access.SELF, access.LEGAL_REPRESENTATIVE):
        raise ConsentInvalid(_("A consent is given by the person or their legal representative."),
                             field="given_by_capacity")
    if person.is_child and given_by_capacity != access.LEGAL_REPRESENTATIVE:
        raise ConsentInvalid(_("For a child the legal representative gives consent."), field="given_by_capacity")
    if capacity in (access.SELF, access.LEGAL_REPRESENTATIVE):
        given_by_capacity = capacity
        given_by_name = actor.full_name
    given_by_name = (given_by_name or "").strip()
    if not given_by_name:
        raise ConsentInvalid(_("Enter who gave the consent."), field="given_by_name")
    with transaction.atomic():
        consent = Consent.objects.create(person=person, kind=kind, given_on=given_on, given_by_name=given_by_name,
                                         given_by_capacity=given_by_capacity, recorded_by=actor)
        audit_person(actor=actor, action=AuditEvent.Action.CREATE, person=person, obj=consent,
                     message="person.consent_recorded", params={"kind": str(kind)},
                     changes={"given_on": str(given_on)}, request=request)
    return consent


def consent_withdraw(*, consent: Consent, on: dt.date, actor, request=None) -> Consent:
    person = consent.person
    capacity = access.acting_capacity(actor, person)
    if not (access.may_write(actor) or capacity in (access.SELF, access.LEGAL_REPRESENTATIVE)):
        raise NotAllowed(_("Only the person, their legal representative or a social worker may record this."))
    if consent.withdrawn_on is not None:
        raise ConsentInvalid(_("This consent is already withdrawn."), field="withdrawn_on")
    if on < consent.given_on:
        raise ConsentInvalid(_("A consent cannot be withdrawn before it was given."), field="withdrawn_on")
    with transaction.atomic():
        consent.withdrawn_on = on
        consent.save(update_fields=["withdrawn_on"])
        audit_person(actor=actor, action=AuditEvent.Action.UPDATE, person=person, obj=consent,
                     message="person.consent_withdrawn", params={"kind": consent.kind},
                     changes={"withdrawn_on": str(on)}, request=request)
    return consent


from .assessments import assessment_create, document_attach  # noqa: E402,F401  re-exported
from .plans import plan_agree, plan_approve, plan_create, plan_new_version, plan_review, plan_update  # noqa: E402,F401
