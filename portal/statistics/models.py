"""The statistics cube (public schema): one row per (geography, target group, service type, period).

Rows at ``level = municipality`` with a target group are the rollup proper: written per municipality
by ``services.statistics_refresh`` from that municipality's schema. Every other row (both target groups
together, planning regions, the whole country) is summed from those by ``services.statistics_publish``,
which also decides, in ``suppression``, which figures are hidden. Absent rows are zeros.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

ZERO = Decimal("0.00")

# Measures that count persons (or their goals and agreements): each is suppressed on its own value.
COUNT_MEASURES = (
    "persons_assessed", "persons_with_plan", "persons_with_budget", "persons_nothing_booked",
    "goals_achieved", "goals_partly", "goals_not",
    "agreements_pending", "agreements_active", "agreements_ended", "agreements_stopped",
)
# Money (EUR, to the cent) and plan-months: shown only when the cell's persons (``persons``) may be.
MONEY_MEASURES = ("granted", "reserved", "spent", "returned", "spent_esf", "spent_state", "spent_municipal",
                  "budget_months")
# Lists of values merged when summing (invoice days) or united (provider ids: organisations, not persons).
DAY_MEASURES = ("days_to_approve", "days_to_pay")
PROVIDER_MEASURES = ("providers_active", "providers_approved")


class Level(models.TextChoices):
    MUNICIPALITY = "municipality", _("Municipality")
    REGION = "region", _("Planning region")
    NATIONAL = "national", _("Latvia")


class StatCell(models.Model):
    level = models.CharField(max_length=12, choices=Level.choices)
    geo = models.CharField(max_length=30)  # municipality code, region code or "lv"
    region = models.CharField(max_length=20, blank=True)  # "" at the national level
    target_group = models.CharField(max_length=10, blank=True)  # "" = both
    service_type = models.CharField(max_length=50, blank=True)  # "" = all (and money not tied to a service)
    period = models.CharField(max_length=7, blank=True)  # "" = all time, "2026", "2026-03"
    persons = models.PositiveIntegerField(default=0)  # distinct persons with anything in this cell

    persons_assessed = models.PositiveIntegerField(default=0)
    persons_with_plan = models.PositiveIntegerField(default=0)
    persons_with_budget = models.PositiveIntegerField(default=0)
    persons_nothing_booked = models.PositiveIntegerField(default=0)
    goals_achieved = models.PositiveIntegerField(default=0)
    goals_partly = models.PositiveIntegerField(default=0)
    goals_not = models.PositiveIntegerField(default=0)
    agreements_pending = models.PositiveIntegerField(default=0)
    agreements_active = models.PositiveIntegerField(default=0)
    agreements_ended = models.PositiveIntegerField(default=0)
    agreements_stopped = models.PositiveIntegerField(default=0)

    granted = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    reserved = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    spent = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    returned = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    spent_esf = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    spent_state = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    spent_municipal = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    budget_months = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)

    days_to_approve = ArrayField(models.PositiveIntegerField(), default=list, blank=True)
    days_to_pay = ArrayField(models.PositiveIntegerField(), default=list, blank=True)
    providers_active = ArrayField(models.PositiveIntegerField(), default=list, blank=True)
    providers_approved = ArrayField(models.PositiveIntegerField(), default=list, blank=True)

    # {measure or "persons": "<5" (fewer than five) | "x" (hidden so a small figure cannot be worked out)}
    hidden = models.JSONField(default=dict, blank=True)
    # Region-level rows only, so that a publication can redo one region's unit and Latvia's and agree with a
    # full one (suppression.suppress_staged): the markers of the region's unit decided alone, and the markers
    # Latvia's unit pushed into it (its seeds) — both {measure: marker}.
    hidden_base = models.JSONField(default=dict, blank=True)
    pushed = models.JSONField(default=dict, blank=True)
    refreshed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["level", "geo", "target_group", "service_type", "period"],
                                               name="statistics_cell_unique")]
        indexes = [models.Index(fields=["level", "target_group", "service_type", "period", "region"],
                                name="statistics_cell_slice")]

    def key(self) -> tuple:
        return (self.level, self.geo, self.region, self.target_group, self.service_type, self.period)


class RefreshState(models.Model):
    """When each municipality's rows were last rebuilt — the moment its schema was read (the dashboard says how
    fresh its figures are; a refresh asked for by an earlier commit is skipped)."""

    geo = models.CharField(max_length=30, unique=True)
    refreshed_at = models.DateTimeField()
    seconds = models.FloatField(default=0)


class Publication(models.Model):
    """One row (id 1): bumped in the same transaction as every publication, full or one municipality's.

    Rendered dashboard fragments are cached under ``token`` (a fresh UUID each publication, so two databases
    sharing one cache — tests, the benchmark, another instance — never share an entry), so a figure is never
    shown after the publication that changed it has committed."""

    version = models.PositiveBigIntegerField(default=0)
    token = models.UUIDField()
    published_at = models.DateTimeField()
