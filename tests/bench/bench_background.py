"""Background benchmark: outbox lag under concurrent writers, and the period-end job at scale.

`python tests/bench/bench_background.py [--quick]` (or `./run bench background`).

1. Outbox lag, commit → handler done: 20 writer threads (each its own PostgreSQL connection) commit
   transactions that call ``outbox_emit``; a real `portal worker` process on the embedded Valkey
   processes them. Lag = the event's ``processed_at`` (set by the worker in the handler's transaction)
   minus the wall-clock time the writer's commit returned. Beside it, a floor measured in the same
   run: a bare Celery task (no database) sent → started in the worker, and the ratio of the p50s.
2. Period end: ``budgets_close_due`` run per municipality over budgets whose period has ended
   (10 000 across 13 municipalities; --quick: 1 000 across 3): total seconds and per budget.

Runs on its own database (PORTAL_DB_NAME=portal_bench_background) on the embedded server of
PORTAL_DATA_DIR.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import queue as queue_module
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from tests.bench.run import bench_municipalities, table  # noqa: E402  (one table format for every benchmark)
os.environ.setdefault("PORTAL_DB_NAME", "portal_bench_background")
os.environ.setdefault("PORTAL_QUIET", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.platform.settings")

WRITERS = 20


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def _start_worker(include: str = "tests.bench.background_tasks") -> subprocess.Popen:
    """`portal worker` on the benchmark's database (its queue), returning once it is ready."""
    from django.db import connection

    env = {**os.environ, "PORTAL_DB_NAME": connection.settings_dict["NAME"], "PORTAL_QUIET": "1"}
    process = subprocess.Popen([sys.executable, "-m", "portal.platform.cli", "worker", "--no-beat",
                                "--concurrency", "4", "--include", include],
                               env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: queue_module.Queue[str] = queue_module.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    output, deadline = [], time.monotonic() + 120
    while not any("Background worker ready" in line for line in output):
        if time.monotonic() > deadline or process.poll() is not None:
            raise SystemExit("the worker did not start:\n" + "".join(output))
        with contextlib.suppress(queue_module.Empty):
            output.append(lines.get(timeout=0.5))
    return process


def _floor(samples: int) -> list[float]:
    """A bare Celery task: sent → running in the worker (seconds), one at a time."""
    from tests.bench import background_tasks

    lags = []
    for _ in range(samples):
        lags.append(background_tasks.ping.apply_async(args=[time.time()]).get(timeout=30))
    return lags


def _outbox_lag(municipality, *, writers: int, per_writer: int) -> tuple[list[float], float]:
    from django.db import connection, transaction

    from portal.platform.outbox.models import OutboxEvent
    from portal.platform.outbox.services import outbox_emit
    from tests.bench.background_tasks import KIND

    committed: dict[int, float] = {}
    lock = threading.Lock()
    barrier = threading.Barrier(writers)

    def writer(index: int):
        from django.db import connection as own

        own.set_tenant(municipality)
        mine = {}
        barrier.wait()
        for n in range(per_writer):
            with transaction.atomic():
                event = outbox_emit(kind=KIND, payload={"writer": index, "n": n})
            mine[event.pk] = time.time()  # the commit returned (the dispatch ran in on_commit before this)
        own.close()
        with lock:
            committed.update(mine)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(writers)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    connection.set_tenant(municipality)
    deadline = time.monotonic() + 300
    while OutboxEvent.objects.filter(pk__in=committed, processed_at__isnull=True).exists():
        if time.monotonic() > deadline:
            raise SystemExit("the worker did not process every event in 5 minutes")
        time.sleep(0.1)
    elapsed = time.perf_counter() - started
    processed = dict(OutboxEvent.objects.filter(pk__in=committed).values_list("pk", "processed_at"))
    lags = [max(0.0, processed[pk].timestamp() - committed[pk]) for pk in committed]
    return lags, len(committed) / elapsed


def _due_budgets(count: int, *, ended: dt.date) -> None:
    """``count`` open budgets in the current schema whose plan period ended the day before ``ended``."""
    from portal.budgets.ledger.models import Budget, BudgetCategory, LedgerEntry
    from portal.budgets.people.models import Goal, Person, SupportPlan

    start, end = ended - dt.timedelta(days=181), ended - dt.timedelta(days=1)
    granted = Decimal("1200.00")
    tag = uuid.uuid4().hex[:6]
    persons = Person.objects.bulk_create([
        Person(first_name="Bench", last_name=f"Period {tag}", personal_code=f"32{uuid.uuid4().int % 10**9:09d}",
               birth_date=dt.date(1980, 1, 1), target_group="adults", disability_group="group_1")
        for _ in range(count)])
    plans = SupportPlan.objects.bulk_create([
        SupportPlan(person=p, version=1, period_start=start, period_end=end, status="approved") for p in persons])
    goals = Goal.objects.bulk_create([Goal(plan=p, text="Bench", share_percent=Decimal("100")) for p in plans])
    budgets = Budget.objects.bulk_create([
        Budget(person=p.person, plan=p, period_start=start, period_end=end, total=granted, target_group="adults",
               level=2, annual_amount=granted * 2, period_months=Decimal("6")) for p in plans])
    categories = BudgetCategory.objects.bulk_create([
        BudgetCategory(budget=b, goal=g, name="Bench", granted=granted) for b, g in zip(budgets, goals)])
    LedgerEntry.objects.bulk_create([
        LedgerEntry(budget=c.budget, category=c, kind="grant", amount=granted,
                    idempotency_key=f"bench-grant:{uuid.uuid4().hex}", reference="bench") for c in categories])


def _period_end(municipalities: list, total: int) -> list:
    from django.db import connection

    from portal.budgets.ledger.services import budgets_close_due

    today = dt.date.today()
    per = [total // len(municipalities) + (1 if i < total % len(municipalities) else 0)
           for i in range(len(municipalities))]
    for municipality, count in zip(municipalities, per):
        connection.set_tenant(municipality)
        budgets_close_due(today=today)  # what an earlier run left open: not this run's figure
        _due_budgets(count, ended=today)
    print(f"  {total} due budgets created; closing …", flush=True)
    closed, started = 0, time.perf_counter()
    for municipality in municipalities:
        connection.set_tenant(municipality)
        closed += len(budgets_close_due(today=today))
    elapsed = time.perf_counter() - started
    connection.set_schema_to_public()
    if closed != total:
        raise SystemExit(f"closed {closed} budgets, expected {total}")
    return [closed, len(municipalities), f"{elapsed:.1f} s", f"{elapsed / closed * 1000:.1f} ms"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer events; 1 000 budgets over 3 municipalities")
    args = parser.parse_args(argv)
    towns, budgets, per_writer, floor_samples = (3, 1000, 10, 50) if args.quick else (13, 10000, 50, 200)
    municipalities = bench_municipalities(*[(f"benchbg{i}", f"Background benchmark {i}") for i in range(towns)])

    print(f"• Outbox: {WRITERS} writers × {per_writer} events, a real worker …", flush=True)
    worker = _start_worker()
    try:
        _floor(5)  # warm the worker's processes and connections
        floor = _floor(floor_samples)
        alone = _outbox_lag(municipalities[0], writers=1, per_writer=floor_samples)
        lags, rate = _outbox_lag(municipalities[0], writers=WRITERS, per_writer=per_writer)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
    (lag50, lag95), (floor50, floor95) = _percentiles(lags), _percentiles(floor)
    alone50, alone95 = _percentiles(alone[0])
    table(f"Outbox lag, commit → handler done ({WRITERS} concurrent writers, worker --concurrency 4)",
          ["what", "p50", "p95", "samples", "events/s"],
          [["outbox event: commit → processed_at", f"{lag50 * 1000:.1f} ms", f"{lag95 * 1000:.1f} ms", len(lags),
            f"{rate:.0f}"],
           ["context: 1 writer, back to back", f"{alone50 * 1000:.1f} ms", f"{alone95 * 1000:.1f} ms",
            len(alone[0]), f"{alone[1]:.0f}"],
           ["floor: bare Celery task sent → running", f"{floor50 * 1000:.1f} ms", f"{floor95 * 1000:.1f} ms",
            len(floor), ""],
           ["ratio outbox / floor", f"{lag50 / floor50:.1f}×", f"{lag95 / floor95:.1f}×", "", ""]])

    print(f"• Period end: {budgets} budgets over {towns} municipalities …", flush=True)
    table("Period end (budgets_close_due, per municipality)",
          ["budgets closed", "municipalities", "total", "per budget"], [_period_end(municipalities, budgets)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
