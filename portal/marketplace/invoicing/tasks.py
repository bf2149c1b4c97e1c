"""The budget period's end for agreements, per municipality (beat: portal/platform/background/app.py), and
the outbox handler that asks the person about carrying agreements into a new plan's budget. In invoicing, not agreements: completing
an agreement looks at its sessions and invoices."""

from __future__ import annotations

from django.utils import timezone

from portal.budgets.ledger.models import Budget
from portal.platform.background.tenancy import tenant_task
from portal.platform.outbox.services import outbox_handler

from .period import agreements_complete_due, carry_overs_ask, carry_overs_ask_due


@tenant_task("portal.agreements.period_end")
def period_end() -> dict:
    """The agreements' side of the budget period, in one municipality: ended agreements complete (their
    unused reservation is released) and the person is asked about running ones a new plan version replaced."""
    completed = agreements_complete_due(today=timezone.localdate())
    asked = carry_overs_ask_due()
    return {"completed": len(completed), "asked": len(asked)}


@outbox_handler("budget.superseded")
def carry_over_after_approval(event) -> None:
    """A new plan version was approved and the previous budget closed: ask the person now about each running
    agreement (the daily ``period_end`` catches any the handler could not)."""
    previous = Budget.objects.filter(pk=event.payload.get("budget_id")).first()
    successor = Budget.objects.filter(pk=event.payload.get("successor_id")).first()
    if previous is not None and successor is not None:
        carry_overs_ask(previous=previous, budget=successor)
