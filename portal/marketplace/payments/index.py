"""Payments in the provider's cross-municipality index (registry, public schema), written on commit: the
provider's national payments page reads one table instead of every municipality's schema."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.utils import timezone

from portal.marketplace.registry.services import work_item_sync_on_commit

from .models import Payment, PaymentStatus

WAITING = (PaymentStatus.REQUESTED, PaymentStatus.WAITING)


def expected_date(payment: Payment) -> dt.date | None:
    """When the provider can expect the money: paid → the day; sent → two working days after sending."""
    if payment.status == PaymentStatus.PAID and payment.settled_at:
        return timezone.localdate(payment.settled_at)
    start = payment.sent_at or (payment.requested_at if payment.status in WAITING else None)
    if start is None:
        return None
    day, added = timezone.localdate(start), 0
    while added < 2:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            added += 1
    return day


def sync_payment(payment: Payment, *, expected=None) -> None:
    invoice = payment.invoice
    work_item_sync_on_commit(
        provider_id=payment.provider_id, municipality=connection.tenant, kind="payment", object_id=invoice.pk,
        status=payment.status, status_label=str(payment.get_status_display()), reference=invoice.display_number,
        title=invoice.agreement.service.title_lv, date=expected or expected_date(payment), amount=payment.amount,
        agreement_id=invoice.agreement_id)
