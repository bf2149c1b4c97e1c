"""Payments of approved invoices, the money accounts' entries, bank batches and reconciliation alerts
(all in the municipality's schema).

A ``Payment`` is created in the approval's transaction (one per invoice: unique invoice and idempotency key)
and executed after commit by the worker on its rail. ``MoneyEntry`` rows are the double-entry record of the
money side — each row moves an amount from one account to another, so every row balances by construction —
and, like the budget ledger, are append-only (migration 0002 refuses UPDATE and DELETE).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.platform.core.reads import personal_data


class Rail(models.TextChoices):
    BANK_FILE = "bank_file", _("Bank file (SEPA credit transfer)")
    STRIPE = "stripe", _("Stripe")


WEEKDAYS = [(0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")), (4, _("Friday"))]


class PaymentSettings(models.Model):
    """How this municipality pays providers (one row, id 1): its rail and the account it pays from."""

    rail = models.CharField(_("payment rail"), max_length=20, choices=Rail.choices, default=Rail.BANK_FILE)
    debtor_name = models.CharField(_("account holder"), max_length=70, blank=True)
    debtor_iban = models.CharField(_("IBAN the municipality pays from"), max_length=34, blank=True)
    debtor_bic = models.CharField(_("BIC"), max_length=11, blank=True)
    # The bank rail's schedule (payments.schedule): a weekly payment run on this weekday (0 = Monday), or,
    # when none is chosen, this many business days after approval.
    payment_weekday = models.PositiveSmallIntegerField(_("payment run weekday"), null=True, blank=True,
                                                       choices=WEEKDAYS)
    business_days_after_approval = models.PositiveSmallIntegerField(
        _("business days from approval to payment"), default=10)
    modified_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("payment settings")
        constraints = [models.CheckConstraint(name="payment_settings_singleton", condition=Q(id=1)),
                       models.CheckConstraint(name="payment_settings_schedule",
                                              condition=(Q(payment_weekday__isnull=True) | Q(payment_weekday__lte=4))
                                              & Q(business_days_after_approval__lte=60))]

    @classmethod
    def current(cls) -> PaymentSettings:
        row, _created = cls.objects.get_or_create(pk=1)
        return row


class PaymentStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    WAITING = "waiting", _("Waiting")
    SENT = "sent", _("Sent")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")
    RETURNED = "returned", _("Returned")
    # The invoice was cancelled after payment: the money came back (Stripe reversal, or recovered by bank) …
    REVERSED = "reversed", _("Reversed")
    # … or, on the bank rail, is still to be recovered from the provider by the finance officer.
    TO_RECOVER = "to_recover", _("To be recovered")


class PaymentBatch(models.Model):
    """A SEPA credit-transfer file (pain.001.001.09) of waiting bank-file payments."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        EXPORTED = "exported", _("Exported")
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT,
                              db_index=True)
    message_id = models.CharField(_("message id"), max_length=35, unique=True)
    execution_date = models.DateField(_("execution date"))
    count = models.PositiveIntegerField(_("payments"), default=0)
    total = models.DecimalField(_("total"), max_digits=14, decimal_places=2, default=Decimal("0.00"))
    xml = models.BinaryField(_("pain.001 file"), editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    exported_at = models.DateTimeField(_("exported"), null=True, blank=True)
    decided_at = models.DateTimeField(_("confirmed or cancelled"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("payment batch")
        verbose_name_plural = _("payment batches")

    def __str__(self):
        return self.message_id


class Payment(models.Model):
    Status = PaymentStatus

    invoice = models.OneToOneField("invoicing.Invoice", on_delete=models.PROTECT, related_name="payment",
                                   verbose_name=_("invoice"))
    provider = models.ForeignKey("catalogue.Provider", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("provider"))
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, unique=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    rail = models.CharField(_("rail"), max_length=20, choices=Rail.choices)
    status = models.CharField(_("status"), max_length=20, choices=PaymentStatus.choices,
                              default=PaymentStatus.REQUESTED, db_index=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    reference = models.CharField(_("reference"), max_length=100, blank=True, db_index=True)
    batch = models.ForeignKey(PaymentBatch, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="payments", verbose_name=_("batch"))
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    returns = models.PositiveIntegerField(_("returns"), default=0)
    reversal_reason = models.CharField(_("why the invoice was cancelled"), max_length=500, blank=True)
    reversal_reference = models.CharField(_("reversal reference"), max_length=100, blank=True)
    reversed_at = models.DateTimeField(_("reversed"), null=True, blank=True)
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    settled_at = models.DateTimeField(_("paid, failed or returned"), null=True, blank=True)
    modified_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [models.CheckConstraint(name="payment_amount_not_negative", condition=Q(amount__gte=0))]

    def __str__(self):
        return f"{self.idempotency_key} {self.status}"


personal_data(Payment, via="invoice")  # the payment of a person's invoice: reading it is audited


class Account(models.TextChoices):
    TREASURY = "treasury", _("Treasury (outside the portal)")
    FUNDING = "funding", _("Funding")
    PAYABLE = "payable", _("Payable to providers")
    PAID = "paid", _("Paid to providers")


class MoneyEntry(models.Model):
    """``amount`` moves from ``credit`` to ``debit``. Append-only; the key makes every step happen once."""

    class Kind(models.TextChoices):
        TOP_UP = "top_up", _("Top-up")
        REQUEST = "request", _("Payment requested")
        PAY = "pay", _("Paid")
        RETURN = "return", _("Returned")
        REVERSE = "reverse", _("Reversed after the invoice was cancelled")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    debit = models.CharField(_("to account"), max_length=20, choices=Account.choices)
    credit = models.CharField(_("from account"), max_length=20, choices=Account.choices)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="entries",
                                verbose_name=_("payment"))
    idempotency_key = models.CharField(_("idempotency key"), max_length=120, unique=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False,
                                   null=True, blank=True, related_name="+", verbose_name=_("recorded by"))

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("money entry")
        verbose_name_plural = _("money entries")
        constraints = [
            models.CheckConstraint(name="money_entry_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(name="money_entry_two_accounts", condition=~Q(debit=models.F("credit"))),
        ]


class ReconciliationAlert(models.Model):
    """Something the reconciliation found for the finance officer; one open row per problem (``key``)."""

    class Kind(models.TextChoices):
        UNMATCHED = "unmatched", _("Statement line matches no payment")
        PAID_NOT_APPROVED = "paid_not_approved", _("Paid, but the invoice is not approved")
        STUCK = "stuck", _("Sent, but not confirmed for too long")
        OVERDRAWN = "overdrawn", _("Approved invoices exceed the funding")

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    key = models.CharField(_("key"), max_length=150, unique=True)
    detail = models.CharField(_("detail"), max_length=500)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, null=True, blank=True)
    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                                verbose_name=_("payment"))
    created_at = models.DateTimeField(_("found"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("reconciliation alert")
        verbose_name_plural = _("reconciliation alerts")
