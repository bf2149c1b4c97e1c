"""Writes for delivered sessions and invoices: ``<noun>_<verb>(*, ..., actor)``.

Every service runs in one transaction and writes nothing when it refuses.
The provider's cross-municipality index (registry, public schema) is updated
on commit.
"""

from __future__ import annotations

import calendar
from datetime import date as Date
from datetime import time as Time
from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.platform.core.models import AuditEvent, audit
from portal.platform.core.money import ZERO, to_money
from portal.platform.outbox.services import outbox_emit

from . import access, errors
from .checks import budget_share, overlaps
from .index import sync_invoice, sync_session
from .models import GoalProgress, Invoice, InvoiceLine, Session, SessionFlag, SessionStatus
from .selectors import invoice_check

MAX_UNITS_PER_SESSION = Decimal("24")


# ----------------------------------------------------------------------------- sessions
def _decimal(value, field: str) -> Decimal:
    if isinstance(value, Decimal):
        return value
    try:
        if isinstance(value, float):
            value = str(value)
        return Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise errors.SessionInvalid(_("Enter a number."), field=field) from None


def _validated_session(agreement, *, date, units, staff_name, start_time=None, duration_minutes=None, note="",
                       goal_progress="", unit_price=None) -> dict:
    from portal.marketplace.agreements.models import AgreementStatus

    if agreement.status != AgreementStatus.ACTIVE:
        raise errors.SessionInvalid(_("Sessions can be recorded only on an active agreement."), field="date")
    if not isinstance(date, Date):
        raise errors.SessionInvalid(_("Enter the date of the session."), field="date")
    if date > timezone.localdate():
        raise errors.SessionInvalid(_("A session cannot be recorded before it has happened."), field="date")
    units = _decimal(units, "units")
    if units <= 0 or units > MAX_UNITS_PER_SESSION:
        raise errors.SessionInvalid(_("Units must be more than 0 and at most %(max)s.")
                                    % {"max": MAX_UNITS_PER_SESSION}, field="units")
    if units != units.quantize(Decimal("0.01")):
        raise errors.SessionInvalid(_("Use at most two decimal places."), field="units")
    staff_name = (staff_name or "").strip()
    if not staff_name:
        raise errors.SessionInvalid(_("Enter the staff member who delivered the session."), field="staff_name")
    if duration_minutes in ("", None):
        duration_minutes = None
    else:
        try:
            duration_minutes = int(duration_minutes)
        except (TypeError, ValueError):
            raise errors.SessionInvalid(_("Enter the duration in whole minutes."), field="duration_minutes") \
                from None
        if not 1 <= duration_minutes <= 24 * 60:
            raise errors.SessionInvalid(_("Enter the duration in whole minutes."), field="duration_minutes")
    if start_time is not None and not isinstance(start_time, Time):
        raise errors.SessionInvalid(_("Enter the start time as HH:MM."), field="start_time")
    if goal_progress not in GoalProgress.values:
        raise errors.SessionInvalid(_("Choose the progress on the goal from the list."), field="goal_progress")
    price = agreement.unit_price if unit_price in (None, "") else to_money(_decimal(unit_price, "unit_price"))
    if price < 0:
        raise errors.SessionInvalid(_("The unit price cannot be negative."), field="unit_price")
    return {"date": date, "units": units, "staff_name": staff_name[:120], "start_time": start_time,
            "duration_minutes": duration_minutes, "note": (note or "").strip()[:500], "goal_progress": goal_progress,
            "unit_price": price}


def _minutes_of(session_like) -> int:
    if session_like.duration_minutes:
        return session_like.duration_minutes
    if session_like.agreement.unit == "hour":
        return int(session_like.units * 60)
    return 60


