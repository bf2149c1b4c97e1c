"""Reads for agreements: lists, filters and the "what this costs from my budget" panel."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from portal.budgets.people.access import person_for_user
from portal.budgets.people.models import Goal
from portal.marketplace.approvals.selectors import approved_services

from portal.budgets.people.access import acting_capacity, persons_for_user
from portal.tenants.access import current_municipality, roles_for

from . import access
from .errors import ServiceNotAvailable
from .models import Agreement, AgreementStatus, MunicipalRules
from .pricing import quote

LIST_RELATED = ("person", "service", "provider", "category")


def agreements_for_provider(provider):
    """Every agreement with ``provider`` in the current municipality."""
    return Agreement.objects.filter(provider=provider).select_related(*LIST_RELATED)


def agreements_filtered(queryset, *, status: str = "", query: str = "", person_id=None):
    """Narrow a list by status, free text (person, service, provider) and person."""
    if status in AgreementStatus.values:
        queryset = queryset.filter(status=status)
    elif status == "open":
        queryset = queryset.filter(status__in=[s.value for s in (
            AgreementStatus.DRAFT, AgreementStatus.AWAITING_PERSON, AgreementStatus.AWAITING_PROVIDER,
            AgreementStatus.AWAITING_MUNICIPALITY)])
    query = (query or "").strip()
    if query:
        condition = (Q(person__first_name__icontains=query) | Q(person__last_name__icontains=query)
                     | Q(service__title_lv__icontains=query) | Q(service__title_en__icontains=query)
                     | Q(provider__name__icontains=query))
        if query.isdigit():
            condition |= Q(pk=int(query))
        queryset = queryset.filter(condition)
    if person_id:
        queryset = queryset.filter(person_id=person_id)
    return queryset.select_related(*LIST_RELATED).order_by("-created_at", "-id")


def agreements_awaiting_approval():
    return (Agreement.objects.filter(status=AgreementStatus.AWAITING_MUNICIPALITY)
            .select_related(*LIST_RELATED).order_by("provider_decided_at", "id"))


def agreement_events(agreement, *, user):
    """The agreement's history as ``user`` may see it (see ``access.events_shown_to``)."""
    return access.events_shown_to(user, agreement)


def municipal_rules() -> MunicipalRules:
    return MunicipalRules.current()


def persons_user_can_choose_for(user):
    """Persons for whom ``user`` may start an agreement here (self, represented, supported)."""
    if not getattr(user, "is_authenticated", False) or access.is_staff_here(user):
        return []
    if not roles_for(user, current_municipality()):
        return []
    result = []
    for person in persons_for_user(user):
        capacity = acting_capacity(user, person)
        if capacity in access.FAMILY_CAPACITIES:
            result.append((person, capacity))
    return result


def start_choice(user, *, person_id, service_id) -> tuple:
    """The person ``user`` may act for and the service approved here, for starting or quoting an agreement.

    Http404 for a person ``user`` may not see (never reveal they exist); ServiceNotAvailable for a service
    that is not approved here.
    """
    person = person_for_user(user, person_id)
    service = approved_services().select_related("service_type").filter(pk=service_id).first()
    if service is None:
        raise ServiceNotAvailable(_("This service is not approved in this municipality."), field="service")
    return person, service


def goal_of(person, goal_id):
    """The goal ``goal_id`` of one of ``person``'s support plans, or None."""
    return Goal.objects.filter(pk=goal_id, plan__person=person).first()


def service_budget_panel(user, service) -> list[dict]:
    """For each person ``user`` may choose for: the quote of this service against their budget."""
    rows = []
    for person, capacity in persons_user_can_choose_for(user):
        q = quote(person=person, service=service, units_per_week=1)
        rows.append({"person": person, "capacity": capacity, "quote": q})
    return rows
