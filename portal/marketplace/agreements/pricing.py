"""What an agreement would cost, before anything is written: the quote the person sees.

Pure reads: the budget category the service draws on, the municipality's price cap and what is left
after the agreement. ``services`` validates with the same numbers, so the page and the rule agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from portal.budgets.ledger.selectors import category_for, current_budget
from portal.marketplace.approvals.selectors import price_cap_for
from portal.platform.core.money import ZERO, to_money

MAX_UNITS = Decimal("5000")


@dataclass
class Quote:
    person: object
    service: object
    budget: object | None
    category: object | None
    unit: str
    unit_price: Decimal
    cap_amount: Decimal | None
    over_cap_rule: str | None
    over_cap_per_unit: Decimal
    copayment_per_unit: Decimal
    units_per_week: Decimal | None
    total_units: Decimal
    period_start: dt.date | None
    period_end: dt.date | None
    available: Decimal = ZERO
    problems: list = field(default_factory=list)

    @property
    def budget_unit_price(self) -> Decimal:
        return self.unit_price - self.copayment_per_unit

    @property
    def total_amount(self) -> Decimal:
        return to_money(self.budget_unit_price * self.total_units)

    @property
    def copayment_total(self) -> Decimal:
        return to_money(self.copayment_per_unit * self.total_units)

    @property
    def gross_amount(self) -> Decimal:
        return to_money(self.unit_price * self.total_units)

    @property
    def available_after(self) -> Decimal:
        return self.available - self.total_amount

    @property
    def fits(self) -> bool:
        return self.category is not None and self.available_after >= 0

    @property
    def units_left_after(self) -> Decimal:
        """How many more units of this service the rest of the category would buy."""
        if self.budget_unit_price <= 0 or self.available_after <= 0:
            return ZERO
        return (self.available_after / self.budget_unit_price).quantize(Decimal("1"), rounding="ROUND_FLOOR")

    @property
    def units_affordable(self) -> Decimal:
        if self.budget_unit_price <= 0 or self.available <= 0:
            return ZERO
        return (self.available / self.budget_unit_price).quantize(Decimal("1"), rounding="ROUND_FLOOR")

    @property
    def over_cap(self) -> bool:
        return self.over_cap_per_unit > 0

    @property
    def refused_over_cap(self) -> bool:
        return self.over_cap and self.over_cap_rule == "refuse"


def weeks_in(period_start: dt.date, period_end: dt.date) -> Decimal:
    return Decimal((period_end - period_start).days + 1) / Decimal(7)


def units_for(units_per_week: Decimal, period_start: dt.date, period_end: dt.date) -> Decimal:
    """Units a week over the period, rounded half-up to whole units (4 h a week for 13 weeks = 52 h)."""
    return (units_per_week * weeks_in(period_start, period_end)).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def default_period(budget) -> tuple[dt.date | None, dt.date | None]:
    if budget is None:
        return None, None
    today = timezone.localdate()
    return max(today, budget.period_start), budget.period_end


def servable_goals(budget, category) -> list:
    """The plan's goals an agreement drawing on ``category`` may serve (issue 10: goal and money agree).

    A category tied to a goal serves that goal only; the general category (no goal) serves the goals that
    have no money of their own in this budget.
    """
    if budget is None or category is None:
        return []
    goals = budget.plan.goals.order_by("position", "pk")
    if category.goal_id is not None:
        return list(goals.filter(pk=category.goal_id))
    return list(goals.exclude(budget_categories__budget=budget))


def goal_agrees(goal, category, budget) -> bool:
    """Does ``goal`` belong to the money ``category`` draws on (see ``servable_goals``)?"""
    if category.goal_id is not None:
        return goal.pk == category.goal_id
    return not goal.budget_categories.filter(budget=budget).exists()


def quote(*, person, service, units_per_week=None, total_units=None, period_start=None, period_end=None,
          budget=None, category=None, cap=False) -> Quote:
    """The cost of ``service`` for ``person`` over the period, against their current budget.

    ``budget``/``category``/``cap`` may be passed in when the caller already has them (saves queries);
    ``cap=False`` means "look it up".
    """
    if budget is None:
        budget = current_budget(person)
    if category is None and budget is not None:
        category = category_for(budget, service.service_type)
    if cap is False:
        cap = price_cap_for(service)
    if period_start is None or period_end is None:
        default_start, default_end = default_period(budget)
        period_start = period_start or default_start
        period_end = period_end or default_end
    unit_price = to_money(service.unit_price)
    cap_amount = to_money(cap.amount) if cap is not None else None
    over = max(ZERO, unit_price - cap_amount) if cap_amount is not None else ZERO
    rule = cap.over_cap_rule if cap is not None else None
    units = Decimal(total_units) if total_units not in (None, "") else None
    per_week = Decimal(units_per_week) if units_per_week not in (None, "") else None
    if units is None and per_week is not None and period_start and period_end and period_end >= period_start:
        units = units_for(per_week, period_start, period_end)
    return Quote(
        person=person, service=service, budget=budget, category=category, unit=service.unit,
        unit_price=unit_price, cap_amount=cap_amount, over_cap_rule=rule, over_cap_per_unit=over,
        copayment_per_unit=over if rule == "copay" else ZERO, units_per_week=per_week,
        total_units=units if units is not None else ZERO, period_start=period_start, period_end=period_end,
        available=to_money(category.available) if category is not None else ZERO,
    )
