"""Incremental publication: after one municipality's refresh only its rows, its region's and Latvia's are summed
again and only the units the change touches are suppressed again — and the published cube is exactly what a full
publication gives (same figures, same markers), and the differencing attacker still learns nothing."""

from __future__ import annotations

import random
from types import SimpleNamespace

from django.db import connection

from portal.statistics.models import COUNT_MEASURES, Level, StatCell
from portal.statistics.services import statistics_publish, statistics_refresh
from tests.factories import active, build_world

from .test_suppression import _attack, _published

FIELDS = [f.attname for f in StatCell._meta.concrete_fields if f.attname not in ("id", "refreshed_at")]
PLACES = [(f"m{region[:2]}{i}", region) for region in ("zemgale", "kurzeme", "vidzeme", "latgale") for i in range(3)]


def _snapshot() -> dict:
    return {row[:6]: row for row in StatCell.objects.values_list(*FIELDS)}


def _rows(code: str, region: str, rnd: random.Random) -> list[StatCell]:
    """A municipality's rows whose sums hold: types a + b = all, months = the year = all time."""
    rows = []
    for group in ("children", "adults"):
        months = {(t, m): rnd.choice((0, 1, 2, 3, 4, 6, 9, 15)) for t in "ab" for m in ("2026-01", "2026-02")}
        for service_type in ("a", "b", ""):
            for period in ("2026-01", "2026-02", "2026", ""):
                n = sum(v for (t, m), v in months.items() if service_type in ("", t) and period in ("", "2026", m))
                if n:
                    rows.append(StatCell(level=Level.MUNICIPALITY, geo=code, region=region, target_group=group,
                                         service_type=service_type, period=period, persons=n, goals_achieved=n // 2,
                                         persons_with_budget=n, spent=n * 100, days_to_approve=[n], 
                                         providers_active=[n % 3]))
    return rows


def test_an_incremental_publication_equals_a_full_one_on_a_crafted_cube(db):
    rnd = random.Random(13)
    StatCell.objects.all().delete()
    for code, region in PLACES:
        StatCell.objects.bulk_create(_rows(code, region, rnd))
    statistics_publish()
    assert StatCell.objects.filter(level=Level.REGION).exclude(pushed={}).exists(), \
        "Latvia's unit pushes a marker into a region (the path that reaches another region)"
    for step in range(8):
        code, region = rnd.choice(PLACES)
        StatCell.objects.filter(level=Level.MUNICIPALITY, geo=code).exclude(target_group="").delete()
        StatCell.objects.bulk_create(_rows(code, region, rnd))
        statistics_publish(municipality=SimpleNamespace(code=code, region=region))
        incremental = _snapshot()
        assert _attack(_published()) == [], step
        statistics_publish()
        assert _snapshot() == incremental, step


def test_a_refresh_after_a_commit_publishes_what_a_full_rebuild_does(cube, muni_a):
    world = build_world(muni_a)
    connection.set_tenant(muni_a)
    active(world)
    statistics_refresh(municipality=muni_a)  # incremental: Jelgava, Zemgale and Latvia
    incremental = _snapshot()
    assert any(is_hidden for row in incremental.values() for is_hidden in (row[FIELDS.index("hidden")],))
    assert _attack(_published()) == []
    statistics_publish()
    assert _snapshot() == incremental
    assert set(COUNT_MEASURES) <= set(FIELDS)
