"""Refreshing the statistics: one municipality's rollup after a commit, every municipality on schedule.

``statistics_refresh(schema_name=…)`` reads that municipality's schema (``rollup``), replaces its rows in
the public cube and publishes; ``statistics_rebuild()`` does it for every municipality and publishes once;
``statistics_publish()`` sums the totals (both groups, regions, Latvia) and runs the suppression. Pages and
the API only read the cube (``selectors``), never a municipality's schema.
"""

from __future__ import annotations

import datetime as dt
import json
import time

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context

from portal.tenants.models import Municipality

from . import suppression
from .models import COUNT_MEASURES, DAY_MEASURES, MONEY_MEASURES, PROVIDER_MEASURES, Level, RefreshState, StatCell
from .rollup import municipality_rollup

TARGET_GROUPS = ("children", "adults")
PUBLISH_LOCK = "SELECT pg_advisory_xact_lock(hashtext('portal.statistics.publish'))"


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
        with connection.cursor() as cursor:
            if publish:  # the publication's lock before touching a row: a publication updates the markers of
                # the region's other municipalities, whose rows a second refresh must not hold meanwhile
                cursor.execute(PUBLISH_LOCK)
            # one refresh of a municipality at a time: two commits' refreshes would each delete the old rows
            # and insert, the second clashing with the first's new rows
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))",
                           [f"portal.statistics.refresh.{municipality.code}"])
        StatCell.objects.filter(level=Level.MUNICIPALITY, geo=municipality.code).delete()
        StatCell.objects.bulk_create(rows, batch_size=2000)
        if publish:
            statistics_publish(municipality=municipality)
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


# ----------------------------------------------------------------------------- publication
_MEASURES = ("persons", *COUNT_MEASURES, *MONEY_MEASURES)
_ARRAYS = (*DAY_MEASURES, *PROVIDER_MEASURES)
_COLUMNS = ", ".join(("level", "geo", "region", "target_group", "service_type", "period", *_MEASURES, *_ARRAYS,
                      "hidden", "hidden_base", "pushed", "refreshed_at"))
_SUMS = ", ".join([f"SUM({m})" for m in _MEASURES]
                  + [f"ARRAY(SELECT unnest(statistics_array_cat({m})) ORDER BY 1)" for m in DAY_MEASURES]
                  + [f"ARRAY(SELECT DISTINCT unnest(statistics_array_cat({m})) ORDER BY 1)" for m in PROVIDER_MEASURES])
_INSERT = (f"INSERT INTO statistics_statcell ({_COLUMNS}) SELECT {{place}}, {_SUMS}, jsonb_build_object(), "
           "jsonb_build_object(), jsonb_build_object(), now() FROM statistics_statcell WHERE {where} GROUP BY {group}")
# Both target groups of each municipality; each region's groups and both; Latvia's from the regions' groups.
_BOTH_GROUPS = _INSERT.format(place="'municipality', geo, region, '', service_type, period",
                              where="level = 'municipality' AND target_group <> '' {only}",
                              group="geo, region, service_type, period")
_REGIONS = _INSERT.format(place="'region', region, region, COALESCE(target_group, ''), service_type, period",
                          where="level = 'municipality' AND target_group <> '' {only}",
                          group="GROUPING SETS ((region, target_group, service_type, period), "
                                "(region, service_type, period))")
_NATIONAL = _INSERT.format(place="'national', 'lv', '', COALESCE(target_group, ''), service_type, period",
                           where="level = 'region' AND target_group <> ''",
                           group="GROUPING SETS ((target_group, service_type, period), (service_type, period))")


def _aggregate(municipality: Municipality | None) -> None:
    """Replace the summed rows — every one, or only ``municipality``'s both-groups rows, its region's and
    Latvia's — by sums of the municipalities' rows, in SQL."""
    derived = StatCell.objects.exclude(level=Level.MUNICIPALITY, target_group__in=TARGET_GROUPS)
    if municipality is None:
        derived.delete()
        only_geo = only_region = "", []
    else:
        derived.filter(Q(level=Level.MUNICIPALITY, geo=municipality.code)
                       | Q(level=Level.REGION, geo=municipality.region) | Q(level=Level.NATIONAL)).delete()
        only_geo, only_region = ("AND geo = %s", [municipality.code]), ("AND region = %s", [municipality.region])
    with connection.cursor() as cursor:
        for sql, (only, params) in ((_BOTH_GROUPS, only_geo), (_REGIONS, only_region), (_NATIONAL, ("", []))):
            cursor.execute(sql.format(only=only), params)


_KEY = ("level", "geo", "region", "target_group", "service_type", "period")


