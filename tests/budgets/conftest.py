"""Fixtures of the budget tests: municipality A with the pilots' rates pinned. Persons, plans and budgets
come from tests/factories.py."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from portal.budgets.ledger.models import MethodologyRate


def pin_pilot_rates():
    """Level 2 at the pilots' averages (7 000 / 8 900 EUR a year), so the figures in tests are easy to follow."""
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
def in_a(in_a, muni_b):
    """The shared ``in_a`` (tests/conftest.py), with the pilots' rates and ids beyond municipality B's."""
    pin_pilot_rates()
    ids_beyond(muni_b.schema_name)
    return in_a
