"""The worker's side of payments: executing a requested payment (outbox) and the daily reconciliation (beat
runs it per municipality: portal/platform/background/app.py)."""

from __future__ import annotations

from portal.platform.background.tenancy import tenant_task
from portal.platform.outbox.services import outbox_handler

from .reconciliation import reconcile
from .services import payment_execute


@outbox_handler("payment.requested")
def execute_requested(event) -> None:
    """Send the payment on its rail. Idempotent: a payment no longer ``requested`` is left as it is."""
    payment_execute(payment_id=event.payload["payment_id"])


@tenant_task("portal.payments.reconcile")
def reconcile_task() -> dict:
    """List what does not add up for the finance officer, in one municipality."""
    return reconcile()
