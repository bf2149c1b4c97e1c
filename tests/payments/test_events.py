"""``payment.failed``: the outbox event others consume when a payment failed, came back or waits with a problem
(ids only). The bank file's normal wait for the next batch is not a problem and tells no one."""

from __future__ import annotations

import pytest

from portal.marketplace.payments import services
from portal.marketplace.payments.models import Payment, PaymentSettings
from portal.marketplace.payments.rails import RAILS, RailOutcome, register_rail
from portal.platform.outbox.models import OutboxEvent

from .conftest import approved_invoice

pytestmark = pytest.mark.django_db


def told():
    return list(OutboxEvent.objects.filter(kind="payment.failed").order_by("id").values_list("payload", flat=True))


@pytest.fixture
def rail():
    """A rail of this test answering whatever ``answer`` holds (an outcome, or an exception to raise)."""
    answer = {}

    def execute(order):
        if isinstance(answer["next"], Exception):
            raise answer["next"]
        return answer["next"]

    register_rail("test_rail", execute)
    PaymentSettings.objects.filter(pk=1).update(rail="test_rail")
    yield answer
    RAILS.pop("test_rail", None)


def test_the_bank_files_queue_tells_no_one(world):
    invoice = approved_invoice(world)
    assert services.payment_execute(payment_id=invoice.payment.pk).status == "waiting"
    assert told() == []


@pytest.mark.parametrize("outcome", [RailOutcome("waiting", reason="Stripe balance too low"),
                                     RailOutcome("failed", reason="refused"), RuntimeError("unreachable")])
def test_waiting_with_a_reason_or_failed_is_told_once_with_ids_only(world, officer, rail, outcome):
    rail["next"] = outcome
    invoice = approved_invoice(world)
    payment = services.payment_execute(payment_id=invoice.payment.pk)
    assert payment.status in ("waiting", "failed") and payment.reason
    assert told() == [{"payment": payment.pk, "invoice": invoice.pk}]
    services.payment_execute(payment_id=payment.pk)  # a second delivery: nothing to do, nothing told
    assert len(told()) == 1


def test_failed_or_returned_settlements_are_told_replays_are_not(world, rail):
    rail["next"] = RailOutcome("sent", reference="tr_1")
    first, second = approved_invoice(world), approved_invoice(world)
    for invoice in (first, second):
        services.payment_execute(payment_id=invoice.payment.pk)
    key_a, key_b = first.payment.idempotency_key, Payment.objects.get(invoice=second).idempotency_key
    assert told() == []
    services.payment_settle(idempotency_key=key_a, outcome="failed", reason="account closed")
    services.payment_settle(idempotency_key=key_a, outcome="failed", reason="account closed")  # a replay
    services.payment_settle(idempotency_key=key_b, outcome="paid")
    services.payment_settle(idempotency_key=key_b, outcome="returned", reason="returned by the bank")
    services.payment_settle(idempotency_key=key_b, outcome="returned")  # a replay
    assert told() == [{"payment": first.payment.pk, "invoice": first.pk},
                      {"payment": second.payment.pk, "invoice": second.pk}]
