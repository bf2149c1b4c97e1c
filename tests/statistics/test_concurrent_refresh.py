"""Two refreshes of one municipality at once (two commits' outbox events on two worker threads) end with its
rows once: each deletes and re-inserts the municipality's rows, and without a lock the second clashed with the
first's new rows (seen in the demo: duplicate key on statistics_cell_unique)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from portal.statistics.models import Level, StatCell
from portal.statistics.services import statistics_refresh
from portal.tenants.models import Municipality
from tests.conftest import MUNICIPALITY_A


@pytest.mark.django_db(transaction=False)
def test_two_refreshes_of_one_municipality_at_once_both_succeed(django_db_blocker):
    errors, barrier = [], threading.Barrier(2)

    def refresh():
        try:
            municipality = Municipality.objects.get(code=MUNICIPALITY_A)
            barrier.wait(timeout=10)
            statistics_refresh(municipality=municipality, publish=False)
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    with django_db_blocker.unblock():
        threads = [threading.Thread(target=refresh) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert errors == []
    with django_db_blocker.unblock():
        rows = StatCell.objects.filter(level=Level.MUNICIPALITY, geo=MUNICIPALITY_A)
        keys = list(rows.values_list("target_group", "service_type", "period"))
    assert keys and len(keys) == len(set(keys))
