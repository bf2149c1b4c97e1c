"""Statistics benchmark: the ministry's dashboard and open-data API, the full rebuild, the refresh lag.

`python tests/bench/bench_statistics.py [--quick]` (or `./run bench statistics`).

1. Full rebuild (`statistics_rebuild`): seconds per municipality (its schema read into the cube) and in all,
   with the one publication (totals + suppression) — on the 13 demo pilots (3 with --quick).
2. Pages and API, p50/p95 over HTTP through the Django test client on the national host, beside a `/healthz`
   floor measured in the same run: with the pilots, then with 1 000 synthetic municipalities (their cube rows
   copied from the pilots'; the point is that a request reads the cube only). Target ≤ 200 ms at 1 000.
3. Refresh lag after a commit: an outbox event committed in a pilot until its figures are republished, through
   a real `portal worker` process (outbox → handler → refresh task).

Runs on its own database (PORTAL_DB_NAME=portal_bench_statistics) on the embedded server of PORTAL_DATA_DIR;
the demo pilots are loaded once (idempotent).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import queue as queue_module
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from tests.bench.run import table  # noqa: E402  (one table format for every benchmark)

os.environ.setdefault("PORTAL_DB_NAME", "portal_bench_statistics")
os.environ.setdefault("PORTAL_QUIET", "1")
os.environ.setdefault("PORTAL_DEMO", "1")  # the demo analyst signs in without the second step
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.platform.settings")

SYNTHETIC = 1_000


def _setup(quick: bool):
    import django

    django.setup()
    from portal.platform.cli import ensure_migrated

    ensure_migrated()
    from portal.demo.loader import PILOTS, load_demo

    started = time.perf_counter()
    load_demo(pilots=PILOTS[:3] if quick else PILOTS)
    print(f"demo pilots ready in {time.perf_counter() - started:.1f} s", flush=True)


def _ms(samples: list[float]) -> tuple[str, str]:
    samples = sorted(samples)
    return (f"{statistics.median(samples) * 1000:.1f} ms",
            f"{_p95(samples) * 1000:.1f} ms")


def bench_rebuild() -> list[list]:
    from portal.statistics.models import StatCell
    from portal.statistics.services import statistics_rebuild

    timings = statistics_rebuild()
    publish = timings.pop("publish")
    per = list(timings.values())
    return [[len(per), f"{min(per):.3f} s", f"{statistics.median(per):.3f} s", f"{max(per):.3f} s",
             f"{publish:.3f} s", f"{sum(per) + publish:.2f} s", StatCell.objects.count()]]


def _new_publication() -> None:
    """What a page sees after a publication: a new token (the cube's rows unchanged, so the figures compare)."""
    from django.db import transaction

    from portal.statistics.services import _bump_publication

    with transaction.atomic():
        _bump_publication()


def bench_pages(label: str, runs: int, only_dashboards: bool = False) -> list[list]:
    from django.conf import settings
    from django.test import Client

    from portal.demo.users import NATIONAL_DEMO_USERS
    from portal.platform.accounts.models import User
    from portal.tenants.roles import Role

    email = next(e for role, e, _ in NATIONAL_DEMO_USERS if role == Role.MINISTRY_ANALYST)
    analyst = Client(HTTP_HOST=settings.PORTAL_BASE_DOMAIN)
    analyst.force_login(User.objects.get(email=email))
    anonymous = Client(HTTP_HOST=settings.PORTAL_BASE_DOMAIN)
    rows = []
    dashboards = [("dashboard, Latvia", "/statistika/"),
                  ("dashboard, region + children", "/statistika/?region=vidzeme&target_group=children")]
    for what, client, url in [("/healthz (floor)", anonymous, "/healthz"),
                              *[(f"{what} — cold (first after a publication)", analyst, url)
                                for what, url in dashboards],
                              *[(f"{what} — warm (cached)", analyst, url) for what, url in dashboards],
                              ("dashboard, one municipality", analyst, "/statistika/?municipality=jelgava"),
                              ("export CSV, ranked municipalities", analyst, "/statistika/eksports/municipalities.csv"),
                              ("API cells, every municipality", anonymous, "/api/v1/stats/cells/?level=municipality"),
                              ("API municipalities, ranked", anonymous, "/api/v1/stats/municipalities/")]:
        if only_dashboards and "dashboard" not in what and "healthz" not in what:
            continue
        cold = "cold" in what
        client.get(url)
        samples = []
        for _ in range(runs):
            if cold:
                _new_publication()
            started = time.perf_counter()
            response = client.get(url)
            samples.append(time.perf_counter() - started)
            assert response.status_code == 200, (url, response.status_code)
        rows.append([label, what, *_ms(samples), runs, samples])
    floor = sorted(rows[0][-1])  # /healthz of this run: each figure beside it, as a ratio of its p50 and p95
    for row in rows:
        mine = sorted(row.pop())
        row.insert(4, f"{statistics.median(mine) / statistics.median(floor):.0f}× / "
                      f"{_p95(mine) / _p95(floor):.0f}×")
    return rows


def _p95(samples: list[float]) -> float:
    return samples[max(0, int(len(samples) * 0.95) - 1)]


def add_synthetic(count: int) -> float:
    """``count`` synthetic municipalities: copies of the pilots' own cube rows under new codes; then publish."""
    from django.db import transaction

    from portal.statistics.models import Level, StatCell
    from portal.statistics.services import statistics_publish
    from portal.tenants.models import PlanningRegion

    source = list(StatCell.objects.filter(level=Level.MUNICIPALITY).exclude(target_group=""))
    by_geo: dict[str, list] = {}
    for cell in source:
        by_geo.setdefault(cell.geo, []).append(cell)
    pilots = sorted(by_geo)
    regions = PlanningRegion.values
    rows = []
    for i in range(count):
        for cell in by_geo[pilots[i % len(pilots)]]:
            cell.pk = None
            cell.geo, cell.region, cell.hidden = f"synth{i:04d}", regions[i % len(regions)], {}
            rows.append(StatCell(**{f.attname: getattr(cell, f.attname) for f in StatCell._meta.concrete_fields}))
    StatCell.objects.bulk_create(rows, batch_size=5000)
    started = time.perf_counter()  # publication ends with ANALYZE of the cube
    with transaction.atomic():
        statistics_publish()
    return time.perf_counter() - started


def bench_incremental(samples: int) -> list[list]:
    """One municipality's publication (its rows, its region's, Latvia's; suppression of its region's unit and
    Latvia's) with the synthetic municipalities in the cube, and the whole refresh (its schema read too)."""
    from django.db import transaction

    from portal.statistics.services import statistics_publish, statistics_refresh
    from portal.tenants.models import Municipality

    municipality = Municipality.objects.get(code="jelgava")
    publish, refresh = [], []
    for _ in range(samples):
        started = time.perf_counter()
        with transaction.atomic():
            statistics_publish(municipality=municipality)
        publish.append(time.perf_counter() - started)
        started = time.perf_counter()
        statistics_refresh(municipality=municipality)
        refresh.append(time.perf_counter() - started)
    return [["publication of one municipality", *_ms(publish), samples],
            ["refresh of one municipality (its schema read, then published)", *_ms(refresh), samples]]


def remove_synthetic() -> None:
    from django.db import transaction

    from portal.statistics.models import StatCell
    from portal.statistics.services import statistics_publish

    with transaction.atomic():
        StatCell.objects.filter(geo__startswith="synth").delete()
        statistics_publish()


def _start_worker() -> subprocess.Popen:
    from django.db import connection

    env = {**os.environ, "PORTAL_DB_NAME": connection.settings_dict["NAME"], "PORTAL_QUIET": "1"}
    process = subprocess.Popen([sys.executable, "-m", "portal.platform.cli", "worker", "--no-beat",
                                "--concurrency", "2"], env=env, cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    lines: queue_module.Queue[str] = queue_module.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    output, deadline = [], time.monotonic() + 90
    while not any("Background worker ready" in line for line in output):
        if time.monotonic() > deadline or process.poll() is not None:
            raise RuntimeError("".join(output))
        with contextlib.suppress(queue_module.Empty):
            output.append(lines.get(timeout=0.5))
    return process


def bench_refresh_lag(samples: int) -> list[list]:
    from django.db import connection, transaction
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from portal.platform.outbox.services import outbox_emit
    from portal.statistics.models import RefreshState
    from portal.tenants.models import Municipality

    municipality = Municipality.objects.get(code="jelgava")
    worker = _start_worker()
    lags = []
    try:
        for _ in range(samples):
            before = timezone.now()
            with tenant_context(municipality), transaction.atomic():
                outbox_emit(kind="plan.reviewed", payload={"plan_id": 0})
            committed = time.perf_counter()
            connection.set_schema_to_public()
            while not RefreshState.objects.filter(geo="jelgava", refreshed_at__gt=before).exists():
                if time.perf_counter() - committed > 60:
                    raise RuntimeError("no refresh within 60 s")
                time.sleep(0.01)
            lags.append(time.perf_counter() - committed)
            time.sleep(0.2)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    return [[samples, *_ms(lags), f"{max(lags) * 1000:.0f} ms"]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="3 pilots, 10 runs a URL, 3 refresh samples")
    parser.add_argument("--dashboards", action="store_true",
                        help="only /healthz and the dashboards (cold and warm) at 1 000 synthetic municipalities; "
                             "no pilot pages, incremental publication or refresh lag")
    parser.add_argument("--runs", type=int, help="requests a URL (default 30; 10 with --quick)")
    args = parser.parse_args(argv)
    _setup(args.quick)
    runs = args.runs or (10 if args.quick else 30)
    if args.dashboards:
        return _dashboards_only(runs)
    table("Statistics: full rebuild from every municipality's schema",
          ["municipalities", "min", "median", "max", "publish", "in all", "cube rows"], bench_rebuild())
    from portal.tenants.models import Municipality

    pilots = Municipality.objects.exclude(schema_name="public").count()
    rows = bench_pages(f"{pilots} pilots", runs)
    publish = add_synthetic(SYNTHETIC)
    try:
        rows += bench_pages(f"{pilots} + {SYNTHETIC} synthetic", runs)
        incremental = bench_incremental(3 if args.quick else 10)
    finally:
        remove_synthetic()
    table("Statistics: pages and open-data API (the cube only; never across schemas)",
          ["municipalities", "request", "p50", "p95", "÷ /healthz p50 / p95", "runs"], rows)
    print(f"full publication (totals + suppression) with {SYNTHETIC} synthetic municipalities: {publish:.2f} s")
    table(f"Statistics: incremental publication with {pilots} + {SYNTHETIC} municipalities", ["what", "p50", "p95",
                                                                                             "runs"], incremental)
    table("Statistics: refresh lag after a commit (real worker)", ["commits", "p50", "p95", "max"],
          bench_refresh_lag(3 if args.quick else 10))
    return 0


def _dashboards_only(runs: int) -> int:
    from portal.statistics.models import StatCell
    from portal.statistics.services import statistics_rebuild
    from portal.tenants.models import Municipality

    if not StatCell.objects.exists():
        statistics_rebuild()
    pilots = Municipality.objects.exclude(schema_name="public").count()
    add_synthetic(SYNTHETIC)
    try:
        rows = bench_pages(f"{pilots} + {SYNTHETIC} synthetic", runs, only_dashboards=True)
    finally:
        remove_synthetic()
    table("Statistics: dashboards (cold: first request after a publication; warm: cached)",
          ["municipalities", "request", "p50", "p95", "÷ /healthz p50 / p95", "runs"], rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
