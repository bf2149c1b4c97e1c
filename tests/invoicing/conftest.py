"""Fixtures for invoicing: an active agreement (with its reservation) built through the agreements area's
own services, in the shared test world (tests/factories.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from portal.marketplace.invoicing.sessions import session_record
from tests.factories import active, build_world, own_staff_user


def today():
    return timezone.localdate()


def active_agreement(world, *, units_per_week="2", start=None, end=None, **kwargs):
    """Active since four weeks ago, so sessions in the past fall inside its period."""
    start = start or today() - dt.timedelta(days=28)
    end = end or today() + dt.timedelta(days=60)
    agreement = active(world, units_per_week=units_per_week, period_start=start, period_end=end, **kwargs)
    connection.set_tenant(world.municipality)
    return agreement


def _ids_beyond_the_demo(municipality):
    """Ids of what tests create in A start at 10^9, so the same id in B (demo data) never exists there:
    a tenancy check then proves isolation instead of hitting B's own record by coincidence.
    (setval is not rolled back; harmless: the ids only grow.)"""
    connection.set_tenant(municipality)
    with connection.cursor() as cursor:
        for table in ("invoicing_session", "invoicing_invoice", "invoicing_invoiceline", "agreements_agreement"):
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                           "GREATEST(nextval(pg_get_serial_sequence(%s, 'id')), 1000000000))", [table, table])


def _own_staff(world):
    """The world's provider staff is a user of the test provider only (the demo staff also works for the
    demo provider, whose records in B would otherwise be theirs to see)."""
    world.staff = own_staff_user(world.provider)
    connection.set_tenant(world.municipality)
    return world


@pytest.fixture
def world(muni_a):
    """The shared test world, with ids beyond the demo's and a staff user of the test provider only."""
    _ids_beyond_the_demo(muni_a)
    return _own_staff(build_world(muni_a))


@pytest.fixture
def agreement(world):
    return active_agreement(world)


def record(agreement, actor, *, days_ago=1, units="2", start=None, **kwargs):
    return session_record(agreement=agreement, actor=actor, date=today() - dt.timedelta(days=days_ago),
                          units=units, staff_name=kwargs.pop("staff_name", "Anna Kalēja"), start_time=start, **kwargs)
