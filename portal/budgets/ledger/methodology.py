"""The budget methodology: ministry defaults, pro-rata amounts and editing the table.

Edits change only budgets granted afterwards (each budget stores a snapshot).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from portal.platform.core.dates import add_months
from portal.platform.core.models import AuditEvent, audit
from portal.platform.core.money import CENT, to_money

from .errors import MethodologyInvalid
from .models import BudgetMethodology, FundingSource, MethodologyRate, TargetGroup

# The ministry's defaults, set so that a pilot-like mix of levels (most children at levels 2–3, most
# adults at level 3) averages the pilots' figures (seed 002): about 7 000 EUR per child-year and
# 8 900 EUR per adult-year.
LEVELS = (1, 2, 3, 4)
DEFAULT_RATES = {
    (TargetGroup.CHILDREN, 1): Decimal("4800.00"),
    (TargetGroup.CHILDREN, 2): Decimal("6300.00"),
    (TargetGroup.CHILDREN, 3): Decimal("7500.00"),
    (TargetGroup.CHILDREN, 4): Decimal("9500.00"),
    (TargetGroup.ADULTS, 1): Decimal("6500.00"),
    (TargetGroup.ADULTS, 2): Decimal("7900.00"),
    (TargetGroup.ADULTS, 3): Decimal("9200.00"),
    (TargetGroup.ADULTS, 4): Decimal("11500.00"),
}
# (code, Latvian name, English name, share %): the pilots' split (seed 003); municipal money 0 by default.
DEFAULT_FUNDING = [
    ("esf", "Eiropas Sociālais fonds", "European Social Fund", Decimal("85.00")),
    ("state", "Valsts budžets", "State budget", Decimal("15.00")),
    ("municipal", "Pašvaldības budžets", "Municipal budget", Decimal("0.00")),
]


def methodology_seed() -> BudgetMethodology:
    """Create the ministry defaults in the current schema where missing (idempotent)."""
    methodology = BudgetMethodology.objects.order_by("pk").first() or BudgetMethodology.objects.create()
    existing = set(MethodologyRate.objects.values_list("target_group", "level"))
    MethodologyRate.objects.bulk_create([
        MethodologyRate(target_group=group, level=level, annual_amount=amount)
        for (group, level), amount in DEFAULT_RATES.items() if (group, level) not in existing])
    if not FundingSource.objects.exists():
        FundingSource.objects.bulk_create([
            FundingSource(code=code, name_lv=lv, name_en=en, share_percent=share, position=i)
            for i, (code, lv, en, share) in enumerate(DEFAULT_FUNDING)])
    return methodology


def methodology_current() -> BudgetMethodology:
    return BudgetMethodology.objects.order_by("pk").first() or methodology_seed()


def rate_table() -> dict[tuple[str, int], Decimal]:
    return {(r.target_group, r.level): r.annual_amount for r in MethodologyRate.objects.all()}


def period_months(start: dt.date, end: dt.date) -> Decimal:
    """Length of the inclusive period in months, to 2 places (1 Oct – 30 Sep = 12.00)."""
    end_excl = end + dt.timedelta(days=1)
    months = (end_excl.year - start.year) * 12 + (end_excl.month - start.month)
    anchor = add_months(start, months)
    if anchor > end_excl:
        months -= 1
        anchor = add_months(start, months)
    extra_days = (end_excl - anchor).days
    days_in_month = calendar.monthrange(anchor.year, anchor.month)[1]
    value = Decimal(months) + Decimal(extra_days) / Decimal(days_in_month)
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Amount:
    annual_amount: Decimal
    months: Decimal
    total: Decimal


def budget_amount(*, target_group: str, level: int, period_start: dt.date, period_end: dt.date,
                  methodology: BudgetMethodology | None = None, rates: dict | None = None) -> Amount:
    """Annual amount for the level, pro rata for the period (capped at the longest period)."""
    methodology = methodology or methodology_current()
    rates = rates if rates is not None else rate_table()
    annual = rates.get((target_group, level))
    if annual is None:
        raise MethodologyInvalid(_("The budget methodology has no amount for this target group and level."),
                                 field="level")
    months = period_months(period_start, period_end)
    counted = min(months, Decimal(methodology.max_period_months))
    total = (annual * counted / Decimal(12)).quantize(CENT, rounding=ROUND_HALF_UP)
    return Amount(annual_amount=annual, months=months, total=total)


def funding_split(total: Decimal) -> list[dict]:
    """The funding sources' shares of ``total`` (rounding rest on the largest share): a snapshot for the budget."""
    sources = [s for s in FundingSource.objects.all() if s.share_percent > 0]
    parts = [(total * s.share_percent / Decimal(100)).quantize(CENT, rounding=ROUND_HALF_UP) for s in sources]
    if parts:
        largest = max(range(len(parts)), key=lambda i: sources[i].share_percent)
        parts[largest] += total - sum(parts)
    return [{"code": s.code, "name_lv": s.name_lv, "name_en": s.name_en, "share_percent": str(s.share_percent),
             "amount": str(part)} for s, part in zip(sources, parts)]


