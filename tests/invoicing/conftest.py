"""Fixtures for invoicing: an active agreement (with its reservation) built through the agreements area's
own services, reusing its test world (provider, persons, budget)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from tests.agreements.conftest import active, build_world  # noqa: F401  (the shared test world)


def today():
    return timezone.localdate()


def active_agreement(world, *, units_per_week="2", start=None, end=None, **kwargs):
    """Active since four weeks ago, so sessions in the past fall inside its period."""
    start = start or today() - dt.timedelta(days=28)
    end = end or today() + dt.timedelta(days=60)
    agreement = active(world, units_per_week=units_per_week, period_start=start, period_end=end, **kwargs)
    connection.set_tenant(world.municipality)
    return agreement


@pytest.fixture
def world(muni_a):
    return build_world(muni_a)


@pytest.fixture
def agreement(world):
    return active_agreement(world)


def record(agreement, actor, *, days_ago=1, units="2", start=None, **kwargs):
    from portal.marketplace.invoicing.services import session_record

    return session_record(agreement=agreement, actor=actor, date=today() - dt.timedelta(days=days_ago),
                          units=units, staff_name=kwargs.pop("staff_name", "Anna Kalēja"), start_time=start, **kwargs)
