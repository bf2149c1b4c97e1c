"""Invoicing benchmark: concurrent invoice submissions, and the provider's cross-municipality list.

`python tests/bench/bench_invoicing.py [--quick]` (or `./run bench invoicing`).

1. Concurrent submissions: draft invoices of one provider in two municipalities are submitted by
   16 threads at once (each its own PostgreSQL connection). Afterwards the provider's numbers must be
   exactly 1..N — unique and gap-free — and every invoice must hold one of them.
2. The provider's "work in every municipality" list (public-schema index, never a query across schemas)
   at 10 000 and 50 000 rows (1 000 and 5 000 with --quick): the page as the provider sees it over HTTP
   (Django test client on the national host, signed in) and the bare selector, p50/p95.

Runs on its own database (PORTAL_DB_NAME=portal_bench_invoicing) on the embedded server of
PORTAL_DATA_DIR, in municipalities "benchinva" and "benchinvb" it provisions once.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
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
os.environ.setdefault("PORTAL_DB_NAME", "portal_bench_invoicing")
os.environ.setdefault("PORTAL_QUIET", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.platform.settings")

CODES = ("benchinva", "benchinvb")




def _setup():
    return bench_municipalities(*[(code, f"Invoicing benchmark {code[-1].upper()}") for code in CODES])


def _provider_and_staff():
    from django_tenants.utils import schema_context

    from portal.marketplace.catalogue.models import Provider, ProviderStaff, Service, ServiceType
    from portal.platform.accounts.models import User
    from portal.tenants.models import Membership
    from portal.tenants.roles import Role

    n = uuid.uuid4().int % 10**9
    with schema_context("public"):
        provider = Provider.objects.create(
            name=f"Bench provider {n}", slug=f"bench-invoicing-{n}", social_register_number=f"B{n % 10**5:05d}",
            company_number=f"4{n:010d}"[:11], legal_form="sia", email=f"bench{n}@example.lv", phone="+371 20000000",
            address="Rīga", description_lv="Bench", municipalities_served=list(CODES),
            iban="LV80BANK0000435195001", status="verified")
        service = Service.objects.create(
            provider=provider, service_type=ServiceType.objects.get(code="respite-care"), title_lv="Atelpa",
            description_lv="Bench", target_groups=["adults"], delivery_modes=["home"], unit="hour",
            unit_price=Decimal("10.00"))
        user = User.objects.create(email=f"bench-provider-{n}@example.lv", full_name="Bench Provider")
        Membership.objects.create(user=user, role=Role.PROVIDER_STAFF, municipality=None)
        ProviderStaff.objects.create(user=user, provider=provider, is_owner=True)
    return provider, service, user


def _drafts(municipality, provider, service, count: int) -> list[int]:
    """``count`` draft invoices in ``municipality``: each its own active agreement and one confirmed session."""
    from django.db import connection

    from portal.budgets.ledger.models import BudgetCategory
    from portal.budgets.ledger.services import budget_grant, funds_reserve
    from portal.budgets.people.models import Goal, Person, SupportPlan
    from portal.marketplace.agreements.models import Agreement
    from portal.marketplace.invoicing.invoices import invoice_create
    from portal.marketplace.invoicing.models import Session

    connection.set_tenant(municipality)
    today = dt.date.today()
    ids = []
    for i in range(count):
        person = Person.objects.create(first_name="Bench", last_name=f"Invoice{i}",
                                       personal_code=f"32{uuid.uuid4().int % 10**9:09d}",
                                       birth_date=dt.date(1980, 1, 1), target_group="adults",
                                       disability_group="group_1")
        plan = SupportPlan.objects.create(person=person, version=1, period_start=today - dt.timedelta(days=60),
                                          period_end=today + dt.timedelta(days=300), status="approved")
        Goal.objects.create(plan=plan, text="Bench", share_percent=Decimal("100"))
        budget = budget_grant(plan=plan, actor=None, level=4)
        category = BudgetCategory.objects.get(budget=budget)
        reservation = funds_reserve(category=category, amount=Decimal("100.00"), reference="bench",
                                    idempotency_key=f"bench-inv:{uuid.uuid4().hex}", actor=None)
        agreement = Agreement.objects.create(
            person=person, service=service, provider=provider, category=category, unit="hour",
            unit_price=Decimal("10.00"), total_units=Decimal("10"), total_amount=Decimal("100.00"),
            period_start=today - dt.timedelta(days=30), period_end=today + dt.timedelta(days=30), status="active",
            reservation=reservation)
        Session.objects.create(agreement=agreement, date=today, units=Decimal("2"), unit_price=Decimal("10.00"),
                               staff_name="Bench", status="confirmed")
        ids.append(invoice_create(agreement=agreement, year=today.year, month=today.month,
                                  actor=None).pk)
    return ids


def bench_submissions(municipalities, *, count: int, workers: int = 16) -> list[list]:
    from django.db import connection

    from portal.marketplace.invoicing.invoices import invoice_submit
    from portal.marketplace.invoicing.models import Invoice
    from portal.marketplace.registry.models import IssuedInvoiceNumber

    provider, service, staff = _provider_and_staff()
    jobs = []
    for municipality in municipalities:
        jobs += [(municipality, pk) for pk in _drafts(municipality, provider, service, count // 2)]
    connection.set_schema_to_public()
    latencies, errors = [], []
    lock = threading.Lock()
    barrier = threading.Barrier(workers)

    def worker(index):
        from django.db import connection as own

        mine = jobs[index::workers]
        times = []
        barrier.wait()
        for municipality, pk in mine:
            own.set_tenant(municipality)
            started = time.perf_counter()
            try:
                invoice_submit(invoice=Invoice.objects.get(pk=pk), actor=staff)
            except Exception as exc:  # noqa: BLE001 - reported
                with lock:
                    errors.append(repr(exc))
            times.append(time.perf_counter() - started)
        own.close()
        with lock:
            latencies.extend(times)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(workers)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    connection.set_schema_to_public()
    numbers = sorted(IssuedInvoiceNumber.objects.filter(provider_id=provider.pk).values_list("number", flat=True))
    on_invoices = []
    for municipality in municipalities:
        connection.set_tenant(municipality)
        on_invoices += list(Invoice.objects.filter(provider=provider).values_list("number", flat=True))
    connection.set_schema_to_public()
    gap_free = numbers == list(range(1, len(jobs) + 1)) and sorted(on_invoices) == numbers
    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95) - 1] if latencies else 0
    return [[len(jobs), workers, len(municipalities), f"{elapsed:.2f} s", f"{len(jobs) / elapsed:.0f}/s",
             f"{statistics.median(latencies) * 1000:.0f} ms", f"{p95 * 1000:.0f} ms", len(errors),
             "yes" if gap_free else "NO"]]


def bench_work_list(municipalities, sizes: list[int], runs: int) -> list[list]:
    from django.db import connection
    from django.test import Client

    from portal.marketplace.registry.models import ProviderWorkItem
    from portal.marketplace.registry.selectors import work_items_for_providers

    rows = []
    for size in sizes:
        provider, _service, staff = _provider_and_staff()
        connection.set_schema_to_public()
        kinds = ["session"] * 7 + ["agreement", "invoice", "invoice"]
        today = dt.date.today()
        items = [ProviderWorkItem(provider_id=provider.pk, municipality=municipalities[i % len(municipalities)],
                                  kind=kinds[i % len(kinds)], object_id=10**9 + provider.pk * 10**6 + i, agreement_id=i // 10,
                                  reference=f"Vienošanās {i // 10}", title="Atelpa", status="confirmed",
                                  status_label="Apstiprināta", date=today - dt.timedelta(days=i % 365),
                                  amount=Decimal("20.00"))
                 for i in range(size)]
        ProviderWorkItem.objects.bulk_create(items, batch_size=5000)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE registry_providerworkitem")
        client = Client(HTTP_HOST="localhost")
        client.force_login(staff)
        for label, url in [("page: all, first page", "/sniedzejs/darbs/"),
                           ("page: invoices of one municipality", f"/sniedzejs/darbs/?kind=invoice&municipality={CODES[0]}"),
                           ("page: sessions, page 20", "/sniedzejs/darbs/?kind=session&page=20")]:
            client.get(url)
            samples = []
            for _ in range(runs):
                started = time.perf_counter()
                response = client.get(url)
                samples.append(time.perf_counter() - started)
                assert response.status_code == 200, response.status_code
            samples.sort()
            rows.append([size, label, f"{statistics.median(samples) * 1000:.1f} ms",
                         f"{samples[int(len(samples) * 0.95) - 1] * 1000:.1f} ms", runs])
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            qs = work_items_for_providers([provider.pk])
            list(qs[:25])
            qs.count()
            samples.append(time.perf_counter() - started)
        samples.sort()
        rows.append([size, "selector: first 25 + count", f"{statistics.median(samples) * 1000:.1f} ms",
                     f"{samples[int(len(samples) * 0.95) - 1] * 1000:.1f} ms", runs])
        ProviderWorkItem.objects.filter(provider_id=provider.pk).delete()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="40 submissions; 1 000 and 5 000 index rows")
    args = parser.parse_args(argv)
    municipalities = _setup()
    count = 40 if args.quick else 200
    table("Invoicing: concurrent invoice submissions (one provider, two municipalities)",
          ["invoices", "threads", "municipalities", "wall time", "throughput", "p50", "p95", "errors",
           "numbers 1..N, gap-free"], bench_submissions(municipalities, count=count))
    sizes = [1_000, 5_000] if args.quick else [10_000, 50_000]
    table("Invoicing: the provider's list across municipalities (public-schema index)",
          ["rows", "what", "p50", "p95", "runs"], bench_work_list(municipalities, sizes, 10 if args.quick else 30))
    return 0


if __name__ == "__main__":
    sys.exit(main())
