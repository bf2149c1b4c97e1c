"""Writes to the provider registry (public schema)."""

from __future__ import annotations

from datetime import date as Date
from decimal import Decimal

from django.db import transaction

from .errors import NumberAlreadyIssued
from .models import InvoiceNumberCounter, IssuedInvoiceNumber, ProviderWorkItem


def invoice_number_issue(*, provider_id: int, municipality, invoice_id: int) -> int:
    """The provider's next invoice number, gap-free across all municipalities.

    Must run inside the caller's transaction (the one that marks the invoice
    submitted): the counter row stays locked until it commits, and a rollback
    returns the number, so no number is ever skipped or issued twice.
    """
    with transaction.atomic():
        InvoiceNumberCounter.objects.get_or_create(provider_id=provider_id)  # first invoice ever: the row
        counter = InvoiceNumberCounter.objects.select_for_update().get(provider_id=provider_id)
        if IssuedInvoiceNumber.objects.filter(municipality=municipality, invoice_id=invoice_id).exists():
            raise NumberAlreadyIssued("This invoice already has a number.")
        counter.last_number += 1
        counter.save(update_fields=["last_number", "modified_at"])
        IssuedInvoiceNumber.objects.create(provider_id=provider_id, number=counter.last_number,
                                           municipality=municipality, invoice_id=invoice_id)
        return counter.last_number


def work_item_sync(*, provider_id: int, municipality, kind: str, object_id: int, status: str,
                   status_label: str = "", reference: str = "", title: str = "", date: Date | None = None,
                   amount: Decimal | None = None, agreement_id: int | None = None) -> ProviderWorkItem:
    """Create or update one line of the provider's cross-municipality index."""
    item, _ = ProviderWorkItem.objects.update_or_create(
        municipality=municipality, kind=kind, object_id=object_id,
        defaults={"provider_id": provider_id, "status": status, "status_label": str(status_label)[:100],
                  "reference": reference[:60], "title": str(title)[:200], "date": date, "amount": amount,
                  "agreement_id": agreement_id})
    return item


def work_item_sync_on_commit(**fields) -> None:
    """Schedule ``work_item_sync`` for when the tenant's transaction commits."""
    transaction.on_commit(lambda: work_item_sync(**fields))
