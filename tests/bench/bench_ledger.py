"""Ledger benchmark: concurrent reservations must never overspend.

`python tests/bench/bench_ledger.py [--quick]` (or `./run bench ledger`).

For 32 and 64 concurrent workers (threads, each with its own PostgreSQL
connection) and for one hot budget and 50 budgets, it makes ≥ 10 000
reservation attempts (1 000 with --quick) of 1.00–50.00 EUR against
categories that hold only about half of what is asked, so many attempts are
refused. Afterwards it computes overspend from the database — per category,
the sum of reservation entries against what was granted — which must be 0.

Runs on its own database (PORTAL_DB_NAME=portal_bench_ledger) on the embedded
server of PORTAL_DATA_DIR, in a municipality "benchledger" it provisions once.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import threading
import time
import uuid
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from tests.bench.run import bench_municipalities, table  # noqa: E402  (one table format for every benchmark)
os.environ.setdefault("PORTAL_DB_NAME", "portal_bench_ledger")
os.environ.setdefault("PORTAL_QUIET", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.platform.settings")

CODE = "benchledger"




def _setup():
    return bench_municipalities((CODE, "Ledger benchmark"))[0]


def _make_budgets(count: int, granted_each: Decimal) -> list:
    """``count`` budgets, each with one category holding ``granted_each``."""
    from portal.budgets.ledger.methodology import methodology_update, rate_table
    from portal.budgets.ledger.models import BudgetCategory
    from portal.budgets.ledger.services import budget_grant
    from portal.budgets.people.models import Goal, Person, SupportPlan

    # A rate that yields exactly ``granted_each`` for a 12-month plan at level 4 (adults).
    rates = rate_table()
    rates[("adults", 4)] = granted_each
    methodology_update(min_period_months=6, max_period_months=12, rates=rates, funding={}, actor=None)
    categories = []
    for _ in range(count):
        person = Person.objects.create(first_name="Bench", last_name="Ledger",
                                       personal_code=f"32{uuid.uuid4().int % 10**9:09d}",
                                       birth_date=dt.date(1980, 1, 1), target_group="adults",
                                       disability_group="group_1")
        plan = SupportPlan.objects.create(person=person, version=1, period_start=dt.date(2026, 1, 1),
                                          period_end=dt.date(2026, 12, 31), status="approved")
        Goal.objects.create(plan=plan, text="Bench", share_percent=Decimal("100"))
        budget = budget_grant(plan=plan, actor=None, level=4)
        categories.append(BudgetCategory.objects.get(budget=budget))
    return categories


def _run(municipality, *, workers: int, attempts: int, budgets: int) -> list:
    from django.db import connection
    from django.db.models import Sum

    from portal.budgets.ledger.errors import InsufficientFunds
    from portal.budgets.ledger.models import LedgerEntry
    from portal.budgets.ledger.services import funds_reserve

    connection.set_tenant(municipality)
    mean_ask = Decimal("25.50")
    # Each category holds about half of what will be asked of it.
    granted_each = (mean_ask * attempts / budgets / 2).quantize(Decimal("1"))
    categories = _make_budgets(budgets, granted_each)
    run_id = uuid.uuid4().hex[:8]
    per_worker = attempts // workers
    latencies: list[float] = []
    successes = refusals = errors = 0
    lock = threading.Lock()
    barrier = threading.Barrier(workers)

    def worker(index: int):
        nonlocal successes, refusals, errors
        from django.db import connection as own

        own.set_tenant(municipality)
        rng = random.Random(index)
        mine, ok, no, bad = [], 0, 0, 0
        barrier.wait()
        for n in range(per_worker):
            category = categories[rng.randrange(len(categories))]
            amount = Decimal(rng.randint(100, 5000)) / 100
            started = time.perf_counter()
            try:
                funds_reserve(category=category, amount=amount, reference="bench",
                              idempotency_key=f"bench:{run_id}:{index}:{n}", actor=None)
                ok += 1
            except InsufficientFunds:
                no += 1
            except Exception:  # noqa: BLE001 - counted and reported; a correct ledger has none
                bad += 1
            mine.append(time.perf_counter() - started)
        own.close()
        with lock:
            latencies.extend(mine)
            successes += ok
            refusals += no
            errors += bad

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(workers)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started

    # Overspend from the database: per category, reservations written versus what was granted.
    overspend = Decimal("0")
    reserved = (LedgerEntry.objects.filter(category__in=categories, kind="reserve")
                .values("category_id").annotate(total=Sum("amount")))
    granted = {c.pk: c.granted for c in categories}
    for row in reserved:
        overspend += max(Decimal("0"), row["total"] - granted[row["category_id"]])
    written = LedgerEntry.objects.filter(category__in=categories, kind="reserve").count()
    assert written == successes, (written, successes)
    p95 = statistics.quantiles(latencies, n=20)[-1] * 1000
    return [f"{'1 hot budget' if budgets == 1 else f'{budgets} budgets'}", workers, per_worker * workers,
            successes, refusals, errors, f"{overspend:.2f}", f"{successes / elapsed:.0f}",
            f"{(per_worker * workers) / elapsed:.0f}", f"{p95:.1f} ms"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1 000 attempts per run instead of 10 240")
    args = parser.parse_args(argv)
    attempts = 1024 if args.quick else 10240
    municipality = _setup()
    rows = []
    for budgets in (1, 50):
        for workers in (32, 64):
            print(f"• {workers} workers, {budgets} budget(s), {attempts} attempts …", flush=True)
            rows.append(_run(municipality, workers=workers, attempts=attempts, budgets=budgets))
    table("Ledger: concurrent reservations (overspend must be 0)",
          ["budgets", "workers", "attempts", "reserved", "refused", "errors", "overspend EUR",
           "reservations/s", "attempts/s", "p95 latency"], rows)
    failed = any(row[6] != "0.00" or row[5] for row in rows)
    if failed:
        print("✗ overspend or errors: the ledger is broken")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
