"""Writes for invoices: ``invoice_<verb>(*, ..., actor)``.

The provider drafts a month's invoice from its sessions and submits it; the municipality's finance
officer approves (posting the budget share from the agreement's reservation, once), rejects or records
the payment. Every service runs in one transaction and writes nothing when it refuses. The provider's
cross-municipality index (registry, public schema) is updated on commit.
"""

from __future__ import annotations

import calendar
from datetime import date as Date

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.budgets.ledger.services import post_refund, reservation_post
from portal.marketplace.agreements.models import MunicipalRules
from portal.marketplace.catalogue.models import ProviderStaff
from portal.marketplace.registry.models import ProviderWorkItem
from portal.marketplace.registry.services import invoice_number_issue
from portal.platform.core.models import AuditEvent, audit
from portal.platform.core.money import ZERO, to_money
from portal.platform.outbox.services import outbox_emit

from . import access, errors
from .checks import budget_share
from .index import sync_invoice
from .models import Invoice, InvoiceLine, Session, SessionStatus
from .selectors import invoice_check
from .signals import invoice_approved


def month_bounds(year: int, month: int) -> tuple[Date, Date]:
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise errors.InvoiceInvalid(_("Choose a month."), field="month")
    return Date(year, month, 1), Date(year, month, calendar.monthrange(year, month)[1])


def _fill_lines(invoice: Invoice) -> None:
    agreement = invoice.agreement
    sessions = (Session.objects.filter(agreement=agreement, date__gte=invoice.period_start,
                                       date__lte=invoice.period_end)
                .exclude(status=SessionStatus.WITHDRAWN)
                .exclude(invoice_lines__live=True).order_by("date", "start_time", "id"))
    lines = [InvoiceLine(invoice=invoice, session=s, units=s.units, unit_price=s.unit_price,
                         amount=s.amount) for s in sessions]
    if not lines:
        raise errors.NothingToInvoice(_("There are no sessions in this month that are not invoiced yet."),
                                      field="month")
    InvoiceLine.objects.bulk_create(lines)
    _totals(invoice, lines)


def _totals(invoice: Invoice, lines) -> None:
    agreement = invoice.agreement
    invoice.total = to_money(sum((line.amount for line in lines), ZERO))
    invoice.budget_amount = to_money(sum(
        (budget_share(line.units, min(line.unit_price, agreement.unit_price), agreement.copayment_per_unit)
         for line in lines), ZERO))
    invoice.copayment = to_money(invoice.total - invoice.budget_amount)
    invoice.save(update_fields=["total", "budget_amount", "copayment", "modified_at"])


@transaction.atomic
def invoice_create(*, agreement, year: int, month: int, actor) -> Invoice:
    """A draft invoice for one month of one agreement, with a line for each session not yet invoiced."""
    period_start, period_end = month_bounds(int(year), int(month))
    # Lock the agreement so two clicks cannot build two drafts for the same month.
    type(agreement).objects.select_for_update().filter(pk=agreement.pk).first()
    if Invoice.objects.filter(agreement=agreement, period_start=period_start).exclude(
            status=Invoice.Status.REJECTED).exists():
        raise errors.InvoiceWrongStatus(_("This month already has an invoice for this agreement."), field="month")
    invoice = Invoice.objects.create(agreement=agreement, provider_id=agreement.provider_id,
                                     period_start=period_start, period_end=period_end, created_by=actor)
    _fill_lines(invoice)
    audit(actor=actor, action=AuditEvent.Action.CREATE, obj=invoice, message="invoice.drafted",
          params={"month": f"{period_start:%Y-%m}"})
    sync_invoice(invoice)
    return invoice


def _lock_invoice(invoice: Invoice, *statuses) -> Invoice:
    invoice = (Invoice.objects.select_for_update(of=("self",))
               .select_related("agreement", "agreement__service", "provider").get(pk=invoice.pk))
    if invoice.status not in statuses:
        raise errors.InvoiceWrongStatus(_("The invoice is %(status)s: this cannot be done now.")
                                        % {"status": invoice.get_status_display().lower()})
    return invoice


@transaction.atomic
def invoice_refresh(*, invoice: Invoice, actor) -> Invoice:
    """Rebuild a draft's lines from the month's sessions as they are now (after confirmations or fixes)."""
    invoice = _lock_invoice(invoice, Invoice.Status.DRAFT)
    invoice.lines.all().delete()
    _fill_lines(invoice)
    sync_invoice(invoice)
    return invoice


@transaction.atomic
def invoice_line_remove(*, invoice: Invoice, line_id: int, actor) -> Invoice:
    """Take one line off a draft (e.g. a disputed session to invoice next month)."""
    invoice = _lock_invoice(invoice, Invoice.Status.DRAFT)
    deleted, _unused = invoice.lines.filter(pk=line_id).delete()
    if not deleted:
        raise errors.InvoiceInvalid(_("That line is not on this invoice."))
    _totals(invoice, list(invoice.lines.all()))
    sync_invoice(invoice)
    return invoice


