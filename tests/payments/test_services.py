"""The payment core: created once per approval, executed once, settled idempotently, the money entries
balancing to the cent."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import Sum
from django.db.utils import IntegrityError

from portal.marketplace.invoicing.errors import InvoiceWrongStatus
from portal.marketplace.invoicing.invoices import invoice_approve
from portal.marketplace.payments import services
from portal.marketplace.payments.errors import NotFinanceOfficer, PaymentWrongStatus
from portal.marketplace.payments.models import Account, MoneyEntry, Payment, PaymentSettings
from portal.marketplace.payments.rails import RAILS, RailOutcome, register_rail
from portal.marketplace.payments.tasks import execute_requested
from portal.platform.outbox.models import OutboxEvent

from .conftest import approved_invoice, submitted_invoice

pytestmark = pytest.mark.django_db


def balances():
    return {a: services.account_balance(a) for a in Account.values}


def test_approval_creates_one_payment_with_its_money_entry_and_event(world, officer):
    invoice = submitted_invoice(world)
    approved = invoice_approve(invoice=invoice, actor=officer)
    payment = Payment.objects.get(invoice=approved)
    assert payment.idempotency_key == f"payment:{connection.schema_name}:{invoice.pk}"
    assert payment.status == "requested" and payment.rail == "bank_file"
    assert payment.amount == approved.budget_amount > 0
    assert OutboxEvent.objects.filter(kind="payment.requested", payload={"payment_id": payment.pk}).count() == 1
    assert list(payment.entries.values_list("kind", "debit", "credit", "amount")) == [
        ("request", "payable", "funding", payment.amount)]
    # the approval retried: refused, and still one payment
    with pytest.raises(InvoiceWrongStatus):
        invoice_approve(invoice=invoice, actor=officer)
    assert services.payment_request(invoice=approved) == payment
    assert Payment.objects.filter(invoice=approved).count() == 1 and payment.entries.count() == 1


def test_the_handler_twice_executes_once_and_the_bank_rail_waits(world):
    invoice = approved_invoice(world)
    event = OutboxEvent.objects.get(kind="payment.requested")
    execute_requested(event)
    execute_requested(event)
    payment = Payment.objects.get(invoice=invoice)
    assert payment.status == "waiting" and payment.attempts == 1
    assert payment.reason == "nākamajā bankas paketē" or "bank batch" in payment.reason


def test_stripe_without_a_stripe_rail_waits_with_a_reason(world):
    rules = PaymentSettings.current()
    rules.rail = "stripe"
    rules.save()
    stripe = RAILS.pop("stripe", None)
    try:
        invoice = approved_invoice(world)
        payment = services.payment_execute(payment_id=invoice.payment.pk)
        assert payment.status == "waiting" and "Stripe" in payment.reason
    finally:
        if stripe:
            register_rail("stripe", stripe)


def test_a_sent_payment_settles_once_backwards_reports_are_ignored_and_entries_balance(world, officer):
    calls = []

    def fake_rail(order):  # a rail of this test: counts its calls, answers like a real one would
        calls.append(order.idempotency_key)
        return RailOutcome("sent", reference=f"tr_{order.payment_id}")

    register_rail("test_rail", fake_rail)
    try:
        invoice = submitted_invoice(world)
        approved = invoice_approve(invoice=invoice, actor=officer)
        payment = approved.payment
        Payment.objects.filter(pk=payment.pk).update(rail="test_rail")
        services.payment_execute(payment_id=payment.pk)
        services.payment_execute(payment_id=payment.pk)
        assert calls == [payment.idempotency_key]
        paid = services.payment_settle(idempotency_key=payment.idempotency_key, outcome="paid")
        again = services.payment_settle(idempotency_key=payment.idempotency_key, outcome="paid")
        late = services.payment_settle(idempotency_key=payment.idempotency_key, outcome="sent")
        failed = services.payment_settle(idempotency_key=payment.idempotency_key, outcome="failed")
        assert paid.status == again.status == late.status == failed.status == "paid"
        assert paid.reference == f"tr_{payment.pk}"
        approved.refresh_from_db()
        assert approved.status == "paid" and approved.paid_at is not None
        assert payment.entries.filter(kind="pay").count() == 1
        returned = services.payment_settle(idempotency_key=payment.idempotency_key, outcome="returned",
                                           reason="konts slēgts")
        approved.refresh_from_db()
        assert returned.status == "returned" and approved.status == "approved"
        retried = services.payment_retry(payment=returned, actor=officer)
        assert retried.status == "requested"
        Payment.objects.filter(pk=payment.pk).update(rail="test_rail")
        PaymentSettings.objects.filter(pk=1).update(rail="test_rail")
        services.payment_execute(payment_id=payment.pk)
        assert calls == [payment.idempotency_key] * 2  # the same key on the retry: never a second payment
        services.payment_settle(idempotency_key=payment.idempotency_key, outcome="paid")
        kinds = list(payment.entries.order_by("id").values_list("kind", flat=True))
        assert kinds == ["request", "pay", "return", "pay"]
        b = balances()
        assert sum(b.values()) == Decimal("0.00")
        assert b[Account.PAID] == payment.amount and b[Account.PAYABLE] == Decimal("0.00")
    finally:
        RAILS.pop("test_rail", None)
    assert services.payment_settle(idempotency_key="payment:nowhere:1", outcome="paid") is None


def test_entries_are_append_only(world):
    approved_invoice(world)
    entry = MoneyEntry.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        MoneyEntry.objects.filter(pk=entry.pk).update(amount=Decimal("1.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        MoneyEntry.objects.filter(pk=entry.pk).delete()


def test_manual_mark_paid_goes_through_settle_with_an_audit_entry(world, officer):
    from portal.platform.core.models import AuditEvent

    invoice = approved_invoice(world)
    with pytest.raises(NotFinanceOfficer):
        services.payment_mark_paid(invoice=invoice, actor=world.staff)
    payment = services.payment_mark_paid(invoice=invoice, actor=officer)
    invoice.refresh_from_db()
    assert payment.status == "paid" and invoice.status == "paid"
    assert payment.entries.filter(kind="pay").count() == 1
    assert AuditEvent.objects.filter(object_type="payments.payment", object_id=str(payment.pk),
                                     summary__contains="by hand").exists()
    with pytest.raises(PaymentWrongStatus):
        services.payment_mark_paid(invoice=invoice, actor=officer)
    with pytest.raises(PaymentWrongStatus):
        services.payment_retry(payment=payment, actor=officer)


def test_funding_top_up_balance_and_warning(world, officer):
    before = services.funding_summary()["balance"]
    moved = MoneyEntry.objects.aggregate(s=Sum("amount"))["s"] or Decimal("0.00")
    with pytest.raises(NotFinanceOfficer):
        services.funding_top_up(amount="100.00", actor=world.staff)
    entry = services.funding_top_up(amount="100.00", actor=officer)
    assert entry.debit == "funding" and entry.credit == "treasury"
    assert services.funding_summary()["balance"] == before + Decimal("100.00")
    assert services.funding_would_exceed(before + Decimal("100.01"))
    assert not services.funding_would_exceed(before + Decimal("100.00"))
    invoice = approved_invoice(world)
    total = MoneyEntry.objects.aggregate(s=Sum("amount"))["s"]
    assert services.funding_summary()["balance"] == before + Decimal("100.00") - invoice.payment.amount
    assert total - moved == Decimal("100.00") + invoice.payment.amount
