"""Checkpoints: who may see which person, and in what capacity.

The tenant is the connection's schema (a person of another municipality is
simply not there); the role comes from ``portal.tenants.access``. A family
member needs both the role here and a link to the person (own record or a
relation valid today).
"""

from __future__ import annotations

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from portal.tenants.access import current_municipality, roles_for
from portal.tenants.roles import STAFF_ROLES, Role

from .models import Consent, Person, Relation

SELF = "self"
LEGAL_REPRESENTATIVE = "legal_representative"
SUPPORT_PERSON = "support_person"
STAFF = "staff"

# Roles that may change persons, assessments and plans.
WRITER_ROLES = frozenset({Role.SOCIAL_WORKER})


def _held(user) -> frozenset:
    municipality = current_municipality()
    if municipality is None:
        return frozenset()
    return roles_for(user, municipality)


def is_staff_here(user) -> bool:
    return bool(_held(user) & STAFF_ROLES)


def may_write(user) -> bool:
    return bool(_held(user) & WRITER_ROLES)


def _valid_relations(user, kind: str | None = None) -> QuerySet[Relation]:
    today = timezone.localdate()
    qs = Relation.objects.filter(user=user, valid_from__lte=today).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today))
    return qs.filter(kind=kind) if kind else qs


def deciding_persons(user) -> QuerySet[Person]:
    """Persons ``user`` decides for here: their own record (as the person) and those they legally represent
    today. A support person decides for no one (they prepare; the person or representative decides)."""
    held = _held(user)
    condition = Q(pk__in=[])
    if Role.PERSON in held:
        condition |= Q(user=user)
    if Role.LEGAL_REPRESENTATIVE in held:
        condition |= Q(pk__in=_valid_relations(user, Relation.Kind.LEGAL_REPRESENTATIVE).values("person_id"))
    return Person.objects.filter(condition)


def withdrawn_consents(kind: str) -> QuerySet:
    """The ``person_id`` of every person whose latest consent of ``kind`` is withdrawn (a subquery): the
    processing that consent covers stops for them until a new consent is recorded."""
    latest = Consent.objects.filter(person=OuterRef("person_id"), kind=kind).order_by("-given_on", "-pk")
    return Consent.objects.filter(kind=kind, withdrawn_on__isnull=False,
                                  pk=Subquery(latest.values("pk")[:1])).values("person_id")


def _supporting(user) -> QuerySet[Relation]:
    """The user's valid support relations, except to persons who withdrew the consent to share with their
    support person (then the support person sees nothing of them)."""
    return _valid_relations(user, Relation.Kind.SUPPORT_PERSON).exclude(
        person_id__in=withdrawn_consents(Consent.Kind.SHARE_WITH_SUPPORT_PERSON))


def persons_for_user(user, *, section: str | None = None) -> QuerySet[Person]:
    """Every person ``user`` may see in the current municipality (none on the national site).

    With ``section`` (a ``Relation.Section``): only persons whose that part ``user`` may see — a support
    person sees it only where the person allowed it; the person, a legal representative and staff see all.
    """
    held = _held(user)
    if not held:
        return Person.objects.none()
    if held & STAFF_ROLES:
        return Person.objects.all()
    condition = Q(pk__in=[])
    if Role.PERSON in held:
        condition |= Q(user=user)
    if Role.LEGAL_REPRESENTATIVE in held:
        condition |= Q(pk__in=_valid_relations(user, Relation.Kind.LEGAL_REPRESENTATIVE).values("person_id"))
    if Role.SUPPORT_PERSON in held:
        supported = _supporting(user)
        if section is not None:
            supported = supported.filter(may_see__contains=[section])
        condition |= Q(pk__in=supported.values("person_id"))
    return Person.objects.filter(condition)


def person_for_user(user, person_id) -> Person:
    """The person with ``person_id`` if ``user`` may see them here; Http404 otherwise (never leaks existence)."""
    try:
        person_id = int(person_id)
    except (TypeError, ValueError):
        raise Http404 from None
    person = persons_for_user(user).filter(pk=person_id).select_related("social_worker", "user").first()
    if person is None:
        raise Http404
    return person


def acting_capacity(user, person) -> str | None:
    """In what capacity ``user`` acts for ``person`` here: self, legal_representative, support_person,
    staff, or None."""
    held = _held(user)
    if not held:
        return None
    if Role.PERSON in held and person.user_id == user.pk:
        return SELF
    if Role.LEGAL_REPRESENTATIVE in held and _valid_relations(user, Relation.Kind.LEGAL_REPRESENTATIVE).filter(
            person=person).exists():
        return LEGAL_REPRESENTATIVE
    if Role.SUPPORT_PERSON in held and _supporting(user).filter(person=person).exists():
        return SUPPORT_PERSON
    if held & STAFF_ROLES:
        return STAFF
    return None


def visible_sections(user, person, capacity: str | None = None) -> frozenset[str]:
    """The sections of the person's record ``user`` may see. A support person sees only what the
    person allowed; everyone else with a capacity sees all."""
    capacity = capacity or acting_capacity(user, person)
    if capacity is None:
        return frozenset()
    if capacity != SUPPORT_PERSON:
        return frozenset(Relation.Section.values)
    allowed: set[str] = set()
    for may_see in _supporting(user).filter(person=person).values_list(
            "may_see", flat=True):
        allowed.update(may_see)
    return frozenset(allowed)


def may_decide_for(user, person) -> bool:
    """May ``user`` agree to the person's plan? The person or the legal representative; a support person
    never decides in the person's place."""
    return acting_capacity(user, person) in (SELF, LEGAL_REPRESENTATIVE)