@transaction.atomic
def invoice_delete(*, invoice: Invoice, actor) -> None:
    invoice = _lock_invoice(invoice, Invoice.Status.DRAFT)
    pk, municipality = invoice.pk, connection.tenant
    invoice.lines.all().delete()
    invoice.delete()
    audit(actor=actor, action=AuditEvent.Action.DELETE, object_type="invoicing.invoice", object_id=pk,
          message="invoice.draft_deleted")

    def drop():
        ProviderWorkItem.objects.filter(municipality=municipality, kind="invoice", object_id=pk).delete()

    transaction.on_commit(drop)


@transaction.atomic
def invoice_submit(*, invoice: Invoice, actor) -> Invoice:
    """Submit a clean draft to the municipality: it gets the provider's next gap-free number."""
    invoice = _lock_invoice(invoice, Invoice.Status.DRAFT)
    result = invoice_check(invoice)
    if not result.clean:
        raise errors.InvoiceNotClean(_("The invoice has problems: fix each line marked below, then submit."),
                                     problems=result)
    invoice.number = invoice_number_issue(provider_id=invoice.provider_id, municipality=connection.tenant,
                                          invoice_id=invoice.pk)
    invoice.status = Invoice.Status.SUBMITTED
    invoice.submitted_by, invoice.submitted_at = actor, timezone.now()
    invoice.save(update_fields=["number", "status", "submitted_by", "submitted_at", "modified_at"])
    audit(actor=actor, action=AuditEvent.Action.UPDATE, obj=invoice, message="invoice.submitted",
          params={"number": str(invoice)}, changes={"status": ["draft", "submitted"]})
    sync_invoice(invoice)
    outbox_emit(kind="invoice.submitted", payload={"invoice_id": invoice.pk, "agreement_id": invoice.agreement_id})
    return invoice


def idempotency_key(invoice: Invoice) -> str:
    return f"invoice:{connection.schema_name}:{invoice.pk}"


def _refuse_own_provider(invoice: Invoice, actor) -> None:
    """Separation of duties: the finance officer must not work for the invoice's provider."""
    if ProviderStaff.objects.filter(user_id=actor.pk, provider_id=invoice.provider_id).exists():
        raise errors.OwnProvider(_("You work for this provider: another finance officer must decide its invoice."))


@transaction.atomic
def invoice_approve(*, invoice: Invoice, actor) -> Invoice:
    """The finance officer approves: the budget share is posted from the reservation, exactly once."""
    if not access.is_finance_here(actor):
        raise errors.NotFinanceOfficer(_("Only the municipality's finance officer can approve invoices."))
    _refuse_own_provider(invoice, actor)
    invoice = _lock_invoice(invoice, Invoice.Status.SUBMITTED)
    threshold = MunicipalRules.current().second_approval_above
    if threshold is not None and invoice.total > threshold:
        if invoice.first_approved_by_id is None:  # the first of four eyes: recorded, nothing posted yet
            invoice.first_approved_by, invoice.first_approved_at = actor, timezone.now()
            invoice.save(update_fields=["first_approved_by", "first_approved_at", "modified_at"])
            audit(actor=actor, action=AuditEvent.Action.UPDATE, obj=invoice,
                  message="invoice.first_approval", params={"number": str(invoice)})
            return invoice
        if invoice.first_approved_by_id == actor.pk:
            raise errors.SecondApproverNeeded(_("You approved this invoice first: a second finance officer must "
                                                "complete the approval."))
    agreement = invoice.agreement
    if agreement.reservation_id is None:
        raise errors.InvoiceInvalid(_("The agreement has no budget reservation to pay from."))
    entry = reservation_post(reservation=agreement.reservation, amount=invoice.budget_amount,
                             reference=f"invoice {invoice.display_number}", idempotency_key=idempotency_key(invoice),
                             actor=actor)
    invoice.status = Invoice.Status.APPROVED
    invoice.decided_by, invoice.decided_at, invoice.ledger_entry = actor, timezone.now(), entry
    invoice.save(update_fields=["status", "decided_by", "decided_at", "ledger_entry", "modified_at"])
    audit(actor=actor, action=AuditEvent.Action.UPDATE, obj=invoice, message="invoice.approved",
          params={"number": str(invoice)}, changes={"status": ["submitted", "approved"]})
    outbox_emit(kind="invoice.approved", payload={"invoice_id": invoice.pk, "agreement_id": invoice.agreement_id})
    invoice_approved.send(sender=Invoice, invoice=invoice, actor=actor)
    sync_invoice(invoice)
    return invoice


