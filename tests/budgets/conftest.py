"""Fixtures of the budget tests: a person with an approved plan and goals, granted a budget."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.db import connection

from portal.budgets.ledger.services import budget_grant
from portal.budgets.people.models import Goal, Person, SupportPlan
from portal.marketplace.catalogue.models import ServiceType

def _personal_code() -> str:
    return f"32{uuid.uuid4().int % 10**9:09d}"


def make_person(*, target_group="adults", user=None, first_name="Test", last_name="Person") -> Person:
    return Person.objects.create(
        first_name=first_name, last_name=last_name, personal_code=_personal_code(), birth_date=dt.date(1990, 5, 1),
        target_group=target_group, disability_group="group_1", user=user)


def make_plan(person, *, goals=((Decimal("60"), ["respite-care"]), (Decimal("40"), ["psychologist"])),
              start=dt.date(2026, 10, 1), end=dt.date(2027, 9, 30), status="approved") -> SupportPlan:
    version = SupportPlan.objects.filter(person=person).count() + 1
    plan = SupportPlan.objects.create(person=person, version=version, period_start=start, period_end=end,
                                      status=status)
    for position, (share, codes) in enumerate(goals):
        goal = Goal.objects.create(plan=plan, position=position, text=f"Goal {position + 1}", share_percent=share)
        goal.service_types.set(ServiceType.objects.filter(code__in=codes))
    return plan


def make_budget(*, target_group="adults", level=2, user=None, **plan_kwargs):
    person = make_person(target_group=target_group, user=user)
    plan = make_plan(person, **plan_kwargs)
    return budget_grant(plan=plan, actor=None, level=level)


def pin_pilot_rates():
    """Level 2 at the pilots' averages (7 000 / 8 900 EUR a year), so the figures in tests are easy to follow."""
    from portal.budgets.ledger.models import MethodologyRate

    MethodologyRate.objects.filter(target_group="children", level=2).update(annual_amount=Decimal("7000.00"))
    MethodologyRate.objects.filter(target_group="adults", level=2).update(annual_amount=Decimal("8900.00"))


def ids_beyond(other_schema: str, tables=("ledger_budget", "people_person", "ledger_ledgerentry")):
    """Make the next ids in the current schema larger than any in ``other_schema``: then a request for
    this municipality's object on the other municipality's host cannot hit an unrelated row by chance."""
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST("
                f"(SELECT last_value FROM {connection.ops.quote_name(connection.schema_name)}."
                f"{table}_id_seq), (SELECT coalesce(max(id), 0) FROM {table}), "
                f"(SELECT coalesce(max(id), 0) FROM {connection.ops.quote_name(other_schema)}.{table})) + 1)")


@pytest.fixture
def in_a(muni_a, muni_b):
    connection.set_tenant(muni_a)
    pin_pilot_rates()
    ids_beyond(muni_b.schema_name)
    return muni_a


@pytest.fixture
def in_b(muni_b):
    connection.set_tenant(muni_b)
    return muni_b
