"""The budget period's end: closing on schedule, returns as entries of their own, the plan to "review due",
a new plan version closing the previous budget, carrying a reservation over. The day is passed in."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from portal.budgets.ledger import selectors
from portal.budgets.ledger.errors import BudgetClosed
from portal.budgets.ledger.models import Budget, BudgetCategory, LedgerEntry
from portal.budgets.ledger.services import (
    budget_grant,
    budgets_close_due,
    funds_reserve,
    reservation_carry_over,
    reservation_post,
    reservation_void,
)
from portal.budgets.people.models import SupportPlan
from tests.factories import make_budget, make_plan

pytestmark = pytest.mark.django_db
D = Decimal
END = dt.date(2027, 9, 30)


def _sound(budget):
    """Every category's buckets equal what its entries say (the ledger's double entry)."""
    for category in BudgetCategory.objects.filter(budget=budget):
        entries = LedgerEntry.objects.filter(category=category)
        total = {kind: sum((e.amount for e in entries if e.kind == kind), D("0")) for kind in LedgerEntry.Kind.values}
        assert category.granted == total["grant"]
        assert category.reserved == total["reserve"] - total["post"] - total["void"]
        assert category.spent == total["post"]
        assert category.returned == total["close"]


def test_period_end_returns_the_unreserved_rest_keeps_reservations_and_sets_review_due(in_a):
    budget = make_budget()  # 1 Oct 2026 – 30 Sep 2027: 5 340 + 3 560
    first, second = selectors.categories_of(budget)
    held = funds_reserve(category=first, amount="1000", reference="agreement 1", idempotency_key="r1", actor=None)
    reservation_post(reservation=held, amount="400", reference="invoice 1", idempotency_key="p1", actor=None)

    assert budget.pk not in [b.pk for b in budgets_close_due(today=END)]  # the last day is in the period
    closed = budgets_close_due(today=END + dt.timedelta(days=1))

    assert budget.pk in [b.pk for b in closed]
    budget.refresh_from_db()
    assert budget.status == "closed" and budget.closed_at is not None
    assert SupportPlan.objects.get(pk=budget.plan_id).status == "review_due"
    first.refresh_from_db()
    second.refresh_from_db()
    # The agreement's 600 stays reserved for invoices still to come; everything else went back.
    assert (first.reserved, first.spent, first.returned, first.available) == (D("600.00"), D("400.00"),
                                                                                D("4340.00"), 0)
    assert (second.returned, second.available) == (D("3560.00"), 0)
    returns = LedgerEntry.objects.filter(budget=budget, kind="close")
    assert sorted(e.amount for e in returns) == [D("3560.00"), D("4340.00")]
    _sound(budget)


def test_period_end_is_idempotent(in_a):
    budget = make_budget()
    day = END + dt.timedelta(days=3)
    budgets_close_due(today=day)
    entries = LedgerEntry.objects.filter(budget=budget).count()
    assert budgets_close_due(today=day) == []
    assert LedgerEntry.objects.filter(budget=budget).count() == entries


def test_no_reservation_after_period_end(in_a):
    budget = make_budget()
    category = selectors.categories_of(budget)[0]
    budgets_close_due(today=END + dt.timedelta(days=1))
    with pytest.raises(BudgetClosed) as refusal:
        funds_reserve(category=category, amount="1", reference="late", idempotency_key="late", actor=None)
    assert refusal.value.code == "budget.closed"
    assert not LedgerEntry.objects.filter(idempotency_key="late").exists()


def test_a_reservation_released_after_the_close_is_returned_at_once(in_a):
    budget = make_budget()
    category = selectors.categories_of(budget)[0]
    held = funds_reserve(category=category, amount="700", reference="a", idempotency_key="r", actor=None)
    reservation_post(reservation=held, amount="100", reference="i", idempotency_key="p", actor=None)
    budgets_close_due(today=END + dt.timedelta(days=1))
    reservation_void(reservation=held, reference="agreement completed", idempotency_key="v", actor=None)
    category.refresh_from_db()
    assert (category.reserved, category.spent, category.available) == (0, D("100.00"), 0)
    assert category.returned == category.granted - D("100.00")
    assert LedgerEntry.objects.filter(idempotency_key="v:return", kind="close", amount=D("600.00")).exists()
    _sound(budget)


def test_an_unrelated_open_budget_is_left_alone(in_a):
    running = make_budget(start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31))
    assert running.pk not in [b.pk for b in budgets_close_due(today=dt.date(2026, 12, 31))]
    running.refresh_from_db()
    assert running.status == "open"
    assert SupportPlan.objects.get(pk=running.plan_id).status == "approved"


def test_granting_a_new_versions_budget_closes_the_superseded_one(in_a):
    old = make_budget()
    category = selectors.categories_of(old)[0]
    held = funds_reserve(category=category, amount="500", reference="agreement 9", idempotency_key="r9", actor=None)
    SupportPlan.objects.filter(pk=old.plan_id).update(status="superseded")
    plan = make_plan(old.person, start=dt.date(2027, 4, 1), end=dt.date(2028, 3, 31))

    new = budget_grant(plan=plan, actor=None, level=2)

    old.refresh_from_db()
    assert old.status == "closed" and new.status == "open"
    category.refresh_from_db()
    assert category.reserved == D("500.00") and category.available == 0  # the agreement keeps its money
    _sound(old)
    assert budget_grant(plan=plan, actor=None).pk == new.pk  # idempotent, nothing closes twice
    assert LedgerEntry.objects.filter(budget=old, kind="close").count() == 2

    carried = reservation_carry_over(reservation=held, to_category=selectors.categories_of(new)[0],
                                     reference="agreement 9", idempotency_key="carry-9", actor=None)
    again = reservation_carry_over(reservation=held, to_category=selectors.categories_of(new)[0],
                                   reference="agreement 9", idempotency_key="carry-9", actor=None)
    assert carried.pk == again.pk and carried.budget_id == new.pk and carried.amount == D("500.00")
    category.refresh_from_db()
    assert category.reserved == 0 and category.returned == category.granted
    assert LedgerEntry.objects.filter(budget=old, kind="void", reservation=held).count() == 1
    _sound(old)
    _sound(new)


def test_a_carry_over_that_does_not_fit_writes_nothing(in_a):
    old = make_budget()
    held = funds_reserve(category=selectors.categories_of(old)[0], amount="5000", reference="a",
                         idempotency_key="big", actor=None)
    small = make_budget(start=dt.date(2027, 4, 1), end=dt.date(2027, 9, 30))  # 4 450: 2 670 + 1 780
    before = LedgerEntry.objects.count()
    with pytest.raises(Exception) as refusal:
        reservation_carry_over(reservation=held, to_category=selectors.categories_of(small)[0],
                               reference="a", idempotency_key="carry-big", actor=None)
    assert refusal.value.code == "budget.insufficient_funds"
    assert LedgerEntry.objects.count() == before
    assert Budget.objects.get(pk=old.pk).status == "open"
