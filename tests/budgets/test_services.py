"""The ledger's services: grant, reserve, post, void, close; idempotency; nothing written on refusal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from portal.budgets.ledger import selectors
from portal.budgets.ledger.errors import (BudgetClosed, ExceedsReservation, IdempotencyMismatch, InsufficientFunds,
                                          InvalidAmount, PlanNotGrantable, ReservationResolved)
from portal.budgets.ledger.methodology import methodology_update, period_months, rate_table
from portal.budgets.ledger.models import Budget, BudgetCategory, LedgerEntry
from portal.budgets.ledger.services import (budget_close, budget_grant, funds_reserve, reservation_post,
                                            reservation_remaining, reservation_void)
from tests.factories import make_budget, make_person, make_plan

pytestmark = pytest.mark.django_db
D = Decimal


def test_period_months_counts_whole_and_partial_months():
    assert period_months(dt.date(2018, 10, 1), dt.date(2019, 9, 30)) == D("12.00")
    assert period_months(dt.date(2026, 1, 1), dt.date(2026, 6, 30)) == D("6.00")
    assert period_months(dt.date(2026, 1, 15), dt.date(2026, 7, 14)) == D("6.00")
    assert period_months(dt.date(2026, 1, 1), dt.date(2026, 1, 15)) == D("0.48")


def test_grant_sizes_budget_by_methodology_and_splits_by_goal_share(in_a, user_of):
    budget = make_budget(target_group="adults", level=2)
    assert budget.total == D("8900.00")
    assert budget.annual_amount == D("8900.00") and budget.period_months == D("12.00")
    cats = selectors.categories_of(budget)
    assert [c.granted for c in cats] == [D("5340.00"), D("3560.00")]
    assert [sorted(t.code for t in c.service_types.all()) for c in cats] == [["respite-care"], ["psychologist"]]
    grants = LedgerEntry.objects.filter(budget=budget, kind="grant")
    assert sum(e.amount for e in grants) == budget.total
    assert [f["amount"] for f in budget.funding] == ["7565.00", "1335.00"]  # 85 % ESF, 15 % state


def test_grant_is_pro_rata_and_idempotent_per_plan(in_a):
    person = make_person(target_group="children")
    plan = make_plan(person, start=dt.date(2026, 1, 1), end=dt.date(2026, 6, 30))
    budget = budget_grant(plan=plan, actor=None, level=2)
    assert budget.total == D("3500.00")
    again = budget_grant(plan=plan, actor=None)
    assert again.pk == budget.pk
    assert Budget.objects.filter(plan=plan).count() == 1
    assert LedgerEntry.objects.filter(budget=budget, kind="grant").count() == 2


def test_grant_uses_level_of_the_plans_assessment(in_a):
    from portal.budgets.people.models import Assessment

    person = make_person(target_group="adults")
    assessment = Assessment.objects.create(person=person, kind="sis", level=4, assessor_name="X",
                                           assessed_on=dt.date(2026, 9, 1), valid_until=dt.date(2029, 9, 1))
    plan = make_plan(person)
    plan.assessment = assessment
    plan.save()
    assert budget_grant(plan=plan, actor=None).total == rate_table()[("adults", 4)] == D("11500.00")


def test_shares_under_100_leave_an_unassigned_category(in_a):
    budget = make_budget(goals=((D("50"), ["home-care"]),))
    cats = selectors.categories_of(budget)
    assert [c.granted for c in cats] == [D("4450.00"), D("4450.00")]
    assert cats[1].goal is None and not cats[1].service_types.exists()
    assert selectors.category_for(budget, "transport") == cats[1]
    assert selectors.category_for(budget, "home-care") == cats[0]


def test_plan_period_outside_methodology_is_refused_and_nothing_written(in_a):
    person = make_person()
    plan = make_plan(person, start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31))
    with pytest.raises(PlanNotGrantable):
        budget_grant(plan=plan, actor=None)
    assert not Budget.objects.filter(plan=plan).exists()


def test_methodology_change_affects_only_new_grants(in_a, user_of):
    from portal.tenants.roles import Role

    before = make_budget(target_group="children", level=2)
    methodology_update(min_period_months=6, max_period_months=12, rates={("children", 2): D("8000")},
                       funding={"esf": D("80"), "state": D("15"), "municipal": D("5")},
                       actor=user_of(Role.MUNICIPALITY_ADMIN))
    after = make_budget(target_group="children", level=2)
    before.refresh_from_db()
    assert before.total == D("7000.00") and after.total == D("8000.00")
    assert [f["code"] for f in after.funding] == ["esf", "state", "municipal"]


def test_methodology_funding_must_sum_to_100_and_nothing_changes(in_a, user_of):
    from portal.budgets.ledger.errors import MethodologyInvalid
    from portal.budgets.ledger.models import FundingSource, MethodologyRate
    from portal.tenants.roles import Role

    with pytest.raises(MethodologyInvalid) as caught:
        methodology_update(min_period_months=6, max_period_months=12, rates={("children", 2): D("9999")},
                           funding={"esf": D("90")}, actor=user_of(Role.MUNICIPALITY_ADMIN))
    assert caught.value.code == "budget.methodology_invalid"
    assert MethodologyRate.objects.get(target_group="children", level=2).annual_amount == D("7000.00")
    assert FundingSource.objects.get(code="esf").share_percent == D("85.00")


def test_reserve_post_void_move_money_between_buckets(in_a):
    budget = make_budget()
    cat = selectors.categories_of(budget)[0]
    reservation = funds_reserve(category=cat, amount="1000", reference="agreement:1", idempotency_key="r1",
                                actor=None)
    cat.refresh_from_db()
    assert (cat.reserved, cat.spent, cat.available) == (D("1000.00"), D("0.00"), D("4340.00"))
    reservation_post(reservation=reservation, amount="300.50", reference="invoice:1", idempotency_key="p1",
                     actor=None)
    assert reservation_remaining(reservation) == D("699.50")
    void = reservation_void(reservation=reservation, reference="cancel", idempotency_key="v1", actor=None)
    assert void.amount == D("699.50")
    cat.refresh_from_db()
    assert (cat.reserved, cat.spent, cat.available) == (D("0.00"), D("300.50"), D("5039.50"))
    assert reservation_remaining(reservation) == 0


def test_rejected_reservation_writes_nothing_and_says_what_is_available(in_a):
    budget = make_budget()
    cat = selectors.categories_of(budget)[1]  # 3 560.00
    count = LedgerEntry.objects.count()
    with pytest.raises(InsufficientFunds) as caught:
        funds_reserve(category=cat, amount="3560.01", reference="x", idempotency_key="too-much", actor=None)
    assert caught.value.code == "budget.insufficient_funds"
    assert "3\xa0560,00\xa0EUR" in caught.value.message
    assert LedgerEntry.objects.count() == count
    cat.refresh_from_db()
    assert cat.reserved == 0
    # The exact rest still fits.
    funds_reserve(category=cat, amount="3560.00", reference="x", idempotency_key="all", actor=None)


def test_same_idempotency_key_returns_the_first_entry_and_a_different_use_is_refused(in_a):
    cat = selectors.categories_of(make_budget())[0]
    first = funds_reserve(category=cat, amount="10", reference="a", idempotency_key="k", actor=None)
    again = funds_reserve(category=cat, amount="10", reference="a", idempotency_key="k", actor=None)
    assert again.pk == first.pk
    cat.refresh_from_db()
    assert cat.reserved == D("10.00")
    with pytest.raises(IdempotencyMismatch):
        funds_reserve(category=cat, amount="11", reference="a", idempotency_key="k", actor=None)


def test_post_never_exceeds_the_reservation_and_void_happens_once(in_a):
    cat = selectors.categories_of(make_budget())[0]
    reservation = funds_reserve(category=cat, amount="100", reference="a", idempotency_key="r", actor=None)
    with pytest.raises(ExceedsReservation):
        reservation_post(reservation=reservation, amount="100.01", reference="i", idempotency_key="p", actor=None)
    reservation_void(reservation=reservation, reference="c", idempotency_key="v", actor=None)
    with pytest.raises(ReservationResolved):
        reservation_void(reservation=reservation, reference="c", idempotency_key="v2", actor=None)
    with pytest.raises(ReservationResolved):
        reservation_post(reservation=reservation, amount="1", reference="i", idempotency_key="p2", actor=None)
    assert reservation_void(reservation=reservation, reference="c", idempotency_key="v",
                            actor=None).amount == D("100.00")
    assert LedgerEntry.objects.filter(reservation=reservation).count() == 1


@pytest.mark.parametrize("amount", ["0", "-5", "abc", None])
def test_bad_amounts_are_refused(in_a, amount):
    cat = selectors.categories_of(make_budget())[0]
    with pytest.raises(InvalidAmount):
        funds_reserve(category=cat, amount=amount, reference="a", idempotency_key="bad", actor=None)
    assert not LedgerEntry.objects.filter(idempotency_key="bad").exists()


def test_close_releases_reservations_and_returns_the_rest(in_a):
    budget = make_budget()
    cat = selectors.categories_of(budget)[0]
    reservation = funds_reserve(category=cat, amount="500", reference="a", idempotency_key="r", actor=None)
    reservation_post(reservation=reservation, amount="200", reference="i", idempotency_key="p", actor=None)
    budget_close(budget=budget, actor=None)
    budget.refresh_from_db()
    assert budget.status == "closed"
    rows = selectors.balances(budget)
    assert [(r.reserved, r.spent, r.available) for r in rows] == [(0, D("200.00"), 0), (0, 0, 0)]
    assert sum(r.returned for r in rows) == budget.total - D("200.00")
    assert budget_close(budget=budget, actor=None).status == "closed"  # idempotent
    with pytest.raises(BudgetClosed):
        funds_reserve(category=cat, amount="1", reference="a", idempotency_key="late", actor=None)


def test_database_refuses_update_and_delete_of_entries(in_a):
    budget = make_budget()
    entry = LedgerEntry.objects.filter(budget=budget).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=D("1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).delete()
    assert LedgerEntry.objects.get(pk=entry.pk).amount == entry.amount


def test_database_refuses_an_overdrawn_category(in_a):
    cat = selectors.categories_of(make_budget())[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetCategory.objects.filter(pk=cat.pk).update(reserved=cat.granted + 1)


def test_append_only_trigger_exists_in_both_municipalities(muni_a, muni_b):
    for muni in (muni_a, muni_b):
        connection.set_tenant(muni)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                           "JOIN pg_namespace n ON n.oid = c.relnamespace "
                           "WHERE t.tgname = 'ledger_entry_append_only' AND n.nspname = %s", [muni.schema_name])
            assert cursor.fetchone()[0] == 1


def test_available_by_service_type(in_a):
    budget = make_budget(goals=((D("60"), ["respite-care", "home-care"]), (D("40"), ["psychologist"])))
    budget.period_start, budget.period_end = dt.date(2020, 1, 1), dt.date(2099, 1, 1)
    Budget.objects.filter(pk=budget.pk).update(period_start=dt.date(2020, 1, 1))
    result = selectors.available_by_service_type(budget.person)
    assert result == {"respite-care": D("5340.00"), "home-care": D("5340.00"), "psychologist": D("3560.00")}


def test_a_retry_after_the_money_ran_out_still_gets_its_entry(in_a):
    cat = selectors.categories_of(make_budget())[1]  # 3 560.00
    first = funds_reserve(category=cat, amount="3560.00", reference="a", idempotency_key="all-of-it", actor=None)
    again = funds_reserve(category=cat, amount="3560.00", reference="a", idempotency_key="all-of-it", actor=None)
    assert again.pk == first.pk
    assert LedgerEntry.objects.filter(idempotency_key="all-of-it").count() == 1


def test_reserve_inside_an_outer_transaction_that_continues_after_a_refusal(in_a):
    cat = selectors.categories_of(make_budget())[1]
    with transaction.atomic():
        funds_reserve(category=cat, amount="10", reference="a", idempotency_key="outer-1", actor=None)
        with pytest.raises(InsufficientFunds):
            funds_reserve(category=cat, amount="99999", reference="a", idempotency_key="outer-2", actor=None)
        assert funds_reserve(category=cat, amount="10", reference="a", idempotency_key="outer-1",
                             actor=None).idempotency_key == "outer-1"
    cat.refresh_from_db()
    assert cat.reserved == D("10.00")


def test_budgets_whose_period_ended_are_closed_by_the_daily_task(in_a):
    from portal.budgets.ledger.services import budgets_close_due

    ended = make_budget(start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31))
    running = make_budget(start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31))
    closed = budgets_close_due(today=dt.date(2026, 6, 1))
    assert ended.pk in [b.pk for b in closed] and running.pk not in [b.pk for b in closed]
    ended.refresh_from_db()
    running.refresh_from_db()
    assert ended.status == "closed" and running.status == "open"
