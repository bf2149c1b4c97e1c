"""Approving an invoice writes one outbox event in the approval's transaction (payment will follow it)."""

import pytest

from portal.marketplace.invoicing.invoices import invoice_approve, invoice_create, invoice_submit
from portal.platform.outbox.models import OutboxEvent

from .conftest import today
from .test_services import confirmed_month, finance

pytestmark = pytest.mark.django_db


def test_an_approved_invoice_is_one_outbox_event(world, agreement):
    confirmed_month(agreement, world)
    invoice = invoice_submit(invoice=invoice_create(
        agreement=agreement, year=today().year, month=today().month, actor=world.staff), actor=world.staff)
    assert not OutboxEvent.objects.filter(kind="invoice.approved").exists()
    invoice_approve(invoice=invoice, actor=finance(world))
    [event] = OutboxEvent.objects.filter(kind="invoice.approved")
    assert event.payload == {"invoice_id": invoice.pk, "agreement_id": agreement.pk}
