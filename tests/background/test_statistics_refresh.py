"""The real path after a commit: outbox → worker → refresh task → the public cube (a real Celery worker)."""

from __future__ import annotations

import time

from django.db import connection, transaction
from django.utils import timezone

from portal.platform.outbox.models import OutboxEvent
from portal.platform.outbox.services import outbox_emit
from portal.statistics.models import RefreshState, StatCell
from tests.background.conftest import wait_until
from tests.conftest import MUNICIPALITY_A


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
            StatCell.objects.all().delete()
            RefreshState.objects.all().delete()
