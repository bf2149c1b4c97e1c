"""Agreements benchmark: many agreements racing for few budgets; overspend must be 0.

`python tests/bench/bench_agreements.py [--quick]` (or `./run bench agreements`).

Each budget's category holds money for about a third of the agreements that ask it. All agreements are
confirmed first (waiting for the provider); then worker threads (each with its own PostgreSQL connection)
accept them all at once through ``agreement_accept``, which reserves the budget. It prints accepted,
refused (budget.insufficient_funds), other errors, overspend computed from the database (reservations
against what was granted, must be 0), throughput and p95 latency of an acceptance.

Runs on its own database (PORTAL_DB_NAME=portal_bench_agreements) on the embedded server of
PORTAL_DATA_DIR, in a municipality "benchagreements" it provisions once.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import queue
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
os.environ.setdefault("PORTAL_DB_NAME", "portal_bench_agreements")
os.environ.setdefault("PORTAL_QUIET", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.platform.settings")

CODE = "benchagreements"
PRICE = Decimal("10.00")




def _setup():
    return bench_municipalities((CODE, "Agreements benchmark"))[0]


def _cast(municipality):
    """A family user (role person) and a provider with one approved service and a staff user."""
    from django_tenants.utils import schema_context

    from portal.marketplace.approvals.models import ProviderApproval, ServiceApproval
    from portal.marketplace.catalogue.models import Provider, ProviderStaff, Service, ServiceType
    from portal.platform.accounts.models import User
    from portal.tenants.models import Membership
    from portal.tenants.roles import Role

    tag = uuid.uuid4().hex[:8]
    with schema_context("public"):
        family = User.objects.create(email=f"family-{tag}@bench.localhost", full_name="Bench Family")
        staff = User.objects.create(email=f"staff-{tag}@bench.localhost", full_name="Bench Staff")
        Membership.objects.create(user=family, role=Role.PERSON, municipality=municipality)
        Membership.objects.create(user=staff, role=Role.PROVIDER_STAFF, municipality=None)
        provider = Provider.objects.create(
            name=f"Bench {tag}", slug=f"bench-{tag}", social_register_number=f"B{tag[:5]}",
            company_number=f"4{uuid.uuid4().int % 10**10:010d}", legal_form="sia", email="b@example.lv",
            phone="+371 20000000", address="Rīga", description_lv="Bench", municipalities_served=[CODE],
            iban="LV80BANK0000435195001", status="verified")
        ProviderStaff.objects.create(user=staff, provider=provider, is_owner=True)
        service = Service.objects.create(
            provider=provider, service_type=ServiceType.objects.get(code="respite-care"), title_lv="Bench",
            description_lv="Bench", target_groups=["adults"], delivery_modes=["home"], unit="hour", unit_price=PRICE)
    ProviderApproval.objects.create(provider=provider, status="approved")
    ServiceApproval.objects.create(service=service, status="approved")
    return family, staff, service


def _budgets(family, service, count: int, granted_each: Decimal) -> list:
    from portal.budgets.ledger.models import Budget, BudgetCategory, LedgerEntry
    from portal.budgets.people.models import Goal, Person, SupportPlan

    today = dt.date.today()
    start, end = today - dt.timedelta(days=30), today + dt.timedelta(days=150)
    categories = []
    for _ in range(count):
        person = Person.objects.create(first_name="Bench", last_name="Agreements",
                                       personal_code=f"32{uuid.uuid4().int % 10**9:09d}",
                                       birth_date=dt.date(1980, 1, 1), target_group="adults",
                                       disability_group="group_1", user=family)
        plan = SupportPlan.objects.create(person=person, version=1, period_start=start, period_end=end,
                                          status="approved")
        goal = Goal.objects.create(plan=plan, text="Bench", share_percent=Decimal("100"))
        goal.service_types.set([service.service_type])
        budget = Budget.objects.create(person=person, plan=plan, period_start=start, period_end=end,
                                       total=granted_each, target_group="adults", level=2,
                                       annual_amount=granted_each, period_months=Decimal("6"))
        category = BudgetCategory.objects.create(budget=budget, goal=goal, name="Bench", granted=granted_each)
        category.service_types.set([service.service_type])
        LedgerEntry.objects.create(budget=budget, category=category, kind="grant", amount=granted_each,
                                   idempotency_key=f"bench-grant:{uuid.uuid4().hex}", reference="bench")
        categories.append(category)
    return categories


def _run(municipality, *, workers: int, budgets: int, per_budget: int) -> list:
    from django.db import connection
    from django.db.models import Sum

    from portal.budgets.ledger.models import LedgerEntry
    from portal.marketplace.agreements import services

    connection.set_tenant(municipality)
    family, staff, service = _cast(municipality)
    units = Decimal("8")  # 80 EUR an agreement
    granted_each = units * PRICE * per_budget / 3  # room for about a third of them
    categories = _budgets(family, service, budgets, granted_each.quantize(Decimal("0.01")))
    pending: queue.Queue = queue.Queue()
    ids = []
    for category in categories:
        for _ in range(per_budget):
            agreement = services.agreement_draft_create(person=category.budget.person, service=service, actor=family,
                                                        total_units=units)
            services.agreement_confirm(agreement=agreement, actor=family)
            ids.append(agreement.pk)
    for pk in sorted(ids, key=lambda pk: (pk * 7919) % 1000003):  # interleave the budgets
        pending.put(pk)

    latencies: list[float] = []
    counts = {"accepted": 0, "budget.insufficient_funds": 0, "other": 0}
    lock = threading.Lock()
    barrier = threading.Barrier(workers)

    def worker():
        from django.db import connection as own

        from portal.marketplace.agreements.models import Agreement

        own.set_tenant(municipality)
        mine, tally = [], {"accepted": 0, "budget.insufficient_funds": 0, "other": 0}
        barrier.wait()
        while True:
            try:
                pk = pending.get_nowait()
            except queue.Empty:
                break
            started = time.perf_counter()
            try:
                services.agreement_accept(agreement=Agreement(pk=pk), actor=staff)
                tally["accepted"] += 1
            except Exception as error:  # noqa: BLE001 - counted; a correct service refuses only for money
                code = getattr(error, "code", "")
                tally[code if code == "budget.insufficient_funds" else "other"] += 1
            mine.append(time.perf_counter() - started)
        own.close()
        with lock:
            latencies.extend(mine)
            for key, value in tally.items():
                counts[key] += value

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started

    connection.set_tenant(municipality)
    reserved = (LedgerEntry.objects.filter(category__in=categories, kind="reserve")
                .values("category_id").annotate(total=Sum("amount")))
    granted = {c.pk: c.granted for c in categories}
    overspend = sum((max(Decimal("0"), r["total"] - granted[r["category_id"]]) for r in reserved), Decimal("0"))
    from portal.marketplace.agreements.models import Agreement

    active = Agreement.objects.filter(pk__in=ids, status="active").count()
    assert active == counts["accepted"], (active, counts)
    p95 = statistics.quantiles(latencies, n=20)[-1] * 1000 if len(latencies) > 1 else 0.0
    return [budgets, len(ids), workers, counts["accepted"], counts["budget.insufficient_funds"], counts["other"],
            f"{overspend:.2f}", f"{len(ids) / elapsed:.0f}", f"{p95:.1f} ms"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer agreements and workers")
    args = parser.parse_args(argv)
    municipality = _setup()
    plans = [(8, 4, 15)] if args.quick else [(16, 5, 40), (32, 5, 40), (32, 20, 20)]
    rows = []
    for workers, budgets, per_budget in plans:
        print(f"• {workers} workers, {budgets} budgets, {budgets * per_budget} agreements …", flush=True)
        rows.append(_run(municipality, workers=workers, budgets=budgets, per_budget=per_budget))
    table("Agreements racing for few budgets (overspend must be 0)",
          ["budgets", "agreements", "workers", "accepted", "refused", "other errors", "overspend EUR",
           "accept calls/s", "p95 accept call"], rows)
    failed = any(row[6] != "0.00" or row[5] for row in rows)
    if failed:
        print("✗ overspend or unexpected errors")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
