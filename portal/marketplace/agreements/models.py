"""Agreements: a person (or their representative) buys a provider's service from their budget.

Money on an agreement, per unit:
  ``unit_price``          what the provider charges (agreed, ≤ the service's listed price);
  ``copayment_per_unit``  what the family pays itself because the price is above the municipality's cap;
  ``budget_unit_price``   = unit_price − copayment_per_unit: what the individual budget pays.
``total_amount`` = total_units × budget_unit_price: what is reserved in the ledger on acceptance.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.platform.core.reads import personal_data
from portal.platform.core.retention import ACCOUNTING_YEARS, ended_before, free_text


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AWAITING_PERSON = "awaiting_person", _("Waiting for the person to confirm")
    AWAITING_PROVIDER = "awaiting_provider", _("Waiting for the provider")
    AWAITING_MUNICIPALITY = "awaiting_municipality", _("Waiting for the municipality's approval")
    ACTIVE = "active", _("Active")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Cancelled")
    COMPLETED = "completed", _("Completed")


# Before the provider or the municipality has said yes: nothing is reserved yet.
OPEN_STATUSES = (AgreementStatus.DRAFT, AgreementStatus.AWAITING_PERSON, AgreementStatus.AWAITING_PROVIDER,
                 AgreementStatus.AWAITING_MUNICIPALITY)
FINAL_STATUSES = (AgreementStatus.DECLINED, AgreementStatus.EXPIRED, AgreementStatus.CANCELLED,
                  AgreementStatus.COMPLETED)


class Agreement(models.Model):
    Status = AgreementStatus

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="agreements",
                               verbose_name=_("person"))
    service = models.ForeignKey("catalogue.Service", on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("service"))
    provider = models.ForeignKey("catalogue.Provider", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("provider"))
    goal = models.ForeignKey("people.Goal", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="agreements", verbose_name=_("goal"))
    category = models.ForeignKey("ledger.BudgetCategory", on_delete=models.PROTECT, related_name="agreements",
                                 verbose_name=_("budget category"))
    unit = models.CharField(_("unit"), max_length=20)
    unit_price = models.DecimalField(_("unit price"), max_digits=10, decimal_places=2)
    copayment_per_unit = models.DecimalField(_("co-payment per unit"), max_digits=10, decimal_places=2,
                                             default=Decimal("0.00"))
    units_per_week = models.DecimalField(_("units a week"), max_digits=6, decimal_places=2, null=True, blank=True)
    total_units = models.DecimalField(_("units in total"), max_digits=8, decimal_places=2)
    total_amount = models.DecimalField(_("amount from the budget"), max_digits=12, decimal_places=2)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("until"))
    status = models.CharField(_("status"), max_length=30, choices=AgreementStatus.choices,
                              default=AgreementStatus.DRAFT, db_index=True)
    explanation = models.TextField(_("explanation for the person"), blank=True)
    # Supported decision-making: who prepared the draft and who decided (confirmed) it.
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+", verbose_name=_("prepared by"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_as = models.CharField(_("decided as"), max_length=30, blank=True)  # self / legal_representative
    sent_at = models.DateTimeField(_("sent to the provider"), null=True, blank=True)
    respond_by = models.DateTimeField(_("provider to answer by"), null=True, blank=True)
    provider_decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                            blank=True, related_name="+", verbose_name=_("provider's answer by"))
    provider_decided_at = models.DateTimeField(_("provider answered"), null=True, blank=True)
    requires_approval = models.BooleanField(_("needs the municipality's approval"), default=False)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("approved by"))
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("cancelled by"))
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_effective = models.DateField(_("cancellation takes effect"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    cancellation_fee = models.DecimalField(_("billable for short notice"), max_digits=12, decimal_places=2,
                                           default=Decimal("0.00"))
    # The ledger reservation made on acceptance (after a short-notice cancellation: the billable part).
    reservation = models.ForeignKey("ledger.LedgerEntry", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("reservation"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    modified_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        indexes = [models.Index(fields=["provider", "status"]), models.Index(fields=["person", "status"]),
                   models.Index(fields=["status", "respond_by"])]
        constraints = [
            models.CheckConstraint(name="agreement_period_order", condition=Q(period_end__gte=models.F("period_start"))),
            models.CheckConstraint(name="agreement_positive_units", condition=Q(total_units__gt=0)),
            models.CheckConstraint(name="agreement_amounts_not_negative",
                                   condition=Q(unit_price__gte=0, copayment_per_unit__gte=0, total_amount__gte=0,
                                               cancellation_fee__gte=0)),
            models.CheckConstraint(name="agreement_copayment_within_price",
                                   condition=Q(copayment_per_unit__lte=models.F("unit_price"))),
            models.CheckConstraint(name="agreement_active_has_reservation",
                                   condition=~Q(status="active") | Q(reservation__isnull=False)),
        ]

    def __str__(self):
        return f"#{self.pk} {self.person_id} ↔ {self.provider_id} ({self.status})"

    @property
    def budget_unit_price(self) -> Decimal:
        return self.unit_price - self.copayment_per_unit

    @property
    def copayment_total(self) -> Decimal:
        return (self.copayment_per_unit * self.total_units).quantize(Decimal("0.01"))

    @property
    def gross_amount(self) -> Decimal:
        return (self.unit_price * self.total_units).quantize(Decimal("0.01"))

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class AgreementEvent(models.Model):
    """One step in an agreement's life: who moved it from which status to which, and why."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="events",
                                  verbose_name=_("agreement"))
    at = models.DateTimeField(_("when"), auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("who"))
    capacity = models.CharField(_("as"), max_length=30, blank=True)
    from_status = models.CharField(_("from"), max_length=30, blank=True)
    to_status = models.CharField(_("to"), max_length=30)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("agreement event")
        verbose_name_plural = _("agreement events")

    @property
    def to_status_label(self) -> str:
        return AgreementStatus(self.to_status).label if self.to_status in AgreementStatus.values else self.to_status


