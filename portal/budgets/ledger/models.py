"""Budget methodology, individual budgets and the append-only ledger.

Money moves only through ``LedgerEntry`` rows (grant / reserve / post / void /
close). ``BudgetCategory`` keeps the running balances so that a reservation is
one conditional UPDATE on one row; CHECK constraints make an overdrawn
category impossible even if a bug skipped the service layer, and a trigger
(migration 0002) refuses UPDATE and DELETE on ledger entries.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.platform.core.choices import TargetGroup
from portal.platform.core.money import ZERO
from portal.platform.core.reads import personal_data


class BudgetMethodology(models.Model):
    """The municipality's budget rules (one row per schema). Defaults come from the ministry.

    Changing it affects only budgets granted afterwards: each budget keeps a
    snapshot of the figures it was granted with.
    """

    min_period_months = models.PositiveSmallIntegerField(_("shortest plan period (months)"), default=6)
    max_period_months = models.PositiveSmallIntegerField(_("longest plan period (months)"), default=12)
    default_level = models.PositiveSmallIntegerField(
        _("level used when a plan has no assessment level"), default=2)
    # The budget period's rules live with the period bounds: how early the social worker is reminded.
    review_reminder_weeks = models.PositiveSmallIntegerField(
        _("remind of the plan review this many weeks before the period ends"), default=4)
    modified_at = models.DateTimeField(_("changed"), auto_now=True)
    modified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING,
                                    db_constraint=False, related_name="+", verbose_name=_("changed by"))

    class Meta:
        verbose_name = _("budget methodology")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_period_months__gte=1) & Q(min_period_months__lte=F("max_period_months"))
                & Q(max_period_months__lte=24), name="ledger_methodology_period_bounds"),
        ]


class MethodologyRate(models.Model):
    """Annual amount for an assessment level of a target group."""

    target_group = models.CharField(_("target group"), max_length=10, choices=TargetGroup.choices)
    level = models.PositiveSmallIntegerField(_("support-need level"))
    annual_amount = models.DecimalField(_("annual amount (EUR)"), max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["target_group", "level"]
        verbose_name = _("methodology rate")
        constraints = [
            models.UniqueConstraint(fields=["target_group", "level"], name="ledger_rate_unique"),
            models.CheckConstraint(condition=Q(annual_amount__gte=0), name="ledger_rate_nonnegative"),
            models.CheckConstraint(condition=Q(level__gte=1) & Q(level__lte=5), name="ledger_rate_level_range"),
        ]

    def __str__(self):
        return f"{self.target_group} {self.level}: {self.annual_amount}"


class FundingSource(models.Model):
    """Where the money comes from, with its share of every budget (the pilots: ESF 85 %, state 15 %)."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name_lv = models.CharField(_("name (Latvian)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    share_percent = models.DecimalField(_("share (%)"), max_digits=5, decimal_places=2)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("funding source")
        constraints = [
            models.CheckConstraint(condition=Q(share_percent__gte=0) & Q(share_percent__lte=100),
                                   name="ledger_funding_share_range"),
        ]

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "lv").startswith("en") else self.name_lv

    def __str__(self):
        return f"{self.name_lv} {self.share_percent} %"


