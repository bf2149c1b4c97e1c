"""Scale benchmark: the inputs of docs/scale.md.

`python tests/bench/bench_scale.py [--quick]` (or `./run bench scale`).

1. Cost per request type, one at a time on an idle portal: portal CPU ms (this thread's CPU time: Python,
   Django, psycopg client side) and database ms (wall time inside the database calls: round trip and the
   server's work) and queries — for the catalogue search (API, in-memory index), a service page (HTML),
   an agreement accept and an invoice submit (the domain services, which hold all of their database
   work; the HTTP layer around them costs about what /healthz costs, also measured); on the national
   site the statistics dashboard (HTML) and open-data API, and the Stripe webhook's acknowledgement.
   `--requests`: this table only.
2. Schemas: provisioning municipalities from the template's DDL, and `portal migrate` (every schema,
   nothing to change — what a release with no tenant migration still costs) at N1 and N2 municipalities,
   with the catalog's size. `--schemas N`: this table only, up to N municipalities (e.g. 1000), measured
   at 50, 200, 500 and N, with one django-tenants clone_schema() at each point for comparison.
3. Storage: rows and bytes one budget holder's activity adds to a municipality's schema (a person with a
   plan, a budget, a reservation, an agreement, a confirmed session and an invoice), from 100 of them.

Runs on its own database (PORTAL_DB_NAME=portal_bench_scale) on the embedded server of PORTAL_DATA_DIR.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from tests.bench.run import bench_municipalities, table  # noqa: E402  (one table format for every benchmark)

os.environ.setdefault("PORTAL_DB_NAME", "portal_bench_scale")
os.environ.setdefault("PORTAL_QUIET", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.platform.settings")

CODE = "benchscale"


class Meter:
    """Portal CPU (thread CPU time) and database time (wall time inside execute) of a block."""

    def __init__(self):
        self.db = 0.0
        self.queries = 0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.db += time.perf_counter() - started
            self.queries += 1


@contextmanager
def metered(samples: list):
    from django.db import connection

    meter = Meter()
    cpu, wall = time.thread_time(), time.perf_counter()
    with connection.execute_wrapper(meter):
        yield
    samples.append((time.thread_time() - cpu, meter.db, meter.queries, time.perf_counter() - wall))


def _timed_gets(client, runs: int, pages) -> list:
    """One row per (label, path): a warming GET (host cache, search index, templates), then ``runs`` metered."""
    rows = []
    for what, path in pages:
        client.get(path)
        samples = []
        for _ in range(runs):
            with metered(samples):
                response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
        rows.append(_row(what, samples))
    return rows


def _row(what: str, samples: list) -> list:
    def median(i):
        return statistics.median(s[i] for s in samples)

    return [what, f"{median(0) * 1000:.1f}", f"{median(1) * 1000:.1f}", f"{median(2):.0f}", f"{median(3) * 1000:.1f}",
            len(samples)]


def bench_requests(municipality, runs: int) -> list[list]:
    from django.db import connection
    from django.test import Client

    from portal.marketplace.agreements import services as agreements
    from portal.marketplace.agreements.models import Agreement
    from portal.marketplace.invoicing.invoices import invoice_submit
    from portal.marketplace.invoicing.models import Invoice
    from tests.bench.bench_agreements import _budgets, _cast
    from tests.bench.bench_invoicing import _drafts, _provider_and_staff

    connection.set_tenant(municipality)
    family, staff, service = _cast(municipality)
    categories = _budgets(family, service, runs, Decimal("10000.00"))
    pending = []
    for category in categories:
        agreement = agreements.agreement_draft_create(person=category.budget.person, service=service, actor=family,
                                                      total_units=Decimal("8"))
        agreements.agreement_confirm(agreement=agreement, actor=family)
        pending.append(agreement.pk)
    provider, inv_service, inv_staff = _provider_and_staff()
    from portal.marketplace.approvals.models import ServiceApproval

    connection.set_tenant(municipality)
    ServiceApproval.objects.get_or_create(service=inv_service, defaults={"status": "approved"})
    drafts = _drafts(municipality, provider, inv_service, runs)

    host = f"{CODE}.localhost"
    client = Client(HTTP_HOST=host)
    rows = _timed_gets(client, runs, (
        ("/healthz (floor: host look-up, SELECT 1, Valkey PING)", "/healthz"),
        ("catalogue search, API (in-memory index)", "/api/v1/search/services/?q=bench"),
        ("service page, HTML", f"/pakalpojumi/{service.pk}/")))

    rows.extend(bench_national(municipality, runs))

    samples = []
    for pk in pending:
        connection.set_tenant(municipality)
        with metered(samples):
            agreements.agreement_accept(agreement=Agreement(pk=pk), actor=staff)
    rows.append(_row("agreement accept (service: reserve funds, outbox, audit)", samples))
    samples = []
    for pk in drafts:
        connection.set_tenant(municipality)
        with metered(samples):
            invoice_submit(invoice=Invoice.objects.get(pk=pk), actor=inv_staff)
    rows.append(_row("invoice submit (service: national number, outbox, audit)", samples))
    return rows


def bench_national(municipality, runs: int) -> list[list]:
    """The national site's statistics (dashboard HTML, open-data API) on a published cube that holds this
    municipality, and the Stripe webhook's acknowledgement (signature check on the raw body, the inbox row,
    an event nobody handles: stored and acknowledged)."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client, override_settings

    from portal.statistics.services import statistics_refresh
    from tests.stripe_standin import WEBHOOK_SECRET, StripeStandIn

    connection.set_schema_to_public()
    statistics_refresh(municipality=municipality)
    connection.set_schema_to_public()
    from django.contrib.auth.hashers import make_password

    from portal.demo.users import ensure_membership, ensure_user
    from portal.tenants.roles import Role
    from tests.conftest import pass_second_step

    analyst = ensure_user(f"bench-analyst@{settings.PORTAL_BASE_DOMAIN}", "Bench analyst", make_password(None))
    ensure_membership(analyst, Role.MINISTRY_ANALYST, None)
    client = Client(HTTP_HOST=settings.PORTAL_BASE_DOMAIN)
    client.force_login(analyst)
    pass_second_step(client, analyst)
    rows = _timed_gets(client, runs, (
        ("statistics dashboard, HTML (national site, ministry analyst)", "/statistika/"),
        ("statistics open-data API, cells (national site)", "/api/v1/stats/cells/")))
    standin = StripeStandIn()
    samples = []
    with override_settings(STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET):
        for n in range(runs + 1):
            payload, header = StripeStandIn.sign(standin.event("payout.paid", standin.fixtures["payout"]))
            with metered(samples):
                response = client.post("/stripe/webhook/", payload, content_type="application/json",
                                       HTTP_STRIPE_SIGNATURE=header)
            assert response.status_code == 200, response.content
    rows.append(_row("Stripe webhook acknowledged (signature, inbox row)", samples[1:]))  # first: warm
    return rows


