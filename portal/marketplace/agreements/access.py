"""Checkpoints: which agreements a user may see and in what capacity they act on one.

Tenancy comes from the schema (an agreement of another municipality does not exist here);
the role comes from this module. One condition per line.
"""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from portal.budgets.people.access import acting_capacity, persons_for_user
from portal.budgets.people.models import Relation
from portal.marketplace.catalogue.selectors import providers_for_user
from portal.tenants.access import current_municipality, national_roles, roles_for
from portal.tenants.roles import STAFF_ROLES, Role

from .models import Agreement

# Capacities a user can hold towards an agreement.
SELF = "self"
LEGAL_REPRESENTATIVE = "legal_representative"
SUPPORT_PERSON = "support_person"
STAFF = "staff"
PROVIDER = "provider"
FAMILY = "family"  # a family step as its provider sees it: not who, nor in what capacity
FAMILY_CAPACITIES = (SELF, LEGAL_REPRESENTATIVE, SUPPORT_PERSON)
DECIDING_CAPACITIES = (SELF, LEGAL_REPRESENTATIVE)

_PROVIDER_IDS_ATTR = "_agreements_provider_ids"


def is_staff_here(user) -> bool:
    return bool(roles_for(user, current_municipality()) & STAFF_ROLES)


def provider_ids_for(user) -> list[int]:
    """Providers this user works for — only when they hold the provider-staff role. Cached per request."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, _PROVIDER_IDS_ATTR, None)
    if cached is not None:
        return cached
    ids: list[int] = []
    if Role.PROVIDER_STAFF in national_roles(user):
        ids = list(providers_for_user(user).values_list("pk", flat=True))
    setattr(user, _PROVIDER_IDS_ATTR, ids)
    return ids


def is_provider_staff(user) -> bool:
    return bool(provider_ids_for(user))


def agreements_for_user(user):
    """Every agreement ``user`` may see here: staff all; provider staff their providers'; family their persons'."""
    queryset = Agreement.objects.all()
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    if is_staff_here(user):
        return queryset
    provider_ids = provider_ids_for(user)
    if provider_ids:
        return sent_to_providers(provider_ids)
    if roles_for(user, current_municipality()):
        queryset = queryset.filter(person__in=persons_for_user(user))
        hidden = _supported_without_agreements(user)
        if hidden:
            # A support person sees a person's agreements only if the person allowed it — except the drafts
            # they prepared themselves.
            queryset = queryset.exclude(Q(person_id__in=hidden) & ~Q(prepared_by=user))
        return queryset
    return queryset.none()


def sent_to_providers(provider_ids):
    """The agreements of these providers that were sent to them: all a provider may ever see.

    Need to know: a provider sees a request from the moment it is sent to them, never a draft or one the
    person has not yet decided. Every provider-side face (agreements, sessions, the work pages) reads here.
    """
    return Agreement.objects.filter(provider_id__in=list(provider_ids), sent_at__isnull=False)


def _supported_without_agreements(user) -> list[int]:
    """Persons ``user`` supports (only as support person) who did not allow them to see agreements."""
    if Role.SUPPORT_PERSON not in roles_for(user, current_municipality()):
        return []
    today = timezone.localdate()
    valid = Q(valid_from__lte=today) & (Q(valid_until__isnull=True) | Q(valid_until__gte=today))
    relations = Relation.objects.filter(valid, user=user)
    allowed = set(relations.filter(kind=Relation.Kind.SUPPORT_PERSON, may_see__contains=["agreements"])
                  .values_list("person_id", flat=True))
    deciding = set(relations.filter(kind=Relation.Kind.LEGAL_REPRESENTATIVE).values_list("person_id", flat=True))
    supported = set(relations.filter(kind=Relation.Kind.SUPPORT_PERSON).values_list("person_id", flat=True))
    return sorted(supported - allowed - deciding)


def agreement_for_user(user, agreement_id) -> Agreement:
    """The agreement with this id if ``user`` may see it here; otherwise Http404 (never reveal it exists)."""
    try:
        agreement_id = int(agreement_id)
    except (TypeError, ValueError):
        raise Http404 from None
    agreement = (agreements_for_user(user).select_related("person", "service", "service__service_type", "provider",
                                                          "goal", "category", "prepared_by", "decided_by")
                 .filter(pk=agreement_id).first())
    if agreement is None:
        raise Http404
    return shown_to(user, agreement)


def shown_to(user, agreement) -> Agreement:
    """``agreement`` as ``user`` may see it: for its provider, without who prepared and decided it and how.

    Clears those fields on this in-memory copy only (services lock and re-read the row before any write).
    """
    if not sees_family_details(user, agreement):
        agreement.prepared_by = None
        agreement.decided_by = None
        agreement.decided_as = ""
    return agreement


def events_shown_to(user, agreement) -> list:
    """The agreement's history as ``user`` may see it.

    Its provider sees it from the sending on, and family steps without who took them or in what capacity.
    """
    events = list(agreement.events.select_related("actor").order_by("at", "id"))
    if sees_family_details(user, agreement):
        return events
    shown = [e for e in events if agreement.sent_at is not None and e.at >= agreement.sent_at]
    for event in shown:
        if event.capacity in FAMILY_CAPACITIES:
            event.actor = None
            event.capacity = FAMILY
    return shown


def capacity_for(user, agreement) -> str | None:
    """How ``user`` acts towards ``agreement``: self / legal_representative / support_person / provider / staff."""
    if not getattr(user, "is_authenticated", False):
        return None
    if agreement.provider_id in provider_ids_for(user):
        return PROVIDER
    if is_staff_here(user):
        return STAFF
    return family_capacity(user, agreement.person)


def sees_family_details(user, agreement) -> bool:
    """Whether ``user`` may see who prepared and who decided ``agreement`` and in what capacity.

    A provider sees only what delivering the service needs: not the support person or the legal
    representative (their role reveals a decision-making disability). Staff and the family see all.
    """
    if is_staff_here(user):
        return True
    return agreement.provider_id not in provider_ids_for(user)


def family_capacity(user, person) -> str | None:
    """self / legal_representative / support_person, or None."""
    if not roles_for(user, current_municipality()):
        return None
    capacity = acting_capacity(user, person)
    return capacity if capacity in FAMILY_CAPACITIES else None
