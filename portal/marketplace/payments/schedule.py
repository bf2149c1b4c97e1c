"""When a provider can expect its money: one rule for the provider's pages, the finance officer's and the API.

- Paid: the day it was paid.
- Stripe: a transfer leaves at once when the invoice is approved, so the expected day is the day it was sent
  (or today while it is being requested); a Stripe payment that waits (account not ready, balance low) has no
  date until the reason is gone.
- Bank file: the municipality's payment run (``PaymentSettings``) — the next chosen weekday after approval, or
  a number of business days after approval (default 10, as the Dutch PGB promises); weekends and Latvian
  public holidays (the ``holidays`` library) are not business days, and a run falling on a holiday moves to
  the next business day. An exported batch: its execution date.
"""

from __future__ import annotations

import datetime as dt
import functools

import holidays
from django.utils import timezone

from .models import Payment, PaymentSettings, PaymentStatus, Rail

S = PaymentStatus
NO_DATE = (S.FAILED, S.RETURNED, S.REVERSED, S.TO_RECOVER)


@functools.cache
def _holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("LV", years=year))


def is_business_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def next_business_day(day: dt.date) -> dt.date:
    """``day`` itself if it is a business day, else the next one."""
    while not is_business_day(day):
        day += dt.timedelta(days=1)
    return day


def add_business_days(day: dt.date, count: int) -> dt.date:
    while count > 0:
        day += dt.timedelta(days=1)
        if is_business_day(day):
            count -= 1
    return day


def bank_run_date(approved: dt.date, rules: PaymentSettings) -> dt.date:
    """The municipality's payment run for an invoice approved on ``approved``."""
    if rules.payment_weekday is not None:
        ahead = (rules.payment_weekday - approved.weekday()) % 7 or 7  # the next run after the approval day
        return next_business_day(approved + dt.timedelta(days=ahead))
    return add_business_days(approved, rules.business_days_after_approval)


def expected_date(payment: Payment, rules: PaymentSettings | None = None) -> dt.date | None:
    """The day the provider can expect ``payment``; None when no day can be promised (failed, waiting on Stripe,
    taken back)."""
    if payment.status == S.PAID:
        return timezone.localdate(payment.settled_at) if payment.settled_at else None
    if payment.status in NO_DATE:
        return None
    if payment.rail == Rail.STRIPE:
        if payment.status == S.SENT and payment.sent_at:
            return timezone.localdate(payment.sent_at)
        return timezone.localdate(payment.requested_at) if payment.status == S.REQUESTED else None
    batch = payment.batch if payment.batch_id else None
    if batch is not None and payment.status == S.SENT:
        return next_business_day(batch.execution_date)
    rules = rules or PaymentSettings.current()
    approved = timezone.localdate(payment.requested_at or timezone.now())
    return max(bank_run_date(approved, rules), next_business_day(timezone.localdate()))