def _schema_size(schema: str) -> tuple[int, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute(
            "SELECT coalesce(sum(c.reltuples)::bigint, 0), coalesce(sum(pg_total_relation_size(c.oid)), 0) "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind = 'r'",
            [schema])
        rows, size = cursor.fetchone()
    return max(int(rows), 0), int(size)


def bench_storage(municipality, count: int) -> list[list]:
    from tests.bench.bench_invoicing import _drafts, _provider_and_staff

    provider, service, _staff = _provider_and_staff()
    from django.db import connection

    from portal.marketplace.approvals.models import ServiceApproval

    connection.set_tenant(municipality)
    ServiceApproval.objects.get_or_create(service=service, defaults={"status": "approved"})
    before = _schema_size(municipality.schema_name)
    _drafts(municipality, provider, service, count)
    after = _schema_size(municipality.schema_name)
    rows, size = (after[0] - before[0]) / count, (after[1] - before[1]) / count
    return [[count, f"{rows:.1f}", f"{size / 1024:.1f} KiB", f"{after[1] / 1024 / 1024:.1f} MiB"]]


def _catalog() -> tuple[int, int, int]:
    """Relations in pg_class, schemas in pg_namespace, and the database's size in bytes."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT (SELECT count(*) FROM pg_class), (SELECT count(*) FROM pg_namespace), "
                       "pg_database_size(current_database())")
        return cursor.fetchone()


def _user_update() -> tuple[int, float]:
    """Triggers on accounts_user (two per foreign key into it, from every schema) and what updating one user
    costs (a sign-in sets last_login): median of 5, in a transaction rolled back."""
    from django.db import connection, transaction

    from portal.platform.accounts.models import User

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'public.accounts_user'::regclass")
        triggers = cursor.fetchone()[0]
        with transaction.atomic():
            user = User.objects.create(email="bench-update@example.lv")
            samples = []
            for _ in range(6):
                started = time.perf_counter()
                cursor.execute("UPDATE accounts_user SET last_login = now() WHERE id = %s", [user.pk])
                samples.append(time.perf_counter() - started)
            transaction.set_rollback(True)
    return triggers, statistics.median(samples[1:])


def _clone_once(code: str) -> float:
    """One schema by django-tenants' clone_schema() (the old way), timed, then dropped."""
    from django.conf import settings
    from django.db import connection, transaction
    from django_tenants.clone import CloneSchema

    started = time.perf_counter()
    with transaction.atomic():
        CloneSchema().clone_schema(settings.TENANT_BASE_SCHEMA, code, "DATA")
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA "{code}" CASCADE')
    return seconds


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def bench_schemas(counts: list[int], *, clone_sample: bool = False, progress_every: int = 0) -> list[list]:
    """Provision municipalities up to each count, then time `portal migrate` with nothing to change.

    Per point: the provisioning time per schema over the segment (median and 90th percentile), one
    uncached read of the template's DDL (pg_dump, once per process and migration state), optionally one
    clone by django-tenants' clone_schema() for comparison, the migrate, the catalog's size and the load.
    """
    from django.conf import settings
    from django.db import connection

    from portal.tenants import template_sql
    from portal.tenants.models import Municipality
    from portal.tenants.provisioning import migrate_all, municipality_provision

    rows = []
    for target in counts:
        connection.set_schema_to_public()
        existing = Municipality.objects.exclude(schema_name="public").count()
        if existing >= target and target != counts[-1]:
            # A resumed run: this point was measured by the run that got past it.
            print(f"  {target}: the database already holds {existing}, point skipped", flush=True)
            continue
        provision = []
        segment_started = time.perf_counter()
        for i in range(existing, target):
            started = time.perf_counter()
            result = municipality_provision(code=f"benchs{i:05d}", name=f"Scale benchmark {i}", region="riga")
            provision.append(time.perf_counter() - started)
            assert result.method in ("template", "existing"), result
            if progress_every and (i + 1) % progress_every == 0:
                recent = provision[-progress_every:]
                print(f"  … {i + 1} municipalities, last {len(recent)}: median {statistics.median(recent):.3f} s, "
                      f"segment {time.perf_counter() - segment_started:.0f} s, load {_load()}", flush=True)
        connection.set_schema_to_public()
        total = Municipality.objects.exclude(schema_name="public").count()
        template_sql.forget()
        started = time.perf_counter()
        template_sql.template_sql(settings.TENANT_BASE_SCHEMA)
        ddl_read = time.perf_counter() - started
        clone = f"{_clone_once('benchclone'):.2f} s" if clone_sample else "-"
        load_before = _load()
        started = time.perf_counter()
        migrate_all(out=io.StringIO())
        migrate = time.perf_counter() - started
        relations, schemas, size = _catalog()
        triggers, update = _user_update()
        p90 = statistics.quantiles(provision, n=10)[-1] if len(provision) >= 10 else max(provision, default=0)
        row = [total, f"{statistics.median(provision):.3f} s" if provision else "-",
               f"{p90:.3f} s" if provision else "-", len(provision), f"{ddl_read:.2f} s", clone,
               f"{migrate:.1f} s", f"{migrate / total * 1000:.0f} ms", relations, schemas,
               f"{size / 1024 / 1024:.0f} MiB", triggers, f"{update * 1000:.1f} ms", f"{load_before} → {_load()}"]
        rows.append(row)
        if progress_every:
            print("  point:", " | ".join(str(x) for x in row), flush=True)
    return rows


SCHEMA_HEADER = ["municipalities", "provision, median", "p90", "provisioned", "DDL read (pg_dump, once)",
                 "clone_schema() once", "migrate all", "per schema", "pg_class rows", "schemas", "database",
                 "triggers on accounts_user", "one user UPDATE", "load 1/5/15 min"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="10 runs; 10 and 40 schemas; storage from 30")
    parser.add_argument("--requests", action="store_true", help="only the cost-per-request table")
    parser.add_argument("--schemas", type=int, metavar="N",
                        help="only the schema table: provision up to N municipalities (measured at 50, 200, 500 "
                             "and N as far as N reaches), one clone_schema() for comparison at each point")
    args = parser.parse_args(argv)
    import platform

    if args.schemas:
        import django

        django.setup()
        from portal.platform.cli import ensure_migrated

        ensure_migrated()
        points = sorted({n for n in (50, 200, 500) if n < args.schemas} | {args.schemas})
        print(f"Provisioning up to {args.schemas} municipalities ({platform.machine()}, {os.cpu_count()} CPUs, "
              f"load {_load()})", flush=True)
        table(f"Scale: schemas — provisioning from the template's DDL and `portal migrate` over every schema "
              f"(nothing to change), {platform.machine()}, {os.cpu_count()} CPUs",
              SCHEMA_HEADER, bench_schemas(points, clone_sample=True, progress_every=50))
        return 0
    municipality = bench_municipalities((CODE, "Scale benchmark"))[0]
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.python_implementation()} " \
              f"{platform.python_version()}"
    runs = 10 if args.quick else 30
    table(f"Scale: cost per request, medians, one at a time ({machine})",
          ["request", "portal CPU ms", "database ms", "queries", "wall ms", "runs"],
          bench_requests(municipality, runs))
    if args.requests:
        return 0
    table("Scale: what one budget holder's activity adds to the municipality's schema",
          ["budget holders", "rows each", "bytes each", "schema now"], bench_storage(municipality, 30 if args.quick
                                                                                       else 100))
    table("Scale: schemas — provisioning from the template's DDL and `portal migrate` over every schema "
          "(nothing to change)", SCHEMA_HEADER, bench_schemas([10, 40] if args.quick else [50, 200]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
