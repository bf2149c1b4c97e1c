"""The transactional outbox: domain events that must cause work after a commit.

Contract:

- ``outbox_emit(kind=..., payload=...)`` writes an ``OutboxEvent`` row in the caller's transaction
  and, on commit, sends ``portal.outbox.process(schema_name, event_id)`` to the worker. A rolled-back
  transaction leaves neither a row nor a message. When the broker cannot be reached at commit, the
  caller still succeeds: the failure is logged and the row waits for the sweep.
- ``outbox_process`` runs the handlers registered for the event's kind inside the municipality's
  schema, in one transaction with marking the row processed (a conditional UPDATE on
  ``processed_at IS NULL``, with the row locked ``SKIP LOCKED``). A second delivery of the same event
  — a redelivered message, the sweep racing the first send — finds the row processed or locked and
  changes nothing. Handlers' database effects therefore happen exactly once; effects outside the
  database (a Stripe call) must carry an idempotency key derived from the event.
- ``outbox_sweep`` sends again every event not processed ``OUTBOX_REDISPATCH_SECONDS`` after it was
  last sent (the broker was down, a worker was killed), up to ``OUTBOX_MAX_ATTEMPTS`` failed runs.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_tenants.utils import schema_context

from portal.platform.background.app import app

from .models import OutboxEvent

logger = logging.getLogger("portal.outbox")

PROCESS_TASK = "portal.outbox.process"

_handlers: dict[str, list[Callable[[OutboxEvent], None]]] = defaultdict(list)


def outbox_handler(kind: str):
    """Register ``function(event)`` to run, in the event's schema and transaction, for every event of ``kind``.

    Register handlers in an app's ``tasks`` module: the worker imports those at start.
    """

    def register(function):
        if function not in _handlers[kind]:
            _handlers[kind].append(function)
        return function

    return register


def handlers_for(kind: str) -> list[Callable[[OutboxEvent], None]]:
    return list(_handlers.get(kind, ()))


def outbox_emit(*, kind: str, payload: dict) -> OutboxEvent:
    """Record ``kind`` with ``payload`` (JSON) in the current transaction; the worker handles it after commit."""
    schema_name = connection.schema_name
    if schema_name == settings.PUBLIC_SCHEMA_NAME:
        raise ValueError("outbox events live in a municipality's schema; none is active")
    event = OutboxEvent.objects.create(kind=kind, payload=payload)
    transaction.on_commit(lambda: outbox_dispatch(schema_name=schema_name, event_id=event.pk))
    return event


def outbox_dispatch(*, schema_name: str, event_id: int) -> bool:
    """Send the event to the worker. Never raises: a broker that is down leaves the row for the sweep."""
    try:
        app.send_task(PROCESS_TASK, kwargs={"schema_name": schema_name, "event_id": event_id}, retry=False,
                      ignore_result=True)  # nobody waits for it; no result-store round trip in a request
    except Exception:  # noqa: BLE001 - any broker failure: the sweep sends it later
        logger.warning("outbox event %s in %s not sent to the worker; the sweep will send it",
                       event_id, schema_name, exc_info=True)
        return False
    # The commit hook may run after the caller left the municipality (a provider page's tenant_context).
    with schema_context(schema_name):
        OutboxEvent.objects.filter(pk=event_id).update(dispatched_at=timezone.now())
    return True


def outbox_process(*, event_id: int) -> bool:
    """Run the handlers of one event in the current schema, once. Returns False when there was nothing to do."""
    try:
        with transaction.atomic():
            event = (OutboxEvent.objects.select_for_update(skip_locked=True)
                     .filter(pk=event_id, processed_at__isnull=True).first())
            if event is None:
                return False  # processed already, or being processed right now by another delivery
            for handler in handlers_for(event.kind):
                handler(event)
            done = (OutboxEvent.objects.filter(pk=event_id, processed_at__isnull=True)
                    .update(processed_at=timezone.now(), attempts=F("attempts") + 1, last_error=""))
            return done == 1
    except Exception as error:
        OutboxEvent.objects.filter(pk=event_id).update(attempts=F("attempts") + 1, last_error=repr(error)[:2000])
        raise


def outbox_sweep(*, now: dt.datetime | None = None) -> int:
    """Send again what was not processed in time (this schema). Returns how many were sent."""
    now = now or timezone.now()
    stale = now - dt.timedelta(seconds=settings.OUTBOX_REDISPATCH_SECONDS)
    pending = (OutboxEvent.objects.filter(processed_at__isnull=True, attempts__lt=settings.OUTBOX_MAX_ATTEMPTS)
               .annotate(last_sent=Coalesce("dispatched_at", "created_at"))
               .filter(Q(last_sent__lt=stale)).order_by("pk").values_list("pk", flat=True)[:1000])
    return sum(outbox_dispatch(schema_name=connection.schema_name, event_id=pk) for pk in pending)
