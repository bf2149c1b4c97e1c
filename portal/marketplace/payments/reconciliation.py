"""Reconciliation: what does not add up, as alerts the finance officer sees (one open row per problem).

Statement lines that match no payment are recorded when the statement is imported (``statements``); this
job adds payments paid whose invoice is not approved or paid, payments sent long ago and never confirmed,
and funding overdrawn by approved invoices — and resolves the alerts whose problem has gone.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from portal.marketplace.invoicing.models import Invoice

from .models import Payment, PaymentStatus, ReconciliationAlert
from .services import funding_summary

STUCK_AFTER = dt.timedelta(days=10)
K = ReconciliationAlert.Kind


@transaction.atomic
def reconcile(*, now: dt.datetime | None = None) -> dict:
    now = now or timezone.now()
    found: dict[str, dict] = {}
    paid_wrong = (Payment.objects.filter(status=PaymentStatus.PAID)
                  .exclude(invoice__status__in=[Invoice.Status.APPROVED, Invoice.Status.PAID])
                  .select_related("invoice"))
    for payment in paid_wrong:
        found[f"paid_not_approved:{payment.pk}"] = {
            "kind": K.PAID_NOT_APPROVED, "payment": payment, "amount": payment.amount,
            "detail": f"{payment.invoice.display_number}: paid, invoice {payment.invoice.status}"}
    for payment in (Payment.objects.filter(status=PaymentStatus.SENT, sent_at__lt=now - STUCK_AFTER)
                    .select_related("invoice")):
        found[f"stuck:{payment.pk}"] = {
            "kind": K.STUCK, "payment": payment, "amount": payment.amount,
            "detail": f"{payment.invoice.display_number}: sent {payment.sent_at:%Y-%m-%d}, not confirmed"}
    funding = funding_summary()
    if funding["overdrawn"]:
        found["overdrawn"] = {"kind": K.OVERDRAWN, "payment": None, "amount": -funding["balance"],
                              "detail": f"funding {funding['balance']} EUR"}
    open_alerts = {a.key: a for a in ReconciliationAlert.objects.filter(resolved_at__isnull=True)
                   .exclude(kind=K.UNMATCHED)}
    created = 0
    for key, values in found.items():
        if key in open_alerts:
            continue
        _alert, made = ReconciliationAlert.objects.update_or_create(key=key, defaults={**values, "resolved_at": None})
        created += made
    gone = [a.pk for key, a in open_alerts.items() if key not in found]
    ReconciliationAlert.objects.filter(pk__in=gone).update(resolved_at=now)
    return {"open": ReconciliationAlert.objects.filter(resolved_at__isnull=True).count(), "new": created,
            "resolved": len(gone)}


def finance_attention() -> dict:
    """What the finance officer's dashboard shows: open reconciliation alerts and the funding."""
    return {"alerts": ReconciliationAlert.objects.filter(resolved_at__isnull=True).count(),
            "funding": funding_summary()}
