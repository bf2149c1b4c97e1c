"""Race tests: real threads, each with its own connection to the real PostgreSQL.

The data these tests make must be committed for other connections to see it,
so they run outside the per-test transaction; each uses a fresh person whose
budget nothing else reads. (Ledger rows cannot be deleted — that is the point —
so they stay in the throw-away test database.)
"""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from portal.budgets.ledger.errors import ExceedsReservation, InsufficientFunds, ReservationResolved
from portal.budgets.ledger.models import BudgetCategory, LedgerEntry
from portal.budgets.ledger.selectors import categories_of
from portal.budgets.ledger.services import funds_reserve, reservation_post, reservation_void
from portal.tenants.models import Municipality
from tests.conftest import MUNICIPALITY_A
from tests.factories import make_budget

D = Decimal


@pytest.fixture
def committed(django_db_setup, django_db_blocker):
    """Autocommit access to the test database in municipality A, for setting up shared state."""
    with django_db_blocker.unblock():
        municipality = Municipality.objects.get(code=MUNICIPALITY_A)
        connection.set_tenant(municipality)
        yield municipality
        connection.set_schema_to_public()


def _in_threads(municipality, count, work):
    """Run ``work(i)`` in ``count`` threads started together; return their results or exceptions."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i):
        from django.db import connection as thread_connection

        try:
            thread_connection.set_tenant(municipality)
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
            results[i] = exc
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def _last_euros_budget():
    budget = make_budget(goals=((D("100"), ["respite-care"]),))
    category = categories_of(budget)[0]
    # Leave exactly 100.00 available.
    funds_reserve(category=category, amount=category.granted - D("100"), reference="race:setup",
                  idempotency_key=f"race:setup:{budget.pk}", actor=None)
    return budget, category


def test_two_reservations_for_the_last_euros_one_wins(committed):
    budget, category = _last_euros_budget()
    results = _in_threads(committed, 2, lambda i: funds_reserve(
        category=category, amount="80.00", reference=f"race:{i}", idempotency_key=f"race:{budget.pk}:{i}",
        actor=None))
    won = [r for r in results if isinstance(r, LedgerEntry)]
    lost = [r for r in results if isinstance(r, InsufficientFunds)]
    assert len(won) == 1 and len(lost) == 1, results
    assert "20,00\xa0EUR" in lost[0].message
    loser = results.index(lost[0])
    assert not LedgerEntry.objects.filter(idempotency_key=f"race:{budget.pk}:{loser}").exists()
    category.refresh_from_db()
    assert category.available == D("20.00")


def test_many_threads_never_overspend(committed):
    budget, category = _last_euros_budget()
    results = _in_threads(committed, 16, lambda i: funds_reserve(
        category=category, amount="7.00", reference="race", idempotency_key=f"race16:{budget.pk}:{i}", actor=None))
    won = [r for r in results if isinstance(r, LedgerEntry)]
    assert len(won) == 14  # 14 × 7 = 98 ≤ 100 < 105
    assert all(isinstance(r, (LedgerEntry, InsufficientFunds)) for r in results), results
    category.refresh_from_db()
    assert category.available == D("2.00") and category.reserved + category.spent <= category.granted


def test_same_idempotency_key_from_two_threads_reserves_once(committed):
    budget, category = _last_euros_budget()
    results = _in_threads(committed, 4, lambda i: funds_reserve(
        category=category, amount="30.00", reference="dup", idempotency_key=f"dup:{budget.pk}", actor=None))
    assert all(isinstance(r, LedgerEntry) for r in results), results
    assert len({r.pk for r in results}) == 1
    category.refresh_from_db()
    assert category.available == D("70.00")


def test_concurrent_void_and_post_resolve_a_reservation_once(committed):
    budget, category = _last_euros_budget()
    reservation = funds_reserve(category=category, amount="100.00", reference="r",
                                idempotency_key=f"vp:{budget.pk}", actor=None)

    def work(i):
        if i % 2:
            return reservation_void(reservation=reservation, reference="v", idempotency_key=f"vp:{budget.pk}:v{i}",
                                    actor=None)
        return reservation_post(reservation=reservation, amount="60.00", reference="p",
                                idempotency_key=f"vp:{budget.pk}:p{i}", actor=None)

    results = _in_threads(committed, 6, work)
    voids = LedgerEntry.objects.filter(reservation=reservation, kind="void")
    assert voids.count() == 1
    assert all(isinstance(r, (LedgerEntry, ReservationResolved, ExceedsReservation)) for r in results)
    resolved = sum(e.amount for e in LedgerEntry.objects.filter(reservation=reservation))
    assert resolved == D("100.00")
    category = BudgetCategory.objects.get(pk=category.pk)
    assert category.reserved == category.granted - D("100.00")  # only the set-up reservation is left
    assert category.available + category.spent == D("100.00")
