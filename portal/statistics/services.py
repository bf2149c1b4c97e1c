"""Refreshing the statistics: one municipality's rollup after a commit, every municipality on schedule.

``statistics_refresh(schema_name=…)`` reads that municipality's schema (``rollup``), replaces its rows in
the public cube and publishes; ``statistics_rebuild()`` does it for every municipality and publishes once;
``statistics_publish()`` sums the totals (both groups, regions, Latvia) and runs the suppression. Pages and
the API only read the cube (``selectors``), never a municipality's schema.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context

from portal.tenants.models import Municipality

from . import suppression
from .models import (COUNT_MEASURES, DAY_MEASURES, MONEY_MEASURES, PROVIDER_MEASURES, ZERO, Level, RefreshState,
                     StatCell)
from .rollup import municipality_rollup

TARGET_GROUPS = ("children", "adults")


def _row(municipality: Municipality, key: tuple, cell) -> StatCell:
    group, service_type, period = key
    return StatCell(
        level=Level.MUNICIPALITY, geo=municipality.code, region=municipality.region, target_group=group,
        service_type=service_type, period=period, persons=len(cell.persons), **cell.counts, **cell.money,
        **{m: sorted(v) for m, v in cell.days.items()}, **{m: sorted(v) for m, v in cell.providers.items()})


def statistics_refresh(*, municipality: Municipality, publish: bool = True, today: dt.date | None = None,
                       requested_at: dt.datetime | None = None) -> int:
    """Rebuild ``municipality``'s rows from its schema; then publish. Returns how many rows it has, or -1
    when a refresh that started after ``requested_at`` (the commit that asked) has already done it."""
    if requested_at is not None:
        with schema_context(settings.PUBLIC_SCHEMA_NAME):
            if RefreshState.objects.filter(geo=municipality.code, refreshed_at__gte=requested_at).exists():
                return -1  # a burst of commits: the first refresh after them read them all
    started, snapshot = time.perf_counter(), timezone.now()
    with tenant_context(municipality):
        cells = municipality_rollup(today=today)
    rows = [_row(municipality, key, cell) for key, cell in cells.items()]
    with schema_context(settings.PUBLIC_SCHEMA_NAME), transaction.atomic():
        with connection.cursor() as cursor:  # one refresh of a municipality at a time: two commits' refreshes
            # would each delete the old rows and insert, the second clashing with the first's new rows
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))",
                           [f"portal.statistics.refresh.{municipality.code}"])
        StatCell.objects.filter(level=Level.MUNICIPALITY, geo=municipality.code).delete()
        StatCell.objects.bulk_create(rows, batch_size=2000)
        if publish:
            statistics_publish()
        RefreshState.objects.update_or_create(geo=municipality.code, defaults={
            "refreshed_at": snapshot, "seconds": time.perf_counter() - started})
    return len(rows)


def statistics_rebuild(*, today: dt.date | None = None) -> dict[str, float]:
    """Every municipality's rows from its schema, then one publication. {code: seconds, "publish": seconds}."""
    timings = {}
    connection.set_schema_to_public()
    for municipality in Municipality.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME).order_by("code"):
        started = time.perf_counter()
        statistics_refresh(municipality=municipality, publish=False, today=today)
        timings[municipality.code] = time.perf_counter() - started
    started = time.perf_counter()
    with schema_context(settings.PUBLIC_SCHEMA_NAME), transaction.atomic():
        statistics_publish()
    timings["publish"] = time.perf_counter() - started
    return timings


def _empty() -> dict:
    return {"persons": 0, **dict.fromkeys(COUNT_MEASURES, 0), **dict.fromkeys(MONEY_MEASURES, ZERO),
            **{m: [] for m in DAY_MEASURES}, **{m: set() for m in PROVIDER_MEASURES}}


def _add(into: dict, cell: dict) -> None:
    for name in ("persons", *COUNT_MEASURES, *MONEY_MEASURES):
        into[name] += cell[name]
    for name in DAY_MEASURES:
        into[name].extend(cell[name])
    for name in PROVIDER_MEASURES:
        into[name].update(cell[name])


def statistics_publish() -> int:
    """Sum the totals from the municipalities' rows, suppress, and write them (public schema, one transaction)."""
    with connection.cursor() as cursor:  # one publication at a time (refreshes of two municipalities race)
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('portal.statistics.publish'))")
    fields = ["level", "geo", "region", "target_group", "service_type", "period", "persons", *COUNT_MEASURES,
              *MONEY_MEASURES, *DAY_MEASURES, *PROVIDER_MEASURES]
    base = list(StatCell.objects.filter(level=Level.MUNICIPALITY).exclude(target_group="").values(*fields))
    cells: dict[tuple, dict] = {}
    for row in base:
        key = (row["level"], row["geo"], row["region"], row["target_group"], row["service_type"], row["period"])
        cells[key] = {**row, **{m: set(row[m]) for m in PROVIDER_MEASURES}}
    derived: dict[tuple, dict] = defaultdict(_empty)
    for (level, geo, region, group, service_type, period), cell in list(cells.items()):
        for target in (group, ""):
            for place in ((level, geo, region), ("region", region, region), ("national", "lv", "")):
                if place[0] == level and target == group:
                    continue
                _add(derived[(*place, target, service_type, period)], cell)
    cells.update(derived)
    hidden = suppression.suppress(cells, COUNT_MEASURES)

    new_rows = []
    for key, cell in derived.items():
        level, geo, region, group, service_type, period = key
        values = {name: cell[name] for name in ("persons", *COUNT_MEASURES, *MONEY_MEASURES)}
        new_rows.append(StatCell(level=level, geo=geo, region=region, target_group=group,
                                 service_type=service_type, period=period, hidden=hidden.get(key, {}),
                                 **values, **{m: sorted(cell[m]) for m in DAY_MEASURES},
                                 **{m: sorted(cell[m]) for m in PROVIDER_MEASURES}))
    StatCell.objects.exclude(level=Level.MUNICIPALITY, target_group__in=TARGET_GROUPS).delete()
    StatCell.objects.bulk_create(new_rows, batch_size=2000)
    changed = []
    for row in StatCell.objects.filter(level=Level.MUNICIPALITY, target_group__in=TARGET_GROUPS).only(
            "pk", "level", "geo", "region", "target_group", "service_type", "period", "hidden"):
        wanted = hidden.get(row.key(), {})
        if row.hidden != wanted:
            row.hidden = wanted
            changed.append(row)
    StatCell.objects.bulk_update(changed, ["hidden"], batch_size=2000)
    with connection.cursor() as cursor:  # fresh planner statistics: pages read the cube by its indexes
        cursor.execute("ANALYZE statistics_statcell")
    return len(cells)
