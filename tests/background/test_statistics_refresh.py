"""The real path after a commit: outbox → worker → refresh task → the public cube (a real Celery worker)."""

from __future__ import annotations

import datetime as dt
import time

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from portal.budgets.people.assessments import assessment_create
from portal.budgets.people.models import SIS_SUBSCALES, Assessment
from portal.platform.outbox.models import OutboxEvent
from portal.platform.outbox.services import outbox_emit
from portal.statistics.models import RefreshState, StatCell
from portal.statistics.services import PUBLISH_LOCK
from tests.background.conftest import wait_until
from portal.tenants.models import Municipality
from portal.tenants.roles import Role
from tests.conftest import MUNICIPALITY_A, demo_user
from tests.factories import make_person


def _clear_statistics() -> None:
    """Empty the cube under the publication's lock: a refresh still running in the worker (a second event's)
    would otherwise deadlock with this delete."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(PUBLISH_LOCK)
        StatCell.objects.all().delete()
        RefreshState.objects.all().delete()


def test_a_commit_refreshes_the_municipality_s_figures_through_the_worker(worker, committed_in):
    started = timezone.now()
    try:
        with committed_in(MUNICIPALITY_A):
            with transaction.atomic():
                event = outbox_emit(kind="plan.reviewed", payload={"plan_id": 0})
            committed = time.perf_counter()
            state = wait_until(lambda: RefreshState.objects.filter(geo=MUNICIPALITY_A,
                                                                   refreshed_at__gt=started).first())
            lag = time.perf_counter() - committed
            connection.set_schema_to_public()
            assert StatCell.objects.filter(level="municipality", geo=MUNICIPALITY_A).exists()
            assert StatCell.objects.filter(level="national", target_group="", service_type="", period="").exists()
            assert state.seconds > 0 and lag < 20
    finally:
        with committed_in(MUNICIPALITY_A):
            OutboxEvent.objects.filter(pk=event.pk).delete()
            connection.set_schema_to_public()
            _clear_statistics()


def test_a_new_assessment_refreshes_persons_assessed_through_the_worker(worker, committed_in):
    """assessment_create emits ``assessment.recorded`` (ids only) in its transaction; the worker's handler asks
    for the refresh, so "persons assessed" moves without waiting for the scheduled rebuild."""
    started, today = timezone.now(), timezone.localdate()
    with committed_in(MUNICIPALITY_A):
        person = make_person()
        try:
            assessment = assessment_create(person=person, scores={k: 10 for k in SIS_SUBSCALES}, assessed_on=today,
                                           valid_until=today + dt.timedelta(days=300),
                                           actor=demo_user(Role.SOCIAL_WORKER))
            event = OutboxEvent.objects.get(kind="assessment.recorded", payload__assessment_id=assessment.pk)
            assert event.payload == {"assessment_id": assessment.pk, "person_id": person.pk}
            assessed_this_month = (Assessment.objects.values("person_id").annotate(day=Max("assessed_on"))
                                   .filter(day__year=today.year, day__month=today.month,
                                           person__target_group="adults").count())
            connection.set_schema_to_public()
            wait_until(lambda: RefreshState.objects.filter(geo=MUNICIPALITY_A, refreshed_at__gt=started).exists())
            cell = StatCell.objects.get(level="municipality", geo=MUNICIPALITY_A, target_group="adults",
                                        service_type="", period=f"{today:%Y-%m}")
            assert cell.persons_assessed == assessed_this_month >= 1
        finally:
            connection.set_tenant(Municipality.objects.get(code=MUNICIPALITY_A))
            OutboxEvent.objects.filter(kind="assessment.recorded", payload__person_id=person.pk).delete()
            Assessment.objects.filter(person=person).delete()
            person.delete()
            connection.set_schema_to_public()
            _clear_statistics()