def _flag_against_existing(session: Session) -> None:
    """Mark duplicates (same person, day and start) and overlaps (same person, overlapping times)."""
    others = (Session.objects.filter(agreement__person_id=session.agreement.person_id, date=session.date)
              .exclude(pk=session.pk).exclude(status=SessionStatus.WITHDRAWN).select_related("agreement"))
    flag = ""
    for other in others:
        if other.agreement_id == session.agreement_id and other.start_time == session.start_time \
                and other.units == session.units:
            this = SessionFlag.DUPLICATE
        elif session.start_time and other.start_time and overlaps(
                session.start_time, _minutes_of(session), other.start_time, _minutes_of(other)):
            this = SessionFlag.OVERLAP
        elif other.agreement_id == session.agreement_id and (not session.start_time or not other.start_time):
            this = SessionFlag.DUPLICATE
        else:
            continue
        flag = flag or this
        if not other.flag:
            Session.objects.filter(pk=other.pk).update(flag=this)
    if flag != session.flag:
        session.flag = flag
        Session.objects.filter(pk=session.pk).update(flag=flag)


@transaction.atomic
def session_record(*, agreement, date, units, staff_name, actor, start_time=None, duration_minutes=None, note="",
                   goal_progress="", unit_price=None, external_id="") -> Session:
    """The provider records one delivered session. Same ``external_id`` twice returns the first session."""
    external_id = (external_id or "").strip()[:80]
    if external_id:
        existing = Session.objects.filter(agreement=agreement, external_id=external_id).first()
        if existing is not None:
            return existing
    fields = _validated_session(agreement, date=date, units=units, staff_name=staff_name, start_time=start_time,
                                duration_minutes=duration_minutes, note=note, goal_progress=goal_progress,
                                unit_price=unit_price)
    session = Session(agreement=agreement, recorded_by=actor, external_id=external_id, **fields)
    session.full_clean(exclude=["agreement", "recorded_by"])
    session.save()
    _flag_against_existing(session)
    audit(actor=actor, action=AuditEvent.Action.CREATE, obj=session, summary=f"session {session.date}")
    sync_session(session)
    return session


@transaction.atomic
def sessions_bulk_record(*, agreement, rows: list[dict], actor) -> list[Session]:
    """Record many sessions at once (bulk form, CSV, API): all or nothing.

    A problem on any row refuses the whole batch, naming the row.
    """
    if not rows:
        raise errors.SessionInvalid(_("There are no sessions to record."))
    if len(rows) > 500:
        raise errors.SessionInvalid(_("Send at most 500 sessions at once."))
    sessions = []
    for index, row in enumerate(rows, start=1):
        try:
            with transaction.atomic():
                sessions.append(session_record(agreement=agreement, actor=actor, **row))
        except errors.DomainError as exc:
            raise type(exc)(_("Row %(row)s: %(message)s") % {"row": index, "message": exc.message},
                            field=exc.field) from None
    return sessions


def month_rows(*, year: int, month: int, weekdays: list[int], start_time: Time | None, units, staff_name: str,
               note: str = "", until: Date | None = None) -> list[dict]:
    """Rows for bulk entry: one session on each chosen weekday (0 = Monday) of the month, up to ``until``."""
    last = calendar.monthrange(year, month)[1]
    rows = []
    for day in range(1, last + 1):
        when = Date(year, month, day)
        if until and when > until:
            break
        if when.weekday() in weekdays:
            rows.append({"date": when, "start_time": start_time, "units": units, "staff_name": staff_name,
                         "note": note})
    return rows


def _require_family_decider(session: Session, actor) -> str:
    capacity = access.capacity_for_session(actor, session)
    if capacity not in access.DECIDING_CAPACITIES:
        raise errors.NotYourSession(_("Only the person or their legal representative can confirm or dispute "
                                      "a session."))
    return capacity


@transaction.atomic
def session_confirm(*, session: Session, actor) -> Session:
    """The person (or legal representative) confirms the session happened as recorded."""
    capacity = _require_family_decider(session, actor)
    session = Session.objects.select_for_update().select_related("agreement", "agreement__service").get(
        pk=session.pk)
    if session.status not in (SessionStatus.RECORDED, SessionStatus.DISPUTED):
        raise errors.SessionAlreadyDecided(_("This session is already %(status)s.")
                                           % {"status": session.get_status_display().lower()})
    old = session.status
    session.status = SessionStatus.CONFIRMED
    session.decided_by, session.decided_at, session.decided_as = actor, timezone.now(), capacity
    session.dispute_reason = ""
    session.save(update_fields=["status", "decided_by", "decided_at", "decided_as", "dispute_reason",
                                "modified_at"])
    audit(actor=actor, action=AuditEvent.Action.UPDATE, obj=session, summary="session confirmed",
          changes={"status": [old, session.status]})
    sync_session(session)
    return session


