"""Money on the to-do lists: the finance officer's payment failures, the family's co-payments due; and the
``payment.failed`` event ({"payment": id, "invoice": id}) notifying the municipality's finance officers."""

from decimal import Decimal

import pytest
from django.db import connection

from portal.marketplace.agreements.models import Agreement, CoPayment
from portal.marketplace.payments.models import Payment, PaymentSettings
from portal.marketplace.payments.tasks import execute_requested
from portal.notifications.models import Kind, Notification
from portal.notifications.services import notification_text
from portal.notifications.todo import todo_for
from portal.platform.outbox.models import OutboxEvent
from portal.platform.outbox.services import outbox_emit, outbox_process
from portal.tenants.models import Membership
from portal.tenants.roles import Role
from tests.payments.conftest import approved_invoice, finance

pytestmark = pytest.mark.django_db


def _count(todos, role, code):
    return {item.code: item.count for item in todos[role]}[code]


@pytest.fixture
def bank_rail(world):
    rules = PaymentSettings.current()
    rules.rail, rules.debtor_iban, rules.debtor_name = "bank_file", "LV34TREL9999999999999", "Jelgava"
    rules.save()
    return rules


def _waiting_payment(world) -> Payment:
    invoice = approved_invoice(world)
    execute_requested(OutboxEvent.objects.filter(kind="payment.requested").latest("pk"))  # the bank rail waits
    connection.set_tenant(world.municipality)
    return Payment.objects.get(invoice=invoice)


def test_the_finance_officer_sees_payment_failures(world, bank_rail, client_for, django_assert_max_num_queries):
    officer = finance(world)
    before = _count(todo_for(officer, world.municipality), Role.FINANCE_OFFICER, "payments.failed")
    payment = _waiting_payment(world)
    Payment.objects.filter(pk=payment.pk).update(status="failed")
    paid = _waiting_payment(world)
    Payment.objects.filter(pk=paid.pk).update(status="paid")  # a paid one waits for nobody
    with django_assert_max_num_queries(5):  # invoices, payments; the roles
        todos = todo_for(officer, world.municipality)
    assert _count(todos, Role.FINANCE_OFFICER, "payments.failed") == before + 1
    body = client_for(user=officer).get("/panelis/").content.decode()
    assert 'data-todo-item="payments.failed"' in body


def test_the_family_sees_co_payments_due_until_paid(world, agreement, django_assert_max_num_queries):
    before = _count(todo_for(world.person_user, world.municipality), Role.PERSON, "copayments.due")
    Agreement.objects.filter(pk=agreement.pk).update(copayment_per_unit=Decimal("1.50"))
    agreement.refresh_from_db()
    with django_assert_max_num_queries(3):
        todos = todo_for(world.person_user, world.municipality)
    assert _count(todos, Role.PERSON, "copayments.due") == before + 1
    # an open (unpaid) checkout page is not a payment; a paid one of the whole amount is
    CoPayment.objects.create(agreement=agreement, amount=agreement.copayment_total, checkout_session_id="cs_open_1")
    assert _count(todo_for(world.person_user, world.municipality), Role.PERSON, "copayments.due") == before + 1
    CoPayment.objects.create(agreement=agreement, amount=agreement.copayment_total, checkout_session_id="cs_paid_1",
                             status=CoPayment.Status.PAID)
    assert _count(todo_for(world.person_user, world.municipality), Role.PERSON, "copayments.due") == before


def test_payment_failed_notifies_the_finance_officers_once(world, bank_rail, django_capture_on_commit_callbacks):
    payment = _waiting_payment(world)
    Payment.objects.filter(pk=payment.pk).update(status="returned")
    officer = finance(world)
    event = outbox_emit(kind="payment.failed", payload={"payment": payment.pk, "invoice": payment.invoice_id})
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_process(event_id=event.pk)
    [note] = Notification.objects.filter(recipient=officer, event_id=event.pk)
    assert note.kind == Kind.PAYMENT_FAILED and note.link == "/maksajumi/?status=returned"
    assert payment.invoice.display_number in notification_text(note)
    assert "atgriezās" in notification_text(note)  # returned by the bank, in the reader's language
    OutboxEvent.objects.filter(pk=event.pk).update(processed_at=None)
    outbox_process(event_id=event.pk)
    assert Notification.objects.filter(recipient=officer, event_id=event.pk).count() == 1
    # the municipality's finance officers, and nobody else
    officers = set(Membership.objects.filter(municipality=world.municipality, role=Role.FINANCE_OFFICER)
                   .values_list("user_id", flat=True))
    assert set(Notification.objects.filter(event_id=event.pk).values_list("recipient_id", flat=True)) == officers
