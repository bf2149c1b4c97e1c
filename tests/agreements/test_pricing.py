"""The quote's arithmetic, for any price, cap and units (no database)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from portal.marketplace.agreements.pricing import Quote, units_for

money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("500"), places=2)
units = st.integers(min_value=1, max_value=2000).map(Decimal)


@given(price=money, cap=money, total=units, available=st.decimals(min_value=0, max_value=Decimal("20000"), places=2))
def test_the_budget_pays_at_most_the_cap_and_the_family_the_rest(price, cap, total, available):
    over = max(Decimal("0.00"), price - cap)
    q = Quote(person=None, service=None, budget=None, category=object(), unit="hour", unit_price=price,
              cap_amount=cap, over_cap_rule="copay", over_cap_per_unit=over, copayment_per_unit=over,
              units_per_week=None, total_units=total, period_start=None, period_end=None, available=available)
    assert q.budget_unit_price == min(price, cap)
    assert q.total_amount + q.copayment_total == q.gross_amount
    assert q.fits == (q.total_amount <= available)
    if q.fits:
        assert q.units_left_after * q.budget_unit_price <= q.available_after
        assert (q.units_left_after + 1) * q.budget_unit_price > q.available_after


@given(per_week=st.integers(min_value=1, max_value=40).map(Decimal), days=st.integers(min_value=0, max_value=400))
def test_units_a_week_over_a_period_are_whole_and_close(per_week, days):
    start = dt.date(2026, 1, 1)
    total = units_for(per_week, start, start + dt.timedelta(days=days))
    exact = per_week * Decimal(days + 1) / 7
    assert total == total.to_integral_value()
    assert abs(total - exact) <= Decimal("0.5")
