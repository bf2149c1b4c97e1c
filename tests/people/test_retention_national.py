"""The national site's audit rows (public schema: sign-ins there, provider actions, platform administration)
expire on the municipalities' terms (issue 15): reads after 2 years, the rest after 5, through the scheduled
task. The day before a row's term ends changes nothing; the day after deletes it; a municipality's rows of
the same age are left to that municipality's own job."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from portal.budgets.people.tasks import NATIONAL_AUDIT_EXPIRY, national_audit_expiry
from portal.platform.background.app import beat_schedule
from portal.platform.core.models import AuditEvent
from portal.platform.core.retention import AUDIT_READ_YEARS, AUDIT_YEARS, years_after

pytestmark = pytest.mark.django_db

WRITTEN = dt.date(2020, 3, 10)


def _row(action: str) -> int:
    event = AuditEvent.objects.create(action=action, object_type="tenants.provider", summary=f"{action} then")
    AuditEvent.objects.filter(pk=event.pk).update(at=dt.datetime(2020, 3, 10, 12, tzinfo=dt.UTC))
    return event.pk


def _left(pks) -> set[int]:
    connection.set_schema_to_public()
    return set(AuditEvent.objects.filter(pk__in=pks).values_list("pk", flat=True))


def test_the_national_sites_audit_rows_expire_after_their_term_and_not_a_day_before(muni_a):
    connection.set_tenant(muni_a)
    municipal = [_row("view"), _row("update")]
    connection.set_schema_to_public()
    read, change, login = _row("view"), _row("update"), _row("login")
    ours = {read, change, login}

    last_read_day = years_after(WRITTEN, AUDIT_READ_YEARS)  # the last day a read is kept
    assert national_audit_expiry(today=last_read_day.isoformat()) == {"reads": 0, "others": 0}
    assert _left(ours) == ours
    assert national_audit_expiry(today=(last_read_day + dt.timedelta(days=1)).isoformat()) == {"reads": 1,
                                                                                                "others": 0}
    assert _left(ours) == {change, login}

    last_day = years_after(WRITTEN, AUDIT_YEARS)
    assert national_audit_expiry(today=last_day.isoformat()) == {"reads": 0, "others": 0}
    assert _left(ours) == {change, login}
    assert national_audit_expiry(today=(last_day + dt.timedelta(days=1)).isoformat()) == {"reads": 0,
                                                                                           "others": 2}
    assert _left(ours) == set()
    assert AuditEvent.objects.filter(summary="retention: expired audit rows deleted").count() == 2
    assert national_audit_expiry(today=(last_day + dt.timedelta(days=1)).isoformat()) == {"reads": 0,
                                                                                           "others": 0}

    connection.set_tenant(muni_a)  # the municipality's rows are its own job's (people.retention)
    assert set(AuditEvent.objects.filter(pk__in=municipal).values_list("pk", flat=True)) == set(municipal)


def test_beat_runs_the_national_audit_expiry_daily_in_the_public_schema():
    entry = beat_schedule()["national-audit-expiry"]
    assert entry == {"task": NATIONAL_AUDIT_EXPIRY, "schedule": 86400.0}  # not fanned out per municipality
