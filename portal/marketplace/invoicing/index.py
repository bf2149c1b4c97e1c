"""The provider's cross-municipality index (registry, public schema), kept current from this municipality.

Each change is written on commit of the tenant's transaction; ``registry_reindex`` rewrites a whole
municipality's part in bulk (demo, repairs, a new municipality).
"""

from __future__ import annotations

from django.db import connection
from django.utils.translation import gettext as _

from portal.marketplace.agreements.models import Agreement
from portal.marketplace.registry.models import ProviderWorkItem
from portal.marketplace.registry.services import work_item_sync_on_commit

from .models import Invoice, Session


def _municipality():
    return connection.tenant


def sync_session(session: Session) -> None:
    agreement = session.agreement
    work_item_sync_on_commit(
        provider_id=agreement.provider_id, municipality=_municipality(), kind="session", object_id=session.pk,
        status=session.status, status_label=str(session.get_status_display()),
        reference=_("Agreement %(id)s") % {"id": agreement.pk}, title=agreement.service.title_lv,
        date=session.date, amount=session.amount, agreement_id=agreement.pk)


def sync_invoice(invoice: Invoice) -> None:
    work_item_sync_on_commit(
        provider_id=invoice.provider_id, municipality=_municipality(), kind="invoice", object_id=invoice.pk,
        status=invoice.status, status_label=str(invoice.get_status_display()), reference=invoice.display_number,
        title=invoice.agreement.service.title_lv, date=invoice.period_start, amount=invoice.total,
        agreement_id=invoice.agreement_id)


def sync_agreement(agreement) -> None:
    if agreement.sent_at is None:
        return  # need to know: the provider hears of a request when it is sent to them, not before
    work_item_sync_on_commit(
        provider_id=agreement.provider_id, municipality=_municipality(), kind="agreement", object_id=agreement.pk,
        status=agreement.status, status_label=str(agreement.get_status_display()),
        reference=_("Agreement %(id)s") % {"id": agreement.pk}, title=agreement.service.title_lv,
        date=agreement.period_start, amount=agreement.total_amount, agreement_id=agreement.pk)


def registry_reindex(municipality) -> int:
    """Rewrite this municipality's part of the provider index from its agreements, sessions and invoices.

    For the demo, repairs and new municipalities; day to day the index follows each change on commit.
    Runs inside the municipality's schema; writes the public table in bulk.
    """
    rows = []
    unsent = Agreement.objects.filter(sent_at__isnull=True)
    ProviderWorkItem.objects.filter(municipality=municipality, kind="agreement",
                                    object_id__in=list(unsent.values_list("pk", flat=True))).delete()
    for a in Agreement.objects.filter(sent_at__isnull=False).select_related("service"):
        rows.append(ProviderWorkItem(
            provider_id=a.provider_id, municipality=municipality, kind="agreement", object_id=a.pk,
            agreement_id=a.pk, status=a.status, status_label=str(a.get_status_display()),
            reference=_("Agreement %(id)s") % {"id": a.pk}, title=a.service.title_lv, date=a.period_start,
            amount=a.total_amount))
    for s in Session.objects.select_related("agreement__service"):
        rows.append(ProviderWorkItem(
            provider_id=s.agreement.provider_id, municipality=municipality, kind="session", object_id=s.pk,
            agreement_id=s.agreement_id, status=s.status, status_label=str(s.get_status_display()),
            reference=_("Agreement %(id)s") % {"id": s.agreement_id}, title=s.agreement.service.title_lv,
            date=s.date, amount=s.amount))
    for i in Invoice.objects.select_related("agreement__service"):
        rows.append(ProviderWorkItem(
            provider_id=i.provider_id, municipality=municipality, kind="invoice", object_id=i.pk,
            agreement_id=i.agreement_id, status=i.status, status_label=str(i.get_status_display()),
            reference=i.display_number, title=i.agreement.service.title_lv, date=i.period_start, amount=i.total))
    ProviderWorkItem.objects.bulk_create(
        rows, batch_size=1000, update_conflicts=True, unique_fields=["municipality", "kind", "object_id"],
        update_fields=["provider_id", "agreement_id", "status", "status_label", "reference", "title", "date",
                       "amount", "updated_at"])
    return len(rows)