def _rejection_reason(invoice: Invoice, reason: str, actor) -> str:
    """Who may reject and why: the finance officer, not working for the provider, with a reason."""
    if not access.is_finance_here(actor):
        raise errors.NotFinanceOfficer(_("Only the municipality's finance officer can reject invoices."))
    _refuse_own_provider(invoice, actor)
    reason = (reason or "").strip()
    if not reason:
        raise errors.InvoiceInvalid(_("Give the reason, so the provider knows what to fix."), field="reason")
    return reason


def _mark_rejected(invoice: Invoice, *, reason: str, actor, message: str) -> Invoice:
    before = invoice.status
    invoice.status = Invoice.Status.REJECTED
    invoice.decided_by, invoice.decided_at, invoice.rejection_reason = actor, timezone.now(), reason[:2000]
    invoice.save(update_fields=["status", "decided_by", "decided_at", "rejection_reason", "modified_at"])
    invoice.lines.update(live=False)
    audit(actor=actor, action=AuditEvent.Action.UPDATE, obj=invoice, message=message, params={"number": str(invoice)},
          changes={"status": [before, "rejected"]})
    sync_invoice(invoice)
    outbox_emit(kind="invoice.rejected", payload={"invoice_id": invoice.pk, "agreement_id": invoice.agreement_id})
    return invoice


@transaction.atomic
def invoice_reject(*, invoice: Invoice, reason: str, actor) -> Invoice:
    """The finance officer rejects with a reason the provider sees; its sessions may be invoiced again."""
    reason = _rejection_reason(invoice, reason, actor)
    invoice = _lock_invoice(invoice, Invoice.Status.SUBMITTED)
    return _mark_rejected(invoice, reason=reason, actor=actor, message="invoice.rejected")


@transaction.atomic
def invoice_reject_paid(*, invoice: Invoice, reason: str, actor) -> Invoice:
    """The finance officer cancels an invoice after it was paid (wrong, or to be corrected): rejected with the
    reason, its sessions free to be invoiced again, and its budget share put back into the agreement's
    reservation through the ledger (once). The payments area reverses the money and decides the rail's part."""
    reason = _rejection_reason(invoice, reason, actor)
    invoice = _lock_invoice(invoice, Invoice.Status.PAID)
    post_refund(post=invoice.ledger_entry, reference=f"invoice {invoice.display_number} cancelled",
                idempotency_key=f"{idempotency_key(invoice)}:refund", actor=actor)
    return _mark_rejected(invoice, reason=reason, actor=actor, message="invoice.rejected_after_payment")


@transaction.atomic
def invoice_mark_paid(*, invoice: Invoice, actor, paid_at=None) -> Invoice:
    """The finance officer records the bank payment of an approved invoice."""
    if not access.is_finance_here(actor):
        raise errors.NotFinanceOfficer(_("Only the municipality's finance officer can record payments."))
    invoice = _lock_invoice(invoice, Invoice.Status.APPROVED)
    invoice.status = Invoice.Status.PAID
    invoice.paid_at = paid_at or timezone.now()
    invoice.save(update_fields=["status", "paid_at", "modified_at"])
    audit(actor=actor, action=AuditEvent.Action.UPDATE, obj=invoice, message="invoice.paid",
          params={"number": str(invoice)}, changes={"status": ["approved", "paid"]})
    sync_invoice(invoice)
    outbox_emit(kind="invoice.paid", payload={"invoice_id": invoice.pk, "agreement_id": invoice.agreement_id})
    return invoice


@transaction.atomic
def invoice_payment_settled(*, invoice: Invoice, paid: bool, actor=None, at=None) -> Invoice:
    """The invoice's payment was paid (``paid``) or came back: approved ↔ paid. Called by the payments area,
    which decides who may; a call that changes nothing is a no-op."""
    invoice = Invoice.objects.select_for_update(of=("self",)).get(pk=invoice.pk)
    before, after = (Invoice.Status.APPROVED, Invoice.Status.PAID) if paid else (Invoice.Status.PAID,
                                                                                 Invoice.Status.APPROVED)
    if invoice.status != before:
        return invoice
    invoice.status = after
    invoice.paid_at = (at or timezone.now()) if paid else None
    invoice.save(update_fields=["status", "paid_at", "modified_at"])
    audit(actor=actor, action=AuditEvent.Action.UPDATE, obj=invoice,
          message="invoice.paid" if paid else "invoice.payment_returned",
          params={"number": str(invoice)}, changes={"status": [before, after]})
    if paid:  # the provider and the family are told (notifications)
        outbox_emit(kind="invoice.paid", payload={"invoice_id": invoice.pk, "agreement_id": invoice.agreement_id})
    sync_invoice(invoice)
    return invoice
