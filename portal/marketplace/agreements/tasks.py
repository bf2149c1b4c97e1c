"""Scheduled agreement work (beat runs it per municipality: portal/platform/background/app.py)."""

from __future__ import annotations

from django.utils import timezone

from portal.budgets.ledger.models import Budget
from portal.platform.background.tenancy import tenant_task
from portal.platform.outbox.services import outbox_handler

from .period import (
    agreements_carry_over,
    agreements_complete_due,
    budgets_carry_over_due,
)
from .services import agreements_expire


@tenant_task("portal.agreements.expire")
def expire() -> int:
    """Expire the requests providers did not answer in time, in one municipality."""
    return agreements_expire()


@tenant_task("portal.agreements.period_end")
def period_end() -> dict:
    """The agreements' side of the budget period, in one municipality: ended agreements complete (their
    unused reservation is released) and running ones move into a new plan version's budget."""
    completed = agreements_complete_due(today=timezone.localdate())
    carried = budgets_carry_over_due()
    return {"completed": len(completed), "carried": sum(len(c.carried) for c in carried)}


@outbox_handler("budget.superseded")
def carry_over_after_approval(event) -> None:
    """A new plan version was approved and the previous budget closed: move running agreements over now
    (the daily ``period_end`` catches any the handler could not)."""
    previous = Budget.objects.filter(pk=event.payload.get("budget_id")).first()
    successor = Budget.objects.filter(pk=event.payload.get("successor_id")).first()
    if previous is not None and successor is not None:
        agreements_carry_over(previous=previous, budget=successor, actor=None)
