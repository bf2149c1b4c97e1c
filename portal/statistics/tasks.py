"""Keeping the statistics fresh: after each commit that changes a figure (outbox), and fully on schedule."""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.utils import timezone

from portal.platform.background.app import app
from portal.platform.background.tenancy import tenant_task
from portal.platform.outbox.services import outbox_handler

from .services import statistics_rebuild, statistics_refresh

REFRESH_TASK = "portal.statistics.refresh"
REBUILD_TASK = "portal.statistics.rebuild"
# Events after whose commit a municipality's figures change.
EVENTS = ("assessment.recorded", "plan.approved", "plan.reviewed", "budget.superseded", "agreement.status_changed", "invoice.approved")


@tenant_task(REFRESH_TASK, ignore_result=True)
def refresh(requested_at: str | None = None) -> int:
    when = dt.datetime.fromisoformat(requested_at) if requested_at else None
    return statistics_refresh(municipality=connection.tenant, requested_at=when)


@app.task(name=REBUILD_TASK, ignore_result=True)
def rebuild() -> dict:
    return statistics_rebuild()


def _refresh_after_commit(event) -> None:
    """Ask for this municipality's refresh once the event's transaction commits — in a task of its own, so a
    failure here never holds back the event's other handlers."""
    schema_name = connection.schema_name

    def send():
        app.send_task(REFRESH_TASK, kwargs={"schema_name": schema_name, "requested_at": timezone.now().isoformat()},
                      ignore_result=True)

    transaction.on_commit(send)


for _kind in EVENTS:
    outbox_handler(_kind)(_refresh_after_commit)