class _Cube:
    """The rows a publication reads: Latvia's and the regions' always, a region's unit when it is redone."""

    def __init__(self, municipality: Municipality | None):
        self.municipality = municipality
        self.rows: dict[tuple, dict] = {}  # key → {"pk", measures, "hidden", "hidden_base", "pushed"}
        self.units: dict[str, list[tuple]] = {}  # region → the keys of its unit (loaded)
        self.bases: dict[str, dict] = {}  # region → its unit's markers without seeds (decided in this run)
        top = StatCell.objects.filter(level__in=(Level.NATIONAL, Level.REGION))
        self._read(top)
        if municipality is None:
            self._read(StatCell.objects.filter(level=Level.MUNICIPALITY))
            for key in self.rows:
                if key[0] != Level.NATIONAL:
                    self.units.setdefault(key[2], []).append(key)

    def _read(self, queryset) -> None:
        fields = ("pk", *_KEY, "persons", *COUNT_MEASURES, *MONEY_MEASURES, "hidden", "hidden_base", "pushed")
        for values in queryset.values_list(*fields):
            row = dict(zip(fields, values, strict=True))
            self.rows[tuple(row[k] for k in _KEY)] = row

    def top(self) -> dict[tuple, dict]:
        return {key: row for key, row in self.rows.items() if key[0] != Level.MUNICIPALITY}

    def regions(self) -> list[str]:
        return sorted({key[2] for key in self.rows if key[0] == Level.REGION})

    def _stored(self, region: str, field: str) -> dict:
        return {key: row[field] for key, row in self.rows.items()
                if key[0] == Level.REGION and key[2] == region and row[field]}

    def stage(self, region: str, seeds: dict) -> dict:
        """The markers of ``region``'s unit with ``seeds`` (suppression.suppress_staged). A region the change
        did not touch is not read again when what it gives is stored: its markers alone, or with the very seeds
        it had."""
        if region not in self.units and self.municipality is not None and region != self.municipality.region:
            if not seeds:
                return self._stored(region, "hidden_base")
            if seeds == self._stored(region, "pushed"):
                return self._stored(region, "hidden")
        markers = self._redo(region, seeds)
        if not seeds:
            self.bases[region] = markers
        return markers

    def _redo(self, region: str, seeds: dict) -> dict:
        if region not in self.units:
            self._read(StatCell.objects.filter(level__in=(Level.MUNICIPALITY, Level.REGION), region=region))
            self.units[region] = [key for key in self.rows if key[0] != Level.NATIONAL and key[2] == region]
        return suppression.suppress_unit(self.rows, self.units[region], COUNT_MEASURES, seeds)

    def settle(self, found: dict, pushed: dict) -> None:
        """A region not read in this run whose seeds from Latvia changed (a marker pushed, or no longer pushed)
        is redone with its new seeds, as a full publication would have it."""
        for region in found:
            if region not in self.units and pushed[region] != self._stored(region, "pushed"):
                found[region] = self._redo(region, pushed[region])

    def write(self, national: dict, found: dict, pushed: dict) -> None:
        """Store the markers of Latvia's rows and of every unit decided in this run (only rows that change)."""
        wanted = {key: {"hidden": marks} for key, marks in ((k, national.get(k, {})) for k in self.rows
                                                             if k[0] == Level.NATIONAL)}
        for region, keys in self.units.items():
            for key in keys:
                wanted[key] = {"hidden": found[region].get(key, {})}
                if key[0] == Level.REGION:
                    wanted[key]["pushed"] = pushed[region].get(key, {})
                    if region in self.bases:
                        wanted[key]["hidden_base"] = self.bases[region].get(key, {})
        changes = [(self.rows[key]["pk"], {**{f: self.rows[key][f] for f in ("hidden", "hidden_base", "pushed")},
                                           **fields})
                   for key, fields in wanted.items() if any(self.rows[key][f] != v for f, v in fields.items())]
        with connection.cursor() as cursor:
            for start in range(0, len(changes), 1000):
                chunk = changes[start:start + 1000]
                cursor.execute(
                    "UPDATE statistics_statcell AS c SET hidden = v.hidden::jsonb, hidden_base = v.base::jsonb, "
                    "pushed = v.pushed::jsonb FROM (VALUES " + ", ".join(["(%s, %s, %s, %s)"] * len(chunk))
                    + ") AS v(id, hidden, base, pushed) WHERE c.id = v.id",
                    [value for pk, f in chunk for value in (pk, json.dumps(f["hidden"]), json.dumps(f["hidden_base"]),
                                                            json.dumps(f["pushed"]))])


PUBLICATION_BUMP = """
    INSERT INTO statistics_publication (id, version, token, published_at) VALUES (1, 1, gen_random_uuid(), now())
    ON CONFLICT (id) DO UPDATE SET version = statistics_publication.version + 1, token = EXCLUDED.token,
                                   published_at = EXCLUDED.published_at"""


def _bump_publication() -> None:
    """In the publication's transaction: a page that reads the new token reads the new cube (dashboard cache)."""
    with connection.cursor() as cursor:
        cursor.execute(PUBLICATION_BUMP)


def statistics_publish(*, municipality: Municipality | None = None) -> int:
    """Sum the totals from the municipalities' rows (in SQL), suppress, and store the markers (public schema,
    one transaction). ``municipality``: only what its change touches — its rows, its region's, Latvia's, and
    the suppression of its region's unit and Latvia's (and of another region only where Latvia's pushes a
    marker into it); the published cells are the same as a full publication's. Returns the rows read."""
    with connection.cursor() as cursor:  # one publication at a time (refreshes of two municipalities race)
        cursor.execute(PUBLISH_LOCK)
    _aggregate(municipality)
    cube = _Cube(municipality)
    regions = cube.regions()
    if municipality is not None and municipality.region not in regions:
        regions.append(municipality.region)
    national, found, pushed = suppression.suppress_staged(regions, cube.top(), COUNT_MEASURES, cube.stage)
    cube.settle(found, pushed)
    cube.write(national, found, pushed)
    _bump_publication()
    if municipality is None:
        with connection.cursor() as cursor:  # fresh planner statistics: pages read the cube by its indexes
            cursor.execute("ANALYZE statistics_statcell")
    return len(cube.rows)
