"""What the social worker watches over a plan's period: the evidence per goal for the review, and alerts.

Pure reads (selectors); the day is passed in. Alert rules, each a sentence a social worker would say:
- ``nothing_booked``: eight weeks into the plan and no agreement has been made from the budget;
- ``category_low``: a category has less than 10 %% of its money left while more than a quarter of the period
  is still to come;
- ``underspend``: at the pace so far (spent and reserved against the share of the period gone), more than
  half of the budget would be left unspent at the end (looked at once a quarter of the period has passed).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from portal.budgets.ledger.models import Budget, BudgetCategory
from portal.budgets.people.models import Goal, SupportPlan
from portal.marketplace.agreements.models import Agreement, AgreementStatus
from portal.marketplace.invoicing.models import Session, SessionStatus
from portal.platform.core.money import ZERO

NOTHING_BOOKED_AFTER = dt.timedelta(weeks=8)
LOW_SHARE = Decimal("0.10")
LOW_WHEN_LEFT_MORE_THAN = Decimal("0.25")
UNDERSPEND_SHARE = Decimal("0.50")
# Made from the budget: everything past the draft that was not refused.
BOOKED = (AgreementStatus.AWAITING_PROVIDER, AgreementStatus.AWAITING_MUNICIPALITY, AgreementStatus.ACTIVE,
          AgreementStatus.COMPLETED, AgreementStatus.CANCELLED)
ALERT_TEXT = {
    "nothing_booked": _("Nothing has been booked eight weeks into the plan."),
    "category_low": _("“%(category)s” has less than 10 %% of its money left with more than a quarter of the "
                      "period to go."),
    "underspend": _("At the pace so far, more than half of the budget will be left unspent."),
}


# ------------------------------------------------------------------------------------------------ evidence

@dataclass
class GoalEvidence:
    goal: Goal
    share_percent: Decimal
    granted: Decimal = ZERO
    spent: Decimal = ZERO
    reserved: Decimal = ZERO
    agreements: list[Agreement] = field(default_factory=list)
    sessions_delivered: int = 0
    sessions_confirmed: int = 0
    notes: list[Session] = field(default_factory=list)  # the provider's latest session notes

    @property
    def spent_percent(self) -> int:
        """What was spent, in per cent of the goal's share of the budget."""
        return int(self.spent * 100 / self.granted) if self.granted else 0


def goal_evidence(plan: SupportPlan, *, notes: int = 5) -> list[GoalEvidence]:
    """Per goal of ``plan``: its agreements, sessions delivered and confirmed, the money spent against its
    share of the budget and the provider's latest session notes. What the review is decided on."""
    goals = list(plan.goals.order_by("position", "pk"))
    categories = {c.goal_id: c for c in BudgetCategory.objects.filter(budget__plan=plan, goal__isnull=False)}
    agreements = (Agreement.objects.filter(Q(goal__plan=plan) | Q(category__goal__plan=plan))
                  .select_related("service", "provider", "category").order_by("period_start", "pk").distinct())
    by_goal: dict[int, list[Agreement]] = {}
    for agreement in agreements:
        goal_id = agreement.goal_id or agreement.category.goal_id
        by_goal.setdefault(goal_id, []).append(agreement)
    delivered = (Session.objects.exclude(status=SessionStatus.WITHDRAWN)
                 .filter(agreement__in=[a.pk for a in agreements]))
    counts = {row["agreement_id"]: row for row in delivered.values("agreement_id").annotate(
        total=Count("pk"), confirmed=Count("pk", filter=Q(status=SessionStatus.CONFIRMED)))}
    result = []
    for goal in goals:
        category = categories.get(goal.pk)
        mine = by_goal.get(goal.pk, [])
        evidence = GoalEvidence(goal=goal, share_percent=goal.share_percent, agreements=mine,
                                granted=category.granted if category else ZERO,
                                spent=category.spent if category else ZERO,
                                reserved=category.reserved if category else ZERO)
        for agreement in mine:
            evidence.sessions_delivered += counts.get(agreement.pk, {}).get("total", 0)
            evidence.sessions_confirmed += counts.get(agreement.pk, {}).get("confirmed", 0)
        evidence.notes = list(delivered.filter(agreement__in=[a.pk for a in mine]).exclude(note="")
                              .order_by("-date", "-pk")[:notes])
        result.append(evidence)
    return result


# -------------------------------------------------------------------------------------------------- alerts

@dataclass(frozen=True)
class Alert:
    code: str
    budget: Budget
    category: BudgetCategory | None = None

    @property
    def person(self):
        return self.budget.person

    @property
    def text(self) -> str:
        return str(ALERT_TEXT[self.code]) % {"category": self.category.name if self.category else ""}


def _elapsed(budget: Budget, today: dt.date) -> Decimal:
    days = (budget.period_end - budget.period_start).days + 1
    return Decimal((today - budget.period_start).days) / Decimal(days)


def budget_alerts(*, today: dt.date, social_worker=None) -> list[Alert]:
    """Alerts on the open budgets in their period today (one social worker's persons if given).

    One query: the categories with their budget and person, and whether the budget has any booking."""
    categories = (BudgetCategory.objects
                  .filter(budget__status=Budget.Status.OPEN, budget__period_start__lte=today,
                          budget__period_end__gte=today)
                  .select_related("budget__person")
                  .annotate(booked=Exists(Agreement.objects.filter(category__budget=OuterRef("budget_id"),
                                                                   status__in=BOOKED)))
                  .order_by("budget__person__last_name", "budget__person__first_name", "budget_id", "pk"))
    if social_worker is not None:
        categories = categories.filter(budget__person__social_worker=social_worker)
    by_budget: dict[int, list[BudgetCategory]] = {}
    for category in categories:
        by_budget.setdefault(category.budget_id, []).append(category)
    alerts = []
    for rows in by_budget.values():
        budget = rows[0].budget
        elapsed = _elapsed(budget, today)
        if not rows[0].booked and today >= budget.period_start + NOTHING_BOOKED_AFTER:
            alerts.append(Alert("nothing_booked", budget))
        if 1 - elapsed > LOW_WHEN_LEFT_MORE_THAN:
            alerts += [Alert("category_low", budget, c) for c in rows
                       if c.granted and c.available < c.granted * LOW_SHARE]
        used = sum((c.spent + c.reserved for c in rows), ZERO)
        if elapsed >= LOW_WHEN_LEFT_MORE_THAN and budget.total and used / elapsed < budget.total * UNDERSPEND_SHARE:
            alerts.append(Alert("underspend", budget))
    return alerts
