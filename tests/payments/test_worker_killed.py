"""A worker killed (`kill -9`) while it executes payments: money moves once, no outbox event is lost.

Two payments (the demo's invoices in A without one) are retried at once through the payments core (each
`payment.requested` outbox event committed with the retry) and executed by a real worker on a rail that plays
a bank keeping its own record in a file. While the worker is inside the rail — the instruction is at the bank,
the portal has not committed — it is killed with SIGKILL. Acks late and reject-on-worker-lost give a message
back when a pool process dies; the worker's thread pool dies whole, so the message stays unacked in Valkey
until the broker's visibility timeout (an hour). A new worker starts and the outbox sweep (beat's job, sent
here by hand) sends the unprocessed events again. The bank's record then holds exactly one booked transfer
per payment — the killed one's instruction arrived twice with the same idempotency key — and every event is
processed."""

from __future__ import annotations

import json
import os
import signal
import time
from decimal import Decimal

from portal.marketplace.invoicing.models import Invoice
from portal.marketplace.payments import services
from portal.marketplace.payments.models import Payment, PaymentSettings, PaymentStatus
from portal.marketplace.registry.models import ProviderWorkItem
from portal.platform.outbox.models import OutboxEvent
from portal.tenants.roles import Role
from tests.background.conftest import committed_in, start_worker, wait_until  # noqa: F401 - fixtures
from tests.conftest import MUNICIPALITY_A, demo_user
from tests.payments.ledger_rail import RAIL
from tests.platform.nodes import stop, wait


def _entries(path):
    if not os.path.exists(path):
        return []
    with open(path) as ledger:
        return [json.loads(line) for line in ledger if line.strip()]


def _diagnosis(payments, events) -> dict:
    """What a payment still not sent is waiting for: its status, its outbox event, and who holds locks."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid, state, wait_event_type, left(query, 120), now() - xact_start FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL")
        sessions = cursor.fetchall()
    return {"payments": list(Payment.objects.filter(pk__in=[p.pk for p in payments]).values_list("pk", "status")),
            "events": list(OutboxEvent.objects.filter(pk__in=events).values_list(
                "pk", "attempts", "dispatched_at", "processed_at", "last_error")),
            "open transactions": sessions}


def test_a_worker_killed_while_sending_payments_sends_each_once(committed_in, tmp_path):  # noqa: F811
    from portal.platform.background.app import app

    ledger = str(tmp_path / "bank.jsonl")
    env = {"PORTAL_TEST_LEDGER": ledger, "PORTAL_TEST_LEDGER_PAUSE": "1.5"}
    workers = [start_worker(queue=None, include=("tests.payments.ledger_rail",), extra_env=env)]
    payments, events = [], []
    try:
        with committed_in(MUNICIPALITY_A):
            settings_row = PaymentSettings.current()
            rail_before = settings_row.rail
            PaymentSettings.objects.filter(pk=settings_row.pk).update(rail=RAIL)
            try:
                invoices = list(Invoice.objects.filter(payment__isnull=True).exclude(status="draft").order_by("pk")[:2])
                assert len(invoices) == 2, "the demo has two submitted invoices without a payment in A"
                for invoice in invoices:
                    payments.append(Payment.objects.create(
                        invoice=invoice, provider_id=invoice.provider_id, amount=Decimal("10.00"),
                        idempotency_key=services.payment_key(invoice), rail=RAIL, status=PaymentStatus.WAITING,
                        attempts=1))
                officer = demo_user(Role.FINANCE_OFFICER, MUNICIPALITY_A)
                started = time.monotonic()
                for payment in payments:  # the load: the payments requested at once
                    services.payment_retry(payment=payment, actor=officer)
                events = list(OutboxEvent.objects.filter(kind="payment.requested",
                                                         payload__payment_id__in=[p.pk for p in payments])
                              .values_list("pk", flat=True))
                assert len(events) == len(payments)
                first = wait_until(lambda: _entries(ledger), timeout=20)  # an instruction is at the bank …
                assert first[0]["pid"] == workers[0].pid
                os.kill(workers[0].pid, signal.SIGKILL)  # … and the worker dies before the portal commits
                workers[0].wait(timeout=10)
                killed_key = first[0]["key"]
                # The worker restarted (as its supervisor would); the message the dead one held stays unacked in
                # Valkey until the broker's visibility timeout, so beat's outbox sweep sends the event again.
                workers.append(start_worker(queue=None, include=("tests.payments.ledger_rail",), extra_env=env))
                swept = [0.0]

                def all_sent():
                    if time.monotonic() - swept[0] > 3:  # beat's outbox sweep, on its schedule (here every 3 s)
                        app.send_task("portal.background.each_municipality", args=["portal.outbox.sweep"])
                        swept[0] = time.monotonic()
                    return Payment.objects.filter(pk__in=[p.pk for p in payments], status=PaymentStatus.SENT).count() == len(payments)

                assert wait(all_sent, 60), _diagnosis(payments, events)
                assert OutboxEvent.objects.filter(pk__in=events, processed_at__isnull=False).count() == len(events)
                entries = _entries(ledger)
                booked = [e["key"] for e in entries if e["booked"]]
                assert sorted(booked) == sorted(p.idempotency_key for p in payments)  # each sent exactly once
                assert [e["key"] for e in entries].count(killed_key) == 2  # the killed one asked twice, same key
                print(f"\nworker killed mid-payment: {len(payments)} payments sent once each in {time.monotonic() - started:.1f} s; "
                      f"{len(entries)} instructions at the bank, {len(booked)} booked")
            finally:
                PaymentSettings.objects.filter(pk=settings_row.pk).update(rail=rail_before)
                OutboxEvent.objects.filter(pk__in=events).delete()
                for payment in payments:
                    ProviderWorkItem.objects.filter(kind="payment", object_id=payment.invoice_id).delete()
                Payment.objects.filter(pk__in=[p.pk for p in payments]).delete()
    finally:
        for worker in workers:
            stop(worker)
