"""Scheduled people work (beat runs it per municipality: portal/platform/background/app.py)."""

from __future__ import annotations

from portal.platform.background.tenancy import tenant_task

from .retention import retention_run


@tenant_task("portal.people.retention")
def retention() -> dict:
    """In one municipality: anonymise the persons whose file has expired, blank the free text of expired records
    and delete expired audit rows (docs/subsystems/privacy.md)."""
    return retention_run()
