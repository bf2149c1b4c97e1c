"""The budget period's end for agreements, per municipality (beat: portal/platform/background/app.py), and
the outbox handler that carries agreements into a new plan's budget. In invoicing, not agreements: completing
an agreement looks at its sessions and invoices."""

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
