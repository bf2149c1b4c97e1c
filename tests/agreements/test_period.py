"""Agreements at the budget period's end: refused once the budget is closed, completed on schedule (the
billable part kept until it is invoiced or the deadline passes), carried over into a new plan's budget (tests/agreements/test_carry_over.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from portal.budgets.ledger.errors import BudgetClosed
from portal.budgets.ledger.models import LedgerEntry
from portal.budgets.ledger.services import budget_close
from portal.marketplace.agreements.models import Agreement
from portal.marketplace.agreements.services import agreement_accept
from portal.marketplace.invoicing.models import Session
from portal.marketplace.invoicing.period import (
    BILLING_DEADLINE_DAYS,
    agreements_complete_due,
)
from tests.factories import active, draft, sent

pytestmark = pytest.mark.django_db
D = Decimal


def test_no_agreement_starts_or_is_accepted_from_a_closed_budget(world):
    waiting = sent(world)
    budget_close(budget=world.budget, actor=None)
    with pytest.raises(BudgetClosed) as refusal:
        draft(world)
    assert refusal.value.code == "budget.closed"
    with pytest.raises(BudgetClosed):
        agreement_accept(agreement=waiting, actor=world.staff)
    waiting.refresh_from_db()
    assert waiting.status == "awaiting_provider" and waiting.reservation_id is None


def test_an_ended_agreement_with_nothing_to_bill_completes_and_its_rest_is_released(world):
    agreement = active(world)
    reserved = agreement.total_amount
    assert agreements_complete_due(today=agreement.period_end) == []  # its last day is still in the period
    done = agreements_complete_due(today=agreement.period_end + dt.timedelta(days=1))
    assert [a.pk for a in done] == [agreement.pk]
    agreement.refresh_from_db()
    assert agreement.status == "completed"
    assert LedgerEntry.objects.get(reservation=agreement.reservation, kind="void").amount == reserved
    assert agreements_complete_due(today=agreement.period_end + dt.timedelta(days=2)) == []  # idempotent


def test_a_delivered_session_not_yet_invoiced_keeps_the_money_until_the_deadline(world):
    agreement = active(world)
    Session.objects.create(agreement=agreement, date=agreement.period_end, units=D("2"), unit_price=D("10.00"),
                           staff_name="Anna", status="confirmed")
    after = agreement.period_end + dt.timedelta(days=1)
    assert agreements_complete_due(today=after) == []
    agreement.refresh_from_db()
    assert agreement.status == "active"
    world.category.refresh_from_db()
    assert world.category.reserved == agreement.total_amount

    deadline = agreement.period_end + dt.timedelta(days=BILLING_DEADLINE_DAYS + 1)
    assert [a.pk for a in agreements_complete_due(today=deadline)] == [agreement.pk]
    world.category.refresh_from_db()
    assert world.category.reserved == 0


def test_the_scheduled_period_end_task_runs_in_the_schema_it_is_sent_for(world):
    from django.db import connection

    from portal.marketplace.invoicing.tasks import period_end
    from tests.conftest import MUNICIPALITY_A

    agreement = active(world)
    ended = dt.date.today() - dt.timedelta(days=1)
    Agreement.objects.filter(pk=agreement.pk).update(period_start=ended, period_end=ended)
    result = period_end(schema_name=MUNICIPALITY_A)  # what the worker runs for each municipality
    assert result["completed"] >= 1
    connection.set_tenant(world.municipality)
    assert Agreement.objects.get(pk=agreement.pk).status == "completed"
