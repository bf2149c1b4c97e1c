"""Checkpoint for budgets: role and tenant in one place.

Staff of the municipality (social worker, administrator, finance officer) see
every budget in it; the person, a legal representative and a support person
(only if the person allowed them to see the budget) see the budgets of the
persons they act for. Anyone else — and anyone on another municipality's
host, where the budget simply is not in the schema — gets 404. A staff
member's read of a budget is audited here, so every face that reads one
(page and API) records it.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from portal.platform.core.models import AuditEvent, audit
from portal.budgets.people.access import persons_for_user
from portal.budgets.people.models import Relation
from portal.tenants.access import current_municipality, roles_for
from portal.tenants.roles import STAFF_ROLES, Role

from .models import Budget

FINANCE_VIEW_ROLES = STAFF_ROLES


def is_budget_staff(user) -> bool:
    municipality = current_municipality()
    return municipality is not None and bool(roles_for(user, municipality) & STAFF_ROLES)


def persons_with_budget_access(user) -> QuerySet:
    """Persons whose budgets ``user`` may see here."""
    persons = persons_for_user(user)
    if is_budget_staff(user):
        return persons
    held = roles_for(user, current_municipality())
    # A support person sees a budget only where the person allowed it; other family capacities see all.
    allowed = Q(user=user) if Role.PERSON in held else Q(pk__in=[])
    if Role.LEGAL_REPRESENTATIVE in held:
        allowed |= Q(relations__user=user, relations__kind=Relation.Kind.LEGAL_REPRESENTATIVE)
    if Role.SUPPORT_PERSON in held:
        allowed |= Q(relations__user=user, relations__kind=Relation.Kind.SUPPORT_PERSON,
                     relations__may_see__contains=[Relation.Section.BUDGET])
    return persons.filter(allowed).distinct()


def budgets_for_user(user) -> QuerySet[Budget]:
    if current_municipality() is None:
        return Budget.objects.none()
    if is_budget_staff(user):
        return Budget.objects.all()
    return Budget.objects.filter(person__in=persons_with_budget_access(user).values("pk"))


def budget_for_user(user, budget_id, *, request=None) -> Budget:
    """The budget with ``budget_id`` if ``user`` may see it on this host; Http404 otherwise.

    When staff read it, an audit row records who saw whose budget (the family reading its own is not audited).
    """
    try:
        budget_id = int(budget_id)
    except (TypeError, ValueError):
        raise Http404 from None
    budget = budgets_for_user(user).filter(pk=budget_id).select_related("person", "plan").first()
    if budget is None:
        raise Http404
    if is_budget_staff(user):
        audit(actor=user, action=AuditEvent.Action.VIEW, obj=budget, request=request,
              message="budget.viewed", params={"person_id": budget.person_id})
    return budget
