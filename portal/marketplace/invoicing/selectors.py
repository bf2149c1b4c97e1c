"""Reads for sessions and invoices."""

from __future__ import annotations

from datetime import date as Date
from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.budgets.ledger.services import reservation_remaining
from portal.marketplace.agreements.models import AgreementStatus, MunicipalRules
from portal.platform.core.money import ZERO

from .checks import CheckResult, Line, Terms, budget_share, check_invoice
from .models import Invoice, InvoiceLine, Session, SessionStatus

DEFAULT_APPROVAL_DAYS = 5


def units_invoiced(agreement, *, exclude_invoice: Invoice | None = None) -> Decimal:
    """Units of the agreement on live lines of invoices that have left the draft stage."""
    qs = InvoiceLine.objects.filter(invoice__agreement=agreement, live=True).exclude(
        invoice__status=Invoice.Status.DRAFT)
    if exclude_invoice is not None:
        qs = qs.exclude(invoice=exclude_invoice)
    return qs.aggregate(n=Sum("units"))["n"] or ZERO


def reservation_left(agreement) -> Decimal:
    """What the agreement's reservation can still post, less what submitted invoices will take."""
    if agreement.reservation_id is None:
        return ZERO
    pending = Invoice.objects.filter(agreement=agreement, status=Invoice.Status.SUBMITTED).aggregate(
        n=Sum("budget_amount"))["n"] or ZERO
    return reservation_remaining(agreement.reservation) - pending


def invoice_check(invoice: Invoice) -> CheckResult:
    """Check every line of a draft (or the lines of a submitted invoice) against its agreement."""
    agreement = invoice.agreement
    # A line is blocked when its session duplicates another live session of the agreement (same day and start,
    # or one without a start) that came first or is already on another invoice: the first one may be
    # invoiced, once. Asked in the same query as the lines.
    on_other_invoice = InvoiceLine.objects.filter(session_id=OuterRef("pk"), live=True).exclude(
        invoice_id=OuterRef(OuterRef("invoice_id")))
    same_day = (Session.objects.filter(agreement_id=OuterRef("session__agreement_id"), date=OuterRef("session__date"))
                .exclude(pk=OuterRef("session_id")).exclude(status=SessionStatus.WITHDRAWN)
                .filter(Q(pk__lt=OuterRef("session_id")) | Q(Exists(on_other_invoice))))
    lines = list(invoice.lines.select_related("session").annotate(
        same_day_other=Exists(same_day),
        same_start_other=Exists(same_day.filter(Q(start_time=OuterRef("session__start_time"))
                                                | Q(start_time__isnull=True)))).all())
    session_ids = [line.session_id for line in lines]
    elsewhere = set(InvoiceLine.objects.filter(session_id__in=session_ids, live=True)
                    .exclude(invoice=invoice).values_list("session_id", flat=True))
    remaining = reservation_left(agreement)
    if invoice.status == Invoice.Status.SUBMITTED:
        remaining += invoice.budget_amount
    terms = Terms(
        service_id=agreement.service_id, unit_price=agreement.unit_price,
        copayment_per_unit=agreement.copayment_per_unit, period_start=agreement.period_start,
        period_end=agreement.period_end, total_units=agreement.total_units,
        units_invoiced_before=units_invoiced(agreement, exclude_invoice=invoice),
        reservation_remaining=remaining,
        agreement_active=agreement.status in (AgreementStatus.ACTIVE, AgreementStatus.COMPLETED,
                                              AgreementStatus.CANCELLED))
    return check_invoice(terms, [
        Line(key=line.pk, service_id=agreement.service_id, date=line.session.date, units=line.units,
             unit_price=line.unit_price, session_status=line.session.status,
             invoiced_elsewhere=line.session_id in elsewhere,
             duplicates_another=line.same_day_other if line.session.start_time is None else line.same_start_other)
        for line in lines])


def months_to_confirm(persons) -> list[tuple[Date, int]]:
    """``(first day of the month, how many)`` of the recorded sessions waiting for ``persons``' decision,
    oldest month first (one query): the "confirm all for a month" choices."""
    rows = (Session.objects.filter(status=SessionStatus.RECORDED, agreement__person__in=persons)
            .annotate(month=TruncMonth("date")).values("month").annotate(n=Count("pk")).order_by("month"))
    return [(row["month"], row["n"]) for row in rows]


def sessions_of_agreement(agreement) -> QuerySet[Session]:
    return agreement.sessions.order_by("-date", "-start_time", "-id")


def invoices_of_agreement(agreement) -> QuerySet[Invoice]:
    return agreement.invoices.order_by("-period_start", "-id")


def approval_target_days() -> int:
    rules = MunicipalRules.objects.filter(pk=1).first()
    return rules.invoice_approval_days if rules else DEFAULT_APPROVAL_DAYS


def working_days_between(start: Date, end: Date) -> int:
    """Working days (Mon–Fri) after ``start`` up to and including ``end``."""
    if end <= start:
        return 0
    days, current = 0, start
    while current < end:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days += 1
    return days


def finance_queue(*, status: str = "submitted", query: str = "") -> QuerySet[Invoice]:
    qs = Invoice.objects.exclude(status=Invoice.Status.DRAFT).select_related(
        "agreement__person", "agreement__service", "provider")
    if status in Invoice.Status.values:
        qs = qs.filter(status=status)
    if query:
        qs = qs.filter(Q(provider__name__icontains=query) | Q(agreement__person__last_name__icontains=query))
    return qs.order_by("submitted_at", "id") if status == "submitted" else qs.order_by("-submitted_at", "-id")


def is_overdue(invoice: Invoice, target_days: int, today: Date | None = None) -> bool:
    if invoice.status != Invoice.Status.SUBMITTED or invoice.submitted_at is None:
        return False
    today = today or timezone.localdate()
    return working_days_between(timezone.localtime(invoice.submitted_at).date(), today) > target_days


def timeline(invoice: Invoice) -> list[tuple[str, object]]:
    """(step, when) pairs: created → submitted → approved/rejected → paid."""
    steps = [(_("Created"), invoice.created_at)]
    if invoice.submitted_at:
        steps.append((_("Submitted"), invoice.submitted_at))
    if invoice.decided_at:
        steps.append((_("Rejected") if invoice.status == Invoice.Status.REJECTED else _("Approved"),
                      invoice.decided_at))
    if invoice.paid_at:
        steps.append((_("Paid"), invoice.paid_at))
    return steps


def uninvoiced_amount(agreement) -> Decimal:
    """Budget share of sessions delivered but not on a submitted/approved invoice (drafts count as uninvoiced).

    The agreements area keeps this much reserved when an agreement is cancelled (it asks through
    ``agreements.cancellation.delivered_not_invoiced``, answered in ``signals``).
    """
    sessions = (Session.objects.filter(agreement=agreement)
                .exclude(status__in=[Session.Status.WITHDRAWN, Session.Status.DISPUTED])
                .exclude(invoice_lines__live=True, invoice_lines__invoice__status__in=[
                    Invoice.Status.SUBMITTED, Invoice.Status.APPROVED, Invoice.Status.PAID]))
    total = ZERO
    for units, price in sessions.values_list("units", "unit_price"):
        total += budget_share(units, min(price, agreement.unit_price), agreement.copayment_per_unit)
    return total