@transaction.atomic
def session_dispute(*, session: Session, reason: str, actor) -> Session:
    """The person (or legal representative) disputes the session; it cannot be invoiced until resolved."""
    capacity = _require_family_decider(session, actor)
    reason = (reason or "").strip()
    if not reason:
        raise errors.SessionInvalid(_("Say what is wrong with the session."), field="reason")
    session = Session.objects.select_for_update().select_related("agreement", "agreement__service").get(
        pk=session.pk)
    if session.status != SessionStatus.RECORDED:
        raise errors.SessionAlreadyDecided(_("This session is already %(status)s.")
                                           % {"status": session.get_status_display().lower()})
    session.status = SessionStatus.DISPUTED
    session.decided_by, session.decided_at, session.decided_as = actor, timezone.now(), capacity
    session.dispute_reason = reason[:500]
    session.save(update_fields=["status", "decided_by", "decided_at", "decided_as", "dispute_reason",
                                "modified_at"])
    audit(actor=actor, action=AuditEvent.Action.UPDATE, obj=session, summary="session disputed",
          changes={"status": [SessionStatus.RECORDED, SessionStatus.DISPUTED]})
    sync_session(session)
    return session


def _lock_for_provider_change(session: Session) -> Session:
    session = Session.objects.select_for_update().select_related("agreement", "agreement__service").get(
        pk=session.pk)
    if session.status == SessionStatus.CONFIRMED or session.status == SessionStatus.WITHDRAWN:
        raise errors.SessionNotEditable(_("A confirmed or withdrawn session cannot be changed."))
    if session.invoice_lines.filter(live=True).exists():
        raise errors.SessionNotEditable(_("The session is on an invoice and cannot be changed."))
    return session


@transaction.atomic
def session_correct(*, session: Session, units, staff_name, note, actor, start_time=None, duration_minutes=None,
                    goal_progress="") -> Session:
    """The provider corrects a recorded or disputed session; it goes back to the person to confirm."""
    session = _lock_for_provider_change(session)
    fields = _validated_session(session.agreement, date=session.date, units=units, staff_name=staff_name,
                                start_time=start_time, duration_minutes=duration_minutes, note=note,
                                goal_progress=goal_progress, unit_price=session.unit_price)
    for name, value in fields.items():
        setattr(session, name, value)
    session.status = SessionStatus.RECORDED
    session.decided_by = session.decided_at = None
    session.decided_as = ""
    session.save()
    audit(actor=actor, action=AuditEvent.Action.UPDATE, obj=session, summary="session corrected")
    sync_session(session)
    return session


@transaction.atomic
def session_withdraw(*, session: Session, actor) -> Session:
    """The provider withdraws a session it recorded by mistake (resolves a dispute in the person's favour)."""
    session = _lock_for_provider_change(session)
    old = session.status
    session.status = SessionStatus.WITHDRAWN
    session.save(update_fields=["status", "modified_at"])
    audit(actor=actor, action=AuditEvent.Action.UPDATE, obj=session, summary="session withdrawn",
          changes={"status": [old, session.status]})
    sync_session(session)
    return session


# ----------------------------------------------------------------------------- invoices
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
    audit(actor=actor, action=AuditEvent.Action.CREATE, obj=invoice, summary=f"invoice draft {period_start:%Y-%m}")
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
          summary="invoice draft deleted")

    def drop():
        from portal.marketplace.registry.models import ProviderWorkItem

        ProviderWorkItem.objects.filter(municipality=municipality, kind="invoice", object_id=pk).delete()

    transaction.on_commit(drop)


