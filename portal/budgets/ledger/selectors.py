"""Reads of budgets, balances and the ledger."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DateTimeField, ExpressionWrapper, F, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from portal.budgets.people.models import SupportPlan
from portal.platform.core.money import ZERO

from .models import Budget, BudgetCategory, BudgetMethodology, LedgerEntry


def current_budget(person) -> Budget | None:
    """The person's open budget whose period covers today, else the latest open one, else None."""
    today = timezone.localdate()
    budgets = Budget.objects.filter(person=person, status=Budget.Status.OPEN)
    return (budgets.filter(period_start__lte=today, period_end__gte=today).order_by("-period_start", "-pk").first()
            or budgets.order_by("-period_start", "-pk").first())


def categories_of(budget: Budget) -> list[BudgetCategory]:
    return list(BudgetCategory.objects.filter(budget=budget).prefetch_related("service_types").order_by("pk"))


def category_for(budget: Budget, service_type) -> BudgetCategory | None:
    """The category that pays for ``service_type`` (object or code): a goal's category that lists it,
    else the category not tied to any service type, else None."""
    code = getattr(service_type, "code", service_type)
    categories = BudgetCategory.objects.filter(budget=budget).order_by("pk")
    listed = categories.filter(service_types__code=code).first()
    if listed is not None:
        return listed
    return categories.filter(service_types__isnull=True).first()


@dataclass(frozen=True)
class BalanceRow:
    category: BudgetCategory
    granted: Decimal
    reserved: Decimal
    spent: Decimal
    returned: Decimal
    available: Decimal
    until: dt.date

    @property
    def used_percent(self) -> int:
        if not self.granted:
            return 0
        return int(min(Decimal(100), (self.reserved + self.spent) * 100 / self.granted))


def balances(budget: Budget, categories: list[BudgetCategory] | None = None) -> list[BalanceRow]:
    """One row per category: granted, reserved, spent, returned, available and the date it is available until."""
    categories = categories if categories is not None else categories_of(budget)
    return [BalanceRow(category=c, granted=c.granted, reserved=c.reserved, spent=c.spent, returned=c.returned,
                       available=c.available, until=budget.period_end) for c in categories]


def totals(rows: list[BalanceRow]) -> dict[str, Decimal]:
    return {name: sum((getattr(r, name) for r in rows), ZERO)
            for name in ("granted", "reserved", "spent", "returned", "available")}


def available_by_service_type(person) -> dict[str, Decimal]:
    """{service type code: money available for it now} from the person's current budget.

    A category without service types pays for any type; it is counted under
    the key ``"*"`` and added to the types no goal lists.
    """
    budget = current_budget(person)
    if budget is None:
        return {}
    result: dict[str, Decimal] = {}
    for category in categories_of(budget):
        codes = [t.code for t in category.service_types.all()] or ["*"]
        for code in codes:
            result[code] = result.get(code, ZERO) + category.available
    return result


def budgets_for_persons(persons: QuerySet) -> QuerySet[Budget]:
    return (Budget.objects.filter(person__in=persons).select_related("person")
            .prefetch_related(Prefetch("categories", queryset=BudgetCategory.objects.order_by("pk"))))


def budget_list(*, query: str = "", status: str = "") -> QuerySet[Budget]:
    """Budgets of the municipality for staff, newest period first, with person and categories."""
    budgets = Budget.objects.select_related("person").prefetch_related(
        Prefetch("categories", queryset=BudgetCategory.objects.order_by("pk")))
    if query:
        for word in query.split()[:4]:
            budgets = budgets.filter(Q(person__first_name__icontains=word) | Q(person__last_name__icontains=word)
                                     | Q(person__personal_code__startswith=word))
    if status in Budget.Status.values:
        budgets = budgets.filter(status=status)
    return budgets.order_by("person__last_name", "person__first_name", "-period_start", "pk")


def ledger_entries(budget: Budget, *, kind: str = "", category_id=None, kinds=None) -> QuerySet[LedgerEntry]:
    entries = LedgerEntry.objects.filter(budget=budget).select_related("category")
    if kinds:
        entries = entries.filter(kind__in=kinds)
    if kind in LedgerEntry.Kind.values:
        entries = entries.filter(kind=kind)
    if category_id:
        entries = entries.filter(category_id=category_id)
    return entries.order_by("-created_at", "-pk")


def plans_review_due(*, today: dt.date, social_worker=None) -> QuerySet:
    """Plans whose review is due: the period ended ("review due"), or an approved plan whose period ends
    within the municipality's reminder weeks (``BudgetMethodology.review_reminder_weeks``, default 4).
    Soonest end first; only one social worker's persons when ``social_worker`` is given. One query."""
    weeks = Coalesce(Subquery(BudgetMethodology.objects.order_by("pk").values("review_reminder_weeks")[:1]),
                     Value(BudgetMethodology._meta.get_field("review_reminder_weeks").default))
    remind_from = ExpressionWrapper(F("period_end") - weeks * Value(dt.timedelta(weeks=1)),
                                    output_field=DateTimeField())
    plans = SupportPlan.objects.annotate(remind_from=remind_from).filter(
        Q(status=SupportPlan.Status.REVIEW_DUE)
        | Q(status=SupportPlan.Status.APPROVED, reviewed_at__isnull=True, remind_from__lte=Value(today)))
    if social_worker is not None:
        plans = plans.filter(person__social_worker=social_worker)
    return plans.select_related("person").order_by("period_end", "pk")
