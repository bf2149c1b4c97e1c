"""The checks an invoice must pass before it is submitted, as pure functions.

Each line is checked against the agreement: the service, unit price ≤ agreed,
date inside the agreement period, units within what was agreed (counting what
earlier invoices already took), not invoiced twice, not a duplicate of another
session (same day and start, or one of them without a start time: the later
one is blocked until removed or the other withdrawn), the session confirmed and
not disputed, and the budget reservation still covering it. Every problem is
attached to the line that causes it, so the provider sees what to fix where.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from portal.platform.core.formats import format_number
from portal.platform.core.money import ZERO, format_eur, to_money


@dataclass(frozen=True)
class Terms:
    """What the agreement allows (and what is left of it)."""

    service_id: int
    unit_price: Decimal
    copayment_per_unit: Decimal
    period_start: date
    period_end: date
    total_units: Decimal
    units_invoiced_before: Decimal  # on other invoices that are submitted, approved or paid
    reservation_remaining: Decimal  # what the ledger reservation can still post
    agreement_active: bool = True


@dataclass(frozen=True)
class Line:
    key: int
    service_id: int
    date: date
    units: Decimal
    unit_price: Decimal
    session_status: str  # confirmed / recorded / disputed / rejected
    invoiced_elsewhere: bool = False
    duplicates_another: bool = False  # an earlier (or already invoiced) session on the same day and start


@dataclass
class Problem:
    code: str
    message: str


@dataclass
class CheckResult:
    lines: dict[int, list[Problem]] = field(default_factory=dict)
    invoice: list[Problem] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.invoice and not any(self.lines.values())

    def all_codes(self) -> set[str]:
        return {p.code for p in self.invoice} | {p.code for ps in self.lines.values() for p in ps}


def budget_share(units: Decimal, unit_price: Decimal, copayment_per_unit: Decimal) -> Decimal:
    """What the individual budget pays for ``units``: the price less the family's co-payment."""
    return to_money(units * (unit_price - copayment_per_unit))


def check_invoice(terms: Terms, lines: list[Line]) -> CheckResult:
    result = CheckResult()
    if not lines:
        result.invoice.append(Problem("invoice.empty", _("The invoice has no lines: add confirmed sessions.")))
    if not terms.agreement_active:
        result.invoice.append(Problem("invoice.agreement_not_active",
                                      _("The agreement is not active, so it cannot be invoiced.")))
    units_so_far = terms.units_invoiced_before
    budget_so_far = ZERO
    for line in sorted(lines, key=lambda item: (item.date, item.key)):
        problems: list[Problem] = []
        if line.service_id != terms.service_id:
            problems.append(Problem("line.wrong_service", _("This service is not the one in the agreement.")))
        if line.unit_price > terms.unit_price:
            problems.append(Problem("line.price_above_agreed", _(
                "The unit price %(price)s is above the agreed %(agreed)s.")
                % {"price": format_eur(line.unit_price), "agreed": format_eur(terms.unit_price)}))
        if not (terms.period_start <= line.date <= terms.period_end):
            problems.append(Problem("line.outside_period", _(
                "The date %(date)s is outside the agreement period %(start)s – %(end)s.")
                % {"date": line.date.isoformat(), "start": terms.period_start.isoformat(),
                   "end": terms.period_end.isoformat()}))
        if line.invoiced_elsewhere:
            problems.append(Problem("line.already_invoiced", _("This session is already on another invoice.")))
        if line.duplicates_another:
            problems.append(Problem("line.duplicate", _(
                "This session duplicates an earlier one of the same day and time (or one without a time): "
                "remove this line, or withdraw the session that did not happen.")))
        if line.session_status == "disputed":
            problems.append(Problem("line.disputed", _(
                "The person disputes this session: it cannot be invoiced until the dispute is resolved.")))
        elif line.session_status != "confirmed":
            problems.append(Problem("line.not_confirmed", _(
                "The person has not confirmed this session yet.")))
        units_so_far += line.units
        if units_so_far > terms.total_units:
            problems.append(Problem("line.units_exceed_agreement", _(
                "With this line %(used)s units are invoiced, but the agreement allows %(allowed)s.")
                % {"used": _plain(units_so_far), "allowed": _plain(terms.total_units)}))
        budget_so_far += budget_share(line.units, min(line.unit_price, terms.unit_price), terms.copayment_per_unit)
        if budget_so_far > terms.reservation_remaining:
            problems.append(Problem("line.reservation_exhausted", _(
                "The budget reservation has only %(left)s left; with this line the invoice needs %(needed)s.")
                % {"left": format_eur(terms.reservation_remaining), "needed": format_eur(budget_so_far)}))
        result.lines[line.key] = problems
    return result


def _plain(value: Decimal) -> str:
    return format_number(value)


def overlaps(a_start, a_minutes: int, b_start, b_minutes: int) -> bool:
    """Do two sessions on the same day overlap? Times are datetime.time; minutes are durations."""
    def minutes(t):
        return t.hour * 60 + t.minute

    a0, b0 = minutes(a_start), minutes(b_start)
    return a0 < b0 + b_minutes and b0 < a0 + a_minutes
