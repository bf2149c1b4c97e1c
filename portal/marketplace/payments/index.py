"""Payments in the provider's cross-municipality index (registry, public schema), written on commit: the
provider's national payments page reads one table instead of every municipality's schema."""

from __future__ import annotations

from django.db import connection

from portal.marketplace.registry.services import work_item_sync_on_commit

from .models import Payment
from .schedule import expected_date


def sync_payment(payment: Payment, *, expected=None) -> None:
    invoice = payment.invoice
    work_item_sync_on_commit(
        provider_id=payment.provider_id, municipality=connection.tenant, kind="payment", object_id=invoice.pk,
        status=payment.status, status_label=str(payment.get_status_display()), reference=invoice.display_number,
        title=invoice.agreement.service.title_lv, date=expected or expected_date(payment), amount=payment.amount,
        agreement_id=invoice.agreement_id)
