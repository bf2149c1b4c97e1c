"""Limits that follow from the kind of service (DOMAIN.md; seeds 000 and 002).

Period. An agreement runs inside the support plan's period (6–12 months), except the support person for
decision-making (atbalsta persona lēmumu pieņemšanā), which may run up to 24 months (the support-person
pilot, seed 000): it starts inside the plan's period and ends at most 24 months after it starts, the last
day included (1 Oct 2026 – 30 Sep 2028 is 24 months; one day more is refused).

Respite care at home (atelpas brīža pakalpojums mājoklī) is counted in days, with a limit of days per
calendar year that the municipality sets (``MunicipalRules.respite_days_per_year``; empty: no limit, as the
seeds give no figure); the catalogue lists respite care per day only (``taxonomy.FIXED_UNITS``). An
agreement's days are spread evenly over its period, so one from 1 December to 31 January counts about half
of its days in each year. Days are held by agreements the person decided on
(waiting for the provider or the municipality, active, completed); a draft holds none until it is
confirmed, and confirming checks again, under a lock on the person, so two confirmations cannot both pass.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _

from portal.budgets.people.models import Person
from portal.marketplace.catalogue.models import Unit
from portal.marketplace.catalogue.taxonomy import DECISION_SUPPORT, RESPITE_CARE
from portal.platform.core.dates import add_months
from portal.platform.core.formats import format_number
from portal.platform.core.money import CENT

from .errors import AgreementInvalid, PeriodTooLong, RespiteDaysExceeded
from .models import Agreement, AgreementStatus, MunicipalRules

DECISION_SUPPORT_MONTHS = 24
HOLDING_DAYS = (AgreementStatus.AWAITING_PROVIDER, AgreementStatus.AWAITING_MUNICIPALITY, AgreementStatus.ACTIVE,
                AgreementStatus.COMPLETED)


def _date(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def _type_code(service) -> str:
    return service.service_type.code if service is not None else ""


def latest_end(service, period_start: dt.date, budget) -> dt.date:
    """The last day an agreement for ``service`` starting on ``period_start`` may run."""
    if _type_code(service) == DECISION_SUPPORT:
        return add_months(period_start, DECISION_SUPPORT_MONTHS) - dt.timedelta(days=1)
    return budget.period_end


def check_period(q) -> None:
    """Raise when the quoted period does not fit the plan's period (or, for a support person, 24 months)."""
    budget = q.budget
    starts_inside = budget.period_start <= q.period_start <= budget.period_end
    if _type_code(q.service) != DECISION_SUPPORT:
        if not starts_inside or q.period_end > budget.period_end:
            raise AgreementInvalid(_("The period must be inside the support plan's period, %(start)s – %(end)s.") % {
                "start": _date(budget.period_start), "end": _date(budget.period_end)}, field="period_start")
        return
    if not starts_inside:
        raise AgreementInvalid(_("A support person's agreement must start inside the support plan's period, "
                                 "%(start)s – %(end)s.") % {"start": _date(budget.period_start),
                                                            "end": _date(budget.period_end)}, field="period_start")
    last = latest_end(q.service, q.period_start, budget)
    if q.period_end > last:
        raise PeriodTooLong(_("A support person for decision-making is agreed for at most %(months)s months: "
                              "end it on %(date)s at the latest.") % {"months": DECISION_SUPPORT_MONTHS,
                                                                     "date": _date(last)}, field="period_end")


def days_in_year(total_units: Decimal, period_start: dt.date, period_end: dt.date, year: int) -> Decimal:
    """The part of ``total_units`` days that falls in ``year``, spread evenly over the period."""
    first, last = max(period_start, dt.date(year, 1, 1)), min(period_end, dt.date(year, 12, 31))
    if last < first:
        return Decimal(0)
    overlap = (last - first).days + 1
    length = (period_end - period_start).days + 1
    return Decimal(total_units) * overlap / length


def respite_days_booked(person_id: int, year: int, *, exclude_pk=None) -> Decimal:
    """Respite-care days held for the person in ``year`` by agreements they decided on."""
    rows = (Agreement.objects.filter(person_id=person_id, service__service_type__code=RESPITE_CARE,
                                     status__in=HOLDING_DAYS, period_start__lte=dt.date(year, 12, 31),
                                     period_end__gte=dt.date(year, 1, 1))
            .exclude(pk=exclude_pk).values_list("total_units", "period_start", "period_end"))
    return sum((days_in_year(units, start, end, year) for units, start, end in rows), Decimal(0))


def _days_text(days: Decimal) -> str:
    days = days.quantize(Decimal("0.1"))
    return format_number(days, decimals=0 if days == days.to_integral_value() else 1)


def respite_limit() -> int | None:
    """The municipality's yearly limit of respite-care days (None: no limit). Reads; never creates the rules."""
    rules = MunicipalRules.objects.filter(pk=1).only("respite_days_per_year").first()
    return rules.respite_days_per_year if rules is not None else None


def check_respite(q, *, exclude_pk=None, lock: bool = False) -> None:
    """Raise when respite care's days would pass the municipality's yearly limit (or, with a limit, an offer
    listed before the catalogue required days cannot be counted).

    ``lock``: take the person's row first (on confirmation), so two agreements cannot pass the limit together.
    """
    if _type_code(q.service) != RESPITE_CARE:
        return
    limit = respite_limit()
    if limit is None:
        return
    if q.unit != Unit.DAY:  # an offer listed before the catalogue required days: its days cannot be counted
        raise AgreementInvalid(_("Respite care is agreed in days, and this offer is not priced per day. Ask the "
                                 "provider to list it per day."), field="service", code="agreement.respite_not_in_days")
    if lock:
        Person.objects.select_for_update().filter(pk=q.person.pk).first()
    for year in range(q.period_start.year, q.period_end.year + 1):
        new = days_in_year(q.total_units, q.period_start, q.period_end, year)
        if new <= 0:
            continue
        booked = respite_days_booked(q.person.pk, year, exclude_pk=exclude_pk)
        if (booked + new).quantize(CENT) > limit:
            left = max(Decimal(0), limit - booked)
            raise RespiteDaysExceeded(_(
                "Respite care is limited to %(limit)s days a year here. In %(year)s, %(booked)s days are already "
                "agreed, so %(left)s are left, and this agreement would use %(new)s.") % {
                "limit": limit, "year": year, "booked": _days_text(booked), "left": _days_text(left),
                "new": _days_text(new)}, field="units_per_week")
