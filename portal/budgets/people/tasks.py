"""Scheduled people work (beat runs it per municipality: portal/platform/background/app.py)."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.utils import timezone

from portal.platform.background.app import app
from portal.platform.background.tenancy import tenant_task
from portal.platform.core.retention import audit_expire

from .retention import retention_run

NATIONAL_AUDIT_EXPIRY = "portal.people.national_audit_expiry"


@tenant_task("portal.people.retention")
def retention() -> dict:
    """In one municipality: anonymise the persons whose file has expired, blank the free text of expired records
    and delete expired audit rows (docs/subsystems/privacy.md)."""
    return retention_run()


@app.task(name=NATIONAL_AUDIT_EXPIRY)
def national_audit_expiry(today: str | None = None) -> dict:
    """On the national site (the public schema: sign-ins there, provider actions, platform administration):
    delete the audit rows past their term, as ``retention`` does in each municipality. ``today`` (ISO date)
    for tests; the schedule sends none."""
    connection.set_schema_to_public()
    return audit_expire(today=dt.date.fromisoformat(today) if today else timezone.localdate())