@transaction.atomic
def invoice_submit(*, invoice: Invoice, actor) -> Invoice:
    """Submit a clean draft to the municipality: it gets the provider's next gap-free number."""
    from portal.marketplace.registry.services import invoice_number_issue

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
    audit(actor=actor, action=AuditEvent.Action.UPDATE, obj=invoice, summary=f"invoice {invoice} submitted",
          changes={"status": ["draft", "submitted"]})
    sync_invoice(invoice)
    return invoice


def idempotency_key(invoice: Invoice) -> str:
    return f"invoice:{connection.schema_name}:{invoice.pk}"


@transaction.atomic
def invoice_approve(*, invoice: Invoice, actor) -> Invoice:
    """The finance officer approves: the budget share is posted from the reservation, exactly once."""
    from portal.budgets.ledger.services import reservation_post

    if not access.is_finance_here(actor):
        raise errors.InvoiceWrongStatus(_("Only the municipality's finance officer can approve invoices."))
    invoice = _lock_invoice(invoice, Invoice.Status.SUBMITTED)
    agreement = invoice.agreement
    if agreement.reservation_id is None:
        raise errors.InvoiceInvalid(_("The agreement has no budget reservation to pay from."))
    entry = reservation_post(reservation=agreement.reservation, amount=invoice.budget_amount,
                             reference=f"invoice {invoice.display_number}", idempotency_key=idempotency_key(invoice),
                             actor=actor)
    invoice.status = Invoice.Status.APPROVED
    invoice.decided_by, invoice.decided_at, invoice.ledger_entry = actor, timezone.now(), entry
    invoice.save(update_fields=["status", "decided_by", "decided_at", "ledger_entry", "modified_at"])
    audit(actor=actor, action=AuditEvent.Action.UPDATE, obj=invoice, summary=f"invoice {invoice} approved",
          changes={"status": ["submitted", "approved"]})
    outbox_emit(kind="invoice.approved", payload={"invoice_id": invoice.pk, "agreement_id": invoice.agreement_id})
    sync_invoice(invoice)
    return invoice


@transaction.atomic
def invoice_reject(*, invoice: Invoice, reason: str, actor) -> Invoice:
    """The finance officer rejects with a reason the provider sees; its sessions may be invoiced again."""
    if not access.is_finance_here(actor):
        raise errors.InvoiceWrongStatus(_("Only the municipality's finance officer can reject invoices."))
    reason = (reason or "").strip()
    if not reason:
        raise errors.InvoiceInvalid(_("Give the reason, so the provider knows what to fix."), field="reason")
    invoice = _lock_invoice(invoice, Invoice.Status.SUBMITTED)
    invoice.status = Invoice.Status.REJECTED
    invoice.decided_by, invoice.decided_at, invoice.rejection_reason = actor, timezone.now(), reason[:2000]
    invoice.save(update_fields=["status", "decided_by", "decided_at", "rejection_reason", "modified_at"])
    invoice.lines.update(live=False)
    audit(actor=actor, action=AuditEvent.Action.UPDATE, obj=invoice, summary=f"invoice {invoice} rejected",
          changes={"status": ["submitted", "rejected"]})
    sync_invoice(invoice)
    return invoice


@transaction.atomic
def invoice_mark_paid(*, invoice: Invoice, actor, paid_at=None) -> Invoice:
    """The finance officer records the bank payment of an approved invoice."""
    if not access.is_finance_here(actor):
        raise errors.InvoiceWrongStatus(_("Only the municipality's finance officer can record payments."))
    invoice = _lock_invoice(invoice, Invoice.Status.APPROVED)
    invoice.status = Invoice.Status.PAID
    invoice.paid_at = paid_at or timezone.now()
    invoice.save(update_fields=["status", "paid_at", "modified_at"])
    audit(actor=actor, action=AuditEvent.Action.UPDATE, obj=invoice, summary=f"invoice {invoice} paid",
          changes={"status": ["approved", "paid"]})
    sync_invoice(invoice)
    return invoice
