"""The worker path with a real Celery worker on the embedded Valkey, and two executions racing for the same
payment on real PostgreSQL. The payment is committed (the worker and the threads must see it) for one of the
demo's invoices in A, and removed again after the test."""

from __future__ import annotations

import contextlib
import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction

from portal.marketplace.invoicing.models import Invoice
from portal.marketplace.payments import services
from portal.marketplace.payments.models import Payment, PaymentStatus
from portal.marketplace.payments.rails import RAILS, RailOutcome, register_rail
from portal.marketplace.registry.models import ProviderWorkItem
from portal.platform.outbox.models import OutboxEvent
from portal.tenants.models import Municipality
from portal.tenants.roles import Role
from tests.background.conftest import committed_in, wait_until, worker  # noqa: F401 - fixtures
from tests.conftest import MUNICIPALITY_A, demo_user


@contextlib.contextmanager
def a_waiting_payment():
    """A waiting bank-file payment (no money entries: nothing moved yet) for a demo invoice, removed after."""
    invoice = Invoice.objects.filter(payment__isnull=True).exclude(status="draft").order_by("pk").first()
    assert invoice is not None, "the demo has a submitted invoice in A"
    payment = Payment.objects.create(invoice=invoice, provider_id=invoice.provider_id, amount=Decimal("12.34"),
                                     idempotency_key=services.payment_key(invoice), rail="bank_file",
                                     status=PaymentStatus.WAITING, attempts=1)
    try:
        yield payment
    finally:
        OutboxEvent.objects.filter(kind="payment.requested", payload={"payment_id": payment.pk}).delete()
        ProviderWorkItem.objects.filter(kind="payment", object_id=invoice.pk).delete()
        Payment.objects.filter(pk=payment.pk).delete()


@pytest.mark.django_db
def test_a_payments_order_names_the_municipality_and_invoice(in_a):
    """(Also the first test of this module: it sets the session database up inside a normal test.)"""
    payment = Payment(invoice=Invoice.objects.exclude(status="draft").first(), amount=Decimal("1.00"))
    payment.pk, payment.provider_id = 7, payment.invoice.provider_id
    payment.idempotency_key = services.payment_key(payment.invoice)
    order = services.payment_order(payment)
    assert (order.municipality_code, order.schema_name) == (MUNICIPALITY_A, connection.schema_name)
    assert order.invoice_number == payment.invoice.display_number and order.amount == payment.amount
    assert order.idempotency_key == f"payment:{connection.schema_name}:{payment.invoice_id}"


def test_a_retried_payment_is_executed_by_the_worker_once(worker, committed_in):  # noqa: F811
    with committed_in(MUNICIPALITY_A), a_waiting_payment() as payment:
        attempts = payment.attempts
        officer = demo_user(Role.FINANCE_OFFICER, MUNICIPALITY_A)
        with transaction.atomic():
            services.payment_retry(payment=payment, actor=officer)
        event = OutboxEvent.objects.filter(kind="payment.requested", payload={"payment_id": payment.pk}).latest("pk")
        wait_until(lambda: OutboxEvent.objects.filter(pk=event.pk, processed_at__isnull=False).exists())
        payment.refresh_from_db()
        assert payment.status == PaymentStatus.WAITING and payment.attempts == attempts + 1
        assert "bank" in payment.reason or "bankas" in payment.reason
        # the event delivered again: nothing changes
        from portal.platform.outbox.services import outbox_process

        assert outbox_process(event_id=event.pk) is False
        payment.refresh_from_db()
        assert payment.attempts == attempts + 1


def _execute_in_thread(municipality, payment_id, barrier, results):
    try:
        connection.set_tenant(municipality)
        barrier.wait(timeout=10)
        results.append(services.payment_execute(payment_id=payment_id))
    finally:
        connection.close()


def test_two_workers_executing_the_same_payment_send_it_once(committed_in):  # noqa: F811
    calls = []
    lock = threading.Lock()

    def counting_rail(order):
        with lock:
            calls.append(order.idempotency_key)
        return RailOutcome("sent", reference=f"tr_{order.payment_id}")

    register_rail("test_counting", counting_rail)
    with committed_in(MUNICIPALITY_A), a_waiting_payment() as payment:
        municipality = Municipality.objects.get(code=MUNICIPALITY_A)
        Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.REQUESTED, rail="test_counting")
        try:
            barrier, results = threading.Barrier(2), []
            threads = [threading.Thread(target=_execute_in_thread, args=(municipality, payment.pk, barrier, results))
                       for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=30)
            assert calls == [payment.idempotency_key]
            assert sorted(r is None for r in results) == [False, True]
            assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.SENT
        finally:
            RAILS.pop("test_counting", None)