@transaction.atomic
def methodology_update(*, min_period_months: int, max_period_months: int, rates: dict[tuple[str, int], Decimal],
                       funding: dict[str, Decimal], actor, request=None) -> BudgetMethodology:
    """Change the municipality's table. Budgets already granted keep their amounts.

    ``rates``: {(target group, level): annual amount}; ``funding``: {source code: share %}, summing to 100.
    """
    if not (1 <= min_period_months <= max_period_months <= 24):
        raise MethodologyInvalid(_("The shortest period must be at least 1 month and not longer than the "
                                   "longest period (at most 24 months)."), field="min_period_months")
    clean_rates = {}
    for (group, level), amount in rates.items():
        if group not in TargetGroup.values or level not in LEVELS:
            raise MethodologyInvalid(_("Unknown target group or level."), field="rates")
        try:
            amount = to_money(amount)
        except (TypeError, ValueError):
            raise MethodologyInvalid(_("Enter the annual amount in euros, for example 7000.00."),
                                     field=f"rate_{group}_{level}") from None
        if amount < 0 or amount > Decimal("1000000"):
            raise MethodologyInvalid(_("The annual amount must be between 0 and 1 000 000 EUR."),
                                     field=f"rate_{group}_{level}")
        clean_rates[(group, level)] = amount
    sources = {s.code: s for s in FundingSource.objects.select_for_update()}
    clean_funding = {}
    for code, share in funding.items():
        if code not in sources:
            raise MethodologyInvalid(_("Unknown funding source."), field="funding")
        share = to_money(share)
        if share < 0 or share > 100:
            raise MethodologyInvalid(_("A share must be between 0 and 100 %."), field=f"funding_{code}")
        clean_funding[code] = share
    merged = {code: clean_funding.get(code, s.share_percent) for code, s in sources.items()}
    if sum(merged.values()) != Decimal("100.00"):
        raise MethodologyInvalid(_("The funding shares must add up to 100 %% (now %(sum)s %%).") % {
            "sum": sum(merged.values())}, field="funding")

    methodology = BudgetMethodology.objects.select_for_update().order_by("pk").first() or methodology_seed()
    old = {"min": methodology.min_period_months, "max": methodology.max_period_months,
           "rates": {f"{g}:{lv}": str(a) for (g, lv), a in rate_table().items()},
           "funding": {c: str(s.share_percent) for c, s in sources.items()}}
    methodology.min_period_months = min_period_months
    methodology.max_period_months = max_period_months
    methodology.modified_by = actor if getattr(actor, "is_authenticated", False) else None
    methodology.save()
    for (group, level), amount in clean_rates.items():
        MethodologyRate.objects.update_or_create(target_group=group, level=level,
                                                 defaults={"annual_amount": amount})
    for code, share in clean_funding.items():
        if sources[code].share_percent != share:
            sources[code].share_percent = share
            sources[code].save(update_fields=["share_percent"])
    new = {"min": min_period_months, "max": max_period_months,
           "rates": {f"{g}:{lv}": str(a) for (g, lv), a in rate_table().items()},
           "funding": {c: str(merged[c]) for c in sources}}
    audit(actor=actor, action=AuditEvent.Action.UPDATE, obj=methodology, message="budget.methodology_changed",
          changes={"old": old, "new": new}, request=request)
    return methodology