class Budget(models.Model):
    """The individual budget of one support-plan period."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="budgets",
                               verbose_name=_("person"))
    plan = models.OneToOneField("people.SupportPlan", on_delete=models.PROTECT, related_name="budget",
                                verbose_name=_("support plan"))
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    total = models.DecimalField(_("total (EUR)"), max_digits=12, decimal_places=2)
    # Snapshot of the methodology at grant time: later edits of the table never change this budget.
    target_group = models.CharField(_("target group"), max_length=10, choices=TargetGroup.choices)
    level = models.PositiveSmallIntegerField(_("support-need level"))
    annual_amount = models.DecimalField(_("annual amount (EUR)"), max_digits=10, decimal_places=2)
    period_months = models.DecimalField(_("period (months)"), max_digits=5, decimal_places=2)
    funding = models.JSONField(_("funding sources"), default=list, blank=True)
    granted_at = models.DateTimeField(_("granted"), auto_now_add=True)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING,
                                   db_constraint=False, related_name="+", verbose_name=_("granted by"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-period_start", "-id"]
        verbose_name = _("individual budget")
        verbose_name_plural = _("individual budgets")
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="ledger_budget_total_nonnegative"),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="ledger_budget_period"),
        ]

    def __str__(self):
        return f"{self.person_id} {self.period_start}–{self.period_end}: {self.total}"


class BudgetCategory(models.Model):
    """One part of a budget: the money for one plan goal and the service types that serve it.

    ``available = granted - returned - reserved - spent``; an empty set of
    service types means the category pays for any service type.
    """

    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="categories",
                               verbose_name=_("budget"))
    goal = models.ForeignKey("people.Goal", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="budget_categories", verbose_name=_("goal"))
    name = models.CharField(_("name"), max_length=300)
    service_types = models.ManyToManyField("catalogue.ServiceType", blank=True, related_name="+",
                                           verbose_name=_("service types"))
    share_percent = models.DecimalField(_("share (%)"), max_digits=5, decimal_places=2, default=Decimal("100"))
    granted = models.DecimalField(_("granted"), max_digits=12, decimal_places=2, default=ZERO)
    reserved = models.DecimalField(_("reserved"), max_digits=12, decimal_places=2, default=ZERO)
    spent = models.DecimalField(_("spent"), max_digits=12, decimal_places=2, default=ZERO)
    returned = models.DecimalField(_("returned"), max_digits=12, decimal_places=2, default=ZERO)

    class Meta:
        ordering = ["budget_id", "id"]
        verbose_name = _("budget category")
        verbose_name_plural = _("budget categories")
        constraints = [
            models.CheckConstraint(condition=Q(granted__gte=0), name="ledger_category_granted_nonnegative"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="ledger_category_reserved_nonnegative"),
            models.CheckConstraint(condition=Q(spent__gte=0), name="ledger_category_spent_nonnegative"),
            models.CheckConstraint(condition=Q(returned__gte=0), name="ledger_category_returned_nonnegative"),
            # The one that makes overspend impossible, whatever the code above it does.
            models.CheckConstraint(condition=Q(granted__gte=F("reserved") + F("spent") + F("returned")),
                                   name="ledger_category_not_overdrawn"),
        ]

    def __str__(self):
        return self.name

    @property
    def available(self) -> Decimal:
        return self.granted - self.returned - self.reserved - self.spent


class LedgerEntry(models.Model):
    """One movement of money. Append-only: the database refuses UPDATE and DELETE.

    Every entry moves ``amount`` from one bucket of its category to another,
    so it is balanced by construction (see ``LEGS``):
    grant: funding → available; reserve: available → reserved;
    post: reserved → spent; void: reserved → available; close: available → returned;
    refund (a paid invoice cancelled): spent → reserved, back into the reservation it was posted from.
    """

    class Kind(models.TextChoices):
        GRANT = "grant", _("grant")
        RESERVE = "reserve", _("reservation")
        POST = "post", _("payment")
        VOID = "void", _("release")
        CLOSE = "close", _("return at period end")
        REFUND = "refund", _("payment cancelled")

    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="entries", verbose_name=_("budget"))
    category = models.ForeignKey(BudgetCategory, on_delete=models.PROTECT, related_name="entries",
                                 verbose_name=_("category"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    reservation = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="resolutions", verbose_name=_("reservation"))
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING,
                              db_constraint=False, related_name="+", verbose_name=_("by"))
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        indexes = [models.Index(fields=["budget", "-created_at"], name="ledger_entry_budget_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="ledger_entry_amount_nonnegative"),
            models.CheckConstraint(
                condition=~Q(kind__in=["grant", "reserve", "post", "refund"]) | Q(amount__gt=0),
                name="ledger_entry_amount_positive"),
            # post, void and refund point at their reservation; nothing else does.
            models.CheckConstraint(
                condition=(Q(kind__in=["post", "void", "refund"]) & Q(reservation__isnull=False))
                | (~Q(kind__in=["post", "void", "refund"]) & Q(reservation__isnull=True)),
                name="ledger_entry_reservation_link"),
            # A reservation is released at most once.
            models.UniqueConstraint(fields=["reservation"], condition=Q(kind="void"),
                                    name="ledger_entry_void_once"),
        ]

    def __str__(self):
        return f"{self.kind} {self.amount} ({self.reference})"


# (from, to) bucket of each kind of entry: the two legs of a balanced movement.
LEGS = {
    LedgerEntry.Kind.GRANT: ("funding", "available"),
    LedgerEntry.Kind.RESERVE: ("available", "reserved"),
    LedgerEntry.Kind.POST: ("reserved", "spent"),
    LedgerEntry.Kind.VOID: ("reserved", "available"),
    LedgerEntry.Kind.CLOSE: ("available", "returned"),
    LedgerEntry.Kind.REFUND: ("spent", "reserved"),
}


# Every read of these during a request lands in the audit log (portal/platform/core/reads.py).
personal_data(Budget)
personal_data(BudgetCategory, via="budget")
personal_data(LedgerEntry, via="budget")
