"""Delivered sessions and the invoices built from them (tenant schema).

A session is recorded by the provider, then confirmed or disputed by the person
(or their legal representative). Only confirmed sessions are invoiced; a
session is on at most one live invoice line (partial unique constraint).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.platform.core.reads import personal_data
from portal.platform.core.retention import ACCOUNTING_YEARS, REMOVED, free_text, year_ended_before

from .references import invoice_reference


class SessionStatus(models.TextChoices):
    RECORDED = "recorded", _("Waiting for confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    DISPUTED = "disputed", _("Disputed")
    WITHDRAWN = "withdrawn", _("Withdrawn by the provider")


class GoalProgress(models.TextChoices):
    NOT_NOTED = "", _("Not noted")
    NONE = "none", _("No change")
    SOME = "some", _("Some progress")
    GOOD = "good", _("Good progress")
    REACHED = "reached", _("Goal reached")


class SessionFlag(models.TextChoices):
    NONE = "", _("None")
    DUPLICATE = "duplicate", _("Possible duplicate")
    OVERLAP = "overlap", _("Overlaps another session")


class Session(models.Model):
    Status = SessionStatus

    agreement = models.ForeignKey("agreements.Agreement", on_delete=models.PROTECT, related_name="sessions",
                                  verbose_name=_("agreement"))
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start"), null=True, blank=True)
    duration_minutes = models.PositiveIntegerField(_("duration in minutes"), null=True, blank=True)
    units = models.DecimalField(_("units"), max_digits=6, decimal_places=2)
    unit_price = models.DecimalField(_("unit price"), max_digits=10, decimal_places=2)
    staff_name = models.CharField(_("staff member"), max_length=120)
    note = models.CharField(_("note"), max_length=500, blank=True)
    goal_progress = models.CharField(_("progress on the goal"), max_length=20, choices=GoalProgress.choices,
                                     blank=True, default="")
    status = models.CharField(_("status"), max_length=20, choices=SessionStatus.choices,
                              default=SessionStatus.RECORDED, db_index=True)
    flag = models.CharField(_("flag"), max_length=20, choices=SessionFlag.choices, blank=True, default="")
    external_id = models.CharField(_("provider's own id"), max_length=80, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+", verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("confirmed or disputed by"))
    decided_at = models.DateTimeField(_("confirmed or disputed"), null=True, blank=True)
    decided_as = models.CharField(_("as"), max_length=30, blank=True)
    dispute_reason = models.CharField(_("reason for the dispute"), max_length=500, blank=True)
    modified_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        ordering = ["-date", "-start_time", "-id"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        indexes = [models.Index(fields=["agreement", "date"]), models.Index(fields=["status", "date"])]
        constraints = [
            models.CheckConstraint(name="session_units_positive", condition=Q(units__gt=0)),
            models.CheckConstraint(name="session_price_not_negative", condition=Q(unit_price__gte=0)),
            models.UniqueConstraint(fields=["agreement", "external_id"], condition=~Q(external_id=""),
                                    name="session_external_id_unique"),
        ]

    def __str__(self):
        return f"{self.date} {self.units} ({self.status})"

    @property
    def amount(self) -> Decimal:
        return (self.units * self.unit_price).quantize(Decimal("0.01"))


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    PAID = "paid", _("Paid")


LIVE_INVOICE_STATUSES = (InvoiceStatus.DRAFT, InvoiceStatus.SUBMITTED, InvoiceStatus.APPROVED, InvoiceStatus.PAID)


class Invoice(models.Model):
    Status = InvoiceStatus

    agreement = models.ForeignKey("agreements.Agreement", on_delete=models.PROTECT, related_name="invoices",
                                  verbose_name=_("agreement"))
    provider = models.ForeignKey("catalogue.Provider", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("provider"))
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("until"))
    status = models.CharField(_("status"), max_length=20, choices=InvoiceStatus.choices,
                              default=InvoiceStatus.DRAFT, db_index=True)
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2, default=Decimal("0.00"))
    copayment = models.DecimalField(_("co-payment"), max_digits=12, decimal_places=2, default=Decimal("0.00"))
    budget_amount = models.DecimalField(_("from the budget"), max_digits=12, decimal_places=2,
                                        default=Decimal("0.00"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("approved or rejected by"))
    decided_at = models.DateTimeField(_("approved or rejected"), null=True, blank=True)
    # Four eyes above the municipality's amount: the first finance officer's approval, waiting for a second.
    first_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                          blank=True, related_name="+", verbose_name=_("first approval by"))
    first_approved_at = models.DateTimeField(_("first approval"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejecting"), blank=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    ledger_entry = models.ForeignKey("ledger.LedgerEntry", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("ledger posting"))
    modified_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        ordering = ["-period_start", "-id"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        indexes = [models.Index(fields=["status", "submitted_at"])]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "period_start"],
                                    condition=~Q(status="rejected"), name="invoice_one_live_per_month"),
            models.UniqueConstraint(fields=["provider", "number"], name="invoice_number_unique"),
            models.CheckConstraint(name="invoice_numbered_when_submitted",
                                   condition=Q(status="draft") | Q(number__isnull=False)),
            models.CheckConstraint(name="invoice_approved_has_posting",
                                   condition=~Q(status__in=["approved", "paid"]) | Q(ledger_entry__isnull=False)),
        ]

    def __str__(self):
        return self.display_number

    @property
    def display_number(self) -> str:
        return invoice_reference(provider_id=self.provider_id, number=self.number, period_start=self.period_start)


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines",
                                verbose_name=_("invoice"))
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="invoice_lines",
                                verbose_name=_("session"))
    units = models.DecimalField(_("units"), max_digits=6, decimal_places=2)
    unit_price = models.DecimalField(_("unit price"), max_digits=10, decimal_places=2)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    # False once the invoice is rejected: the session may then go on a new invoice.
    live = models.BooleanField(_("live"), default=True)

    class Meta:
        ordering = ["session__date", "session__start_time", "id"]
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        constraints = [
            models.UniqueConstraint(fields=["session"], condition=Q(live=True), name="invoice_line_session_once"),
        ]


# Every read of these during a request lands in the audit log (portal/platform/core/reads.py).
personal_data(Session, via="agreement")
personal_data(Invoice, via="agreement")
personal_data(InvoiceLine, via="invoice")
# Sessions are supporting documents of invoices: kept to the end of their year + 5 years, then their notes and
# the staff member's name go (dates, units and prices stay).
free_text(Session, fields={"note": "", "staff_name": REMOVED, "dispute_reason": ""},
          expired=year_ended_before("date", ACCOUNTING_YEARS))
