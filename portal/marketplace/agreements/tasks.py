"""Scheduled agreement work (beat runs it per municipality: portal/platform/background/app.py)."""

from __future__ import annotations

from portal.platform.background.tenancy import tenant_task

from .services import agreements_expire


@tenant_task("portal.agreements.expire")
def expire() -> int:
    """Expire the requests providers did not answer in time, in one municipality."""
    return agreements_expire()
