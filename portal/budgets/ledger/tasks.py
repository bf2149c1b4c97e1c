"""Scheduled budget work (beat runs it per municipality: portal/platform/background/app.py)."""

from __future__ import annotations

from django.utils import timezone

from portal.platform.background.tenancy import tenant_task

from .services import budgets_close_due


@tenant_task("portal.budgets.close_due")
def close_due() -> int:
    """Close the budgets whose period has ended, in one municipality. Returns how many were closed."""
    return len(budgets_close_due(today=timezone.localdate()))
