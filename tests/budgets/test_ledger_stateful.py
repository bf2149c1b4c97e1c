"""Hypothesis stateful test of the ledger: grant, reserve, post, void and close in any order.

Invariants after every step, read from the database: no balance below zero,
reserved + spent ≤ granted per category, every entry balanced (the balances
re-derived from the entries' legs equal the stored balances and the budget
total), each reservation resolved at most once and never over-posted, and the
database agrees with a simple model of what should have happened.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule, \
    run_state_machine_as_test

from portal.budgets.ledger.errors import (BudgetClosed, ExceedsReservation, InsufficientFunds,
                                          ReservationResolved)
from portal.budgets.ledger.models import LEGS, Budget, BudgetCategory, LedgerEntry
from portal.budgets.ledger.services import (budget_close, budget_grant, funds_reserve, reservation_post,
                                            reservation_remaining, reservation_void)
from portal.budgets.ledger.selectors import categories_of
from tests.factories import make_budget

pytestmark = pytest.mark.django_db
D = Decimal
amounts = st.decimals(min_value=D("0.01"), max_value=D("4000"), places=2)


class LedgerMachine(RuleBasedStateMachine):
    @initialize()
    def grant(self):
        self.budget = make_budget(level=1, goals=((D("70"), ["respite-care"]), (D("30"), ["psychologist"])))
        self.categories = categories_of(self.budget)
        self.granted = {c.pk: c.granted for c in self.categories}
        self.reserved = {c.pk: D("0") for c in self.categories}
        self.spent = {c.pk: D("0") for c in self.categories}
        self.returned = {c.pk: D("0") for c in self.categories}
        self.reservations: list[tuple[LedgerEntry, list]] = []  # (entry, [remaining, voided])
        self.closed = False
        self.keys = 0

    def _key(self):
        self.keys += 1
        return f"sm:{self.budget.pk}:{self.keys}"

    def _available(self, pk):
        return self.granted[pk] - self.reserved[pk] - self.spent[pk] - self.returned[pk]

    @rule()
    def grant_again_is_idempotent(self):
        again = budget_grant(plan=self.budget.plan, actor=None)
        assert again.pk == self.budget.pk

    @rule(index=st.integers(0, 1), amount=amounts, repeat=st.booleans())
    def reserve(self, index, amount, repeat):
        category = self.categories[index]
        key = self._key()
        before = LedgerEntry.objects.count()
        if self.closed:
            with pytest.raises(BudgetClosed):
                funds_reserve(category=category, amount=amount, reference="sm", idempotency_key=key, actor=None)
            assert LedgerEntry.objects.count() == before
            return
        if amount > self._available(category.pk):
            with pytest.raises(InsufficientFunds):
                funds_reserve(category=category, amount=amount, reference="sm", idempotency_key=key, actor=None)
            assert LedgerEntry.objects.count() == before
            return
        entry = funds_reserve(category=category, amount=amount, reference="sm", idempotency_key=key, actor=None)
        if repeat:  # a retry with the same key must not reserve twice
            assert funds_reserve(category=category, amount=amount, reference="sm", idempotency_key=key,
                                 actor=None).pk == entry.pk
        self.reserved[category.pk] += amount
        self.reservations.append((entry, [amount, False]))

    @precondition(lambda self: self.reservations)
    @rule(data=st.data(), amount=amounts)
    def post(self, data, amount):
        entry, state = data.draw(st.sampled_from(self.reservations))
        remaining, voided = state
        before = LedgerEntry.objects.count()
        if voided:
            with pytest.raises(ReservationResolved):
                reservation_post(reservation=entry, amount=amount, reference="sm", idempotency_key=self._key(),
                                 actor=None)
        elif amount > remaining:
            with pytest.raises(ExceedsReservation):
                reservation_post(reservation=entry, amount=amount, reference="sm", idempotency_key=self._key(),
                                 actor=None)
        else:
            reservation_post(reservation=entry, amount=amount, reference="sm", idempotency_key=self._key(),
                             actor=None)
            state[0] -= amount
            self.reserved[entry.category_id] -= amount
            self.spent[entry.category_id] += amount
            return
        assert LedgerEntry.objects.count() == before

    @precondition(lambda self: self.reservations)
    @rule(data=st.data())
    def post_all_that_is_left(self, data):
        entry, state = data.draw(st.sampled_from(self.reservations))
        if state[1] or state[0] == 0:
            return
        reservation_post(reservation=entry, amount=state[0], reference="sm", idempotency_key=self._key(), actor=None)
        self.reserved[entry.category_id] -= state[0]
        self.spent[entry.category_id] += state[0]
        state[0] = D("0")

    @precondition(lambda self: self.reservations)
    @rule(data=st.data())
    def void(self, data):
        entry, state = data.draw(st.sampled_from(self.reservations))
        if state[1]:
            before = LedgerEntry.objects.count()
            with pytest.raises(ReservationResolved):
                reservation_void(reservation=entry, reference="sm", idempotency_key=self._key(), actor=None)
            assert LedgerEntry.objects.count() == before
            return
        released = reservation_void(reservation=entry, reference="sm", idempotency_key=self._key(), actor=None)
        assert released.amount == state[0]
        self.reserved[entry.category_id] -= state[0]
        state[0], state[1] = D("0"), True

    @rule()
    def close(self):
        budget_close(budget=self.budget, actor=None)
        if not self.closed:
            for entry, state in self.reservations:
                if not state[1]:
                    self.reserved[entry.category_id] -= state[0]
                    state[0], state[1] = D("0"), True
            for pk in self.granted:
                self.returned[pk] += self._available(pk)
        self.closed = True

    @invariant()
    def balances_are_sound_and_match_the_entries(self):
        categories = {c.pk: c for c in BudgetCategory.objects.filter(budget=self.budget)}
        derived = {pk: {"funding": D("0"), "available": D("0"), "reserved": D("0"), "spent": D("0"),
                        "returned": D("0")} for pk in categories}
        for entry in LedgerEntry.objects.filter(budget=self.budget):
            source, target = LEGS[entry.kind]
            # The two legs of every entry cancel out: money moves, it is never made or lost.
            derived[entry.category_id][source] -= entry.amount
            derived[entry.category_id][target] += entry.amount
        total = D("0")
        for pk, c in categories.items():
            assert c.reserved >= 0 and c.spent >= 0 and c.returned >= 0 and c.available >= 0
            assert c.reserved + c.spent <= c.granted
            legs = derived[pk]
            assert sum(legs.values()) == 0
            assert -legs["funding"] == c.granted
            assert (legs["reserved"], legs["spent"], legs["returned"], legs["available"]) == (
                c.reserved, c.spent, c.returned, c.available)
            assert (c.reserved, c.spent, c.returned) == (self.reserved[pk], self.spent[pk], self.returned[pk])
            total += c.granted
        assert total == Budget.objects.get(pk=self.budget.pk).total

    @invariant()
    def each_reservation_resolved_at_most_once(self):
        for entry, state in self.reservations:
            resolutions = LedgerEntry.objects.filter(reservation=entry)
            assert resolutions.filter(kind="void").count() <= (1 if state[1] else 0)
            used = resolutions.aggregate(total=Sum("amount"))["total"] or D("0")
            assert used <= entry.amount
            assert reservation_remaining(entry) == state[0]


def test_ledger_state_machine(in_a):
    run_state_machine_as_test(LedgerMachine, settings=settings(
        max_examples=40, stateful_step_count=25, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]))
