"""The outbox's tasks: process one event, sweep a schema (see services for the contract)."""

from __future__ import annotations

from portal.platform.background.tenancy import tenant_task

from .services import PROCESS_TASK, outbox_process, outbox_sweep


@tenant_task(PROCESS_TASK, autoretry_for=(Exception,), retry_backoff=True, retry_backoff_max=300,
             max_retries=5)
def process(*, event_id: int) -> bool:
    return outbox_process(event_id=event_id)


@tenant_task("portal.outbox.sweep")
def sweep() -> int:
    return outbox_sweep()
