"""Scheduled agreement work (beat runs it per municipality: portal/platform/background/app.py)."""

from __future__ import annotations

from django.utils import timezone

from portal.platform.background.tenancy import tenant_task

from .period import agreements_complete_due, budgets_carry_over_due
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