class MunicipalRules(models.Model):
    """The municipality's rules for agreements: one row per municipality (schema), id 1."""

    provider_response_days = models.PositiveSmallIntegerField(
        _("days the provider has to answer"), default=5)
    approval_service_types = ArrayField(
        models.CharField(max_length=50), blank=True, default=list,
        verbose_name=_("service types that need the municipality's approval"))
    approval_above_amount = models.DecimalField(
        _("approval needed above this amount"), max_digits=12, decimal_places=2, null=True, blank=True)
    cancellation_notice_hours = models.PositiveIntegerField(_("cancellation notice in hours"), default=48)
    short_notice_billable_units = models.DecimalField(
        _("units billable after a short-notice cancellation"), max_digits=6, decimal_places=2,
        default=Decimal("1.00"))
    invoice_approval_days = models.PositiveSmallIntegerField(
        _("target for approving invoices, working days"), default=5)
    # Four eyes: an invoice above this total needs a second finance officer's approval (empty: one is enough).
    second_approval_above = models.DecimalField(
        _("second finance officer needed above this invoice total"), max_digits=12, decimal_places=2, null=True,
        blank=True)
    # Respite care at home is counted in days with a yearly limit the municipality sets (``limits``). The
    # seeds give no figure, so there is none until the municipality sets one (empty: no limit).
    respite_days_per_year = models.PositiveSmallIntegerField(
        _("respite care days a year"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(366)])
    modified_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("municipal rules")
        verbose_name_plural = _("municipal rules")
        constraints = [
            models.CheckConstraint(name="municipal_rules_singleton", condition=Q(id=1)),
            models.CheckConstraint(name="municipal_rules_respite_days_range",
                                   condition=Q(respite_days_per_year__isnull=True)
                                   | Q(respite_days_per_year__gte=1, respite_days_per_year__lte=366)),
        ]

    @classmethod
    def current(cls) -> MunicipalRules:
        """The rules of the current municipality (created with defaults on first use)."""
        rules, _created = cls.objects.get_or_create(pk=1)
        return rules

    @property
    def invoice_approval_target_days(self) -> int:  # the name the invoicing area reads
        return self.invoice_approval_days


class CarryOver(models.Model):
    """Asking the person whether a running agreement continues under their new plan's budget.

    A new plan version, approved, closes the previous budget; each agreement that runs on past the new budget's
    start is asked about once (one row per agreement and new budget). The person or their legal representative
    answers: continue (its unposted money moves to the new budget) or not (the agreement is cancelled from the
    new budget's start, with the usual notice rule). Unanswered, it stays on the previous budget's reservation.
    """

    class Status(models.TextChoices):
        ASKED = "asked", _("waiting for the person's answer")
        CONTINUED = "continued", _("continues under the new plan")
        KEPT = "kept", _("continues on the previous budget")
        ENDED = "ended", _("not continued")

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="carry_overs",
                                  verbose_name=_("agreement"))
    previous_budget = models.ForeignKey("ledger.Budget", on_delete=models.PROTECT, related_name="+",
                                        verbose_name=_("previous budget"))
    budget = models.ForeignKey("ledger.Budget", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("new budget"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ASKED,
                              db_index=True)
    # Why a "continue" answer left the money on the previous budget (no_category, nothing_left, a refusal code).
    kept_reason = models.CharField(_("why it stayed"), max_length=60, blank=True)
    asked_at = models.DateTimeField(_("asked"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("answered by"))
    decided_as = models.CharField(_("answered as"), max_length=30, blank=True)
    decided_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("carry-over")
        verbose_name_plural = _("carry-overs")
        constraints = [models.UniqueConstraint(fields=["agreement", "budget"], name="carry_over_once_per_budget")]


# Every read of these during a request lands in the audit log (portal/platform/core/reads.py).
personal_data(Agreement)
personal_data(AgreementEvent, via="agreement")
personal_data(CarryOver, via="agreement")
# What was written about the person goes once the agreement's term (its end + 5 years) has passed.
free_text(Agreement, fields=["explanation", "decline_reason", "cancel_reason"],
          expired=ended_before("period_end", ACCOUNTING_YEARS))
free_text(AgreementEvent, fields=["note"], expired=ended_before("agreement__period_end", ACCOUNTING_YEARS))


class CoPayment(models.Model):
    """The family's part above the cap, paid by card through a Stripe Checkout Session (docs/subsystems/stripe.md).

    It lives here, beside its agreement in the municipality's schema; the Stripe side (public app
    ``stripe_connect``) opens the session and marks the outcome through ``agreements.copayments``.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for payment")
        # Checkout completed with a delayed method (SEPA debit): the bank has not confirmed it yet.
        PROCESSING = "processing", _("Paid by bank debit, waiting for the bank")
        PAID = "paid", _("Paid")
        EXPIRED = "expired", _("Not paid (the payment page expired)")
        FAILED = "failed", _("Not paid (the bank debit failed)")

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="copayments",
                                  verbose_name=_("agreement"))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    checkout_session_id = models.CharField(_("Stripe Checkout Session"), max_length=255, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
                                  verbose_name=_("opened by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    settled_at = models.DateTimeField(_("settled"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("co-payment")
        verbose_name_plural = _("co-payments")
        constraints = [models.CheckConstraint(name="copayment_positive", condition=Q(amount__gt=0))]

    def __str__(self) -> str:
        return f"{self.agreement_id} {self.amount} ({self.status})"
personal_data(CoPayment, via="agreement")
