"""Search benchmark: end-to-end p50/p95/p99 with 20 concurrent clients at 10 000 and 100 000 services.

    python tests/bench/bench_search.py            # 10 000 and 100 000 services
    python tests/bench/bench_search.py --quick    # 1 000 and 5 000 services, fewer requests

Runs in its own throw-away data directory (embedded PostgreSQL, a separate
database): migrates, generates providers, locations and services with the
catalogue demo's vocabulary, approves them in benchmark municipalities
(20 000 per municipality at 100 000 services), builds the search documents,
then serves the portal (`portal serve`, uvicorn) on 127.0.0.1 and measures
real HTTP requests to the search API from 20 client threads (persistent
connections). The same load on /healthz (one `SELECT 1`) is the floor: what
the HTTP stack alone costs on this machine. The search backend is also
measured alone, in process: the in-memory path (the default) and the SQL path.
Target: p95 ≤ 50 ms at 20 000 services per municipality.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from tests.bench.run import free_port, table  # noqa: E402  (one table format for every benchmark)

CLIENTS = 20
PER_MUNICIPALITY = 20_000
QUERIES = [
    "psihologs", "psihologam", "aprupe majas", "aprūpe mājās", "logopēds bērniem", "ergoterapija",
    "fizioterapja", "atelpas brīdis", "grupu dzīvoklis", "dienas centrs", "sociālā rehabilitācija",
    "specializētais transports", "Liepaja", "autisms", "darbnīca", "atbalsta persona lēmumu pieņemšanā",
]


# ---------------------------------------------------------------- data
def generate(start: int, count: int, rng: random.Random) -> list[int]:
    """Create ``count`` services (50 per provider, one location each); return their ids."""
    from decimal import Decimal

    from django.db import transaction

    from portal.demo.catalogue import _DESC_TAIL, _NAME_PARTS, _SCHEDULES, PLACES, TYPE_PROFILES
    from portal.marketplace.catalogue.models import Location, Provider, Service, ServiceType
    from portal.marketplace.catalogue.validators import make_iban

    types = {t.code: t for t in ServiceType.objects.all()}
    codes = list(PLACES)
    ids = []
    per_provider = 50
    for first in range(start, start + count, 5000):
        n = min(5000, start + count - first)
        with transaction.atomic():
            providers = []
            for p in range(first // per_provider, (first + n - 1) // per_provider + 1):
                stem = _NAME_PARTS[p % len(_NAME_PARTS)][0]
                home = codes[p % len(codes)]
                providers.append(Provider(
                    name=f"Biedrība “{stem} {p}”", slug=f"bench-{p}", social_register_number=f"S{p % 100000:05d}",
                    company_number=f"9{p:010d}", legal_form="association", email=f"bench{p}@example.lv",
                    phone="+371 20000000", address=f"{PLACES[home][3][0]} {p % 80 + 1}, {PLACES[home][0]}",
                    description_lv=f"{stem}: sabiedrībā balstīti sociālie pakalpojumi.",
                    languages=["lv"] + (["ru"] if p % 4 == 0 else []) + (["en"] if p % 7 == 0 else []),
                    municipalities_served=sorted({home, codes[(p + 3) % len(codes)]}),
                    iban=make_iban("HABA", f"{p:013d}"), status="verified", step_free_access=p % 3 != 0))
            existing = {pr.slug: pr for pr in Provider.objects.filter(slug__in=[pr.slug for pr in providers])}
            Provider.objects.bulk_create([pr for pr in providers if pr.slug not in existing])
            by_index = {int(pr.slug.split("-")[1]): existing.get(pr.slug, pr) for pr in providers}
            locations = {}
            new_locations = []
            for index, provider in by_index.items():
                city, lat, lon, streets, postcode = PLACES[provider.municipalities_served[0]]
                loc = Location(provider=provider, name=f"{provider.name} — {city}",
                               address=f"{streets[index % len(streets)]} {index % 90 + 1}, {city}, {postcode}",
                               municipality_code=provider.municipalities_served[0],
                               latitude=Decimal(f"{lat + rng.uniform(-0.03, 0.03):.6f}"),
                               longitude=Decimal(f"{lon + rng.uniform(-0.04, 0.04):.6f}"),
                               step_free_access=provider.step_free_access)
                locations[index] = loc
                new_locations.append(loc)
            Location.objects.bulk_create(new_locations)
            services = []
            for i in range(first, first + n):
                provider = by_index[i // per_provider]
                code = rng.choice(list(TYPE_PROFILES))
                lv, en, (low, high), units, groups, modes = TYPE_PROFILES[code]
                pick = rng.randrange(len(lv))
                city = PLACES[provider.municipalities_served[0]][0]
                full = rng.random() < 0.12
                services.append(Service(
                    provider=provider, service_type=types[code], title_lv=f"{lv[pick]} {city}",
                    title_en=en[pick], description_lv=f"{types[code].description_lv} {rng.choice(_DESC_TAIL)}",
                    description_en=types[code].description_en, target_groups=groups[:rng.randint(1, len(groups))],
                    delivery_modes=modes, unit=units[0], unit_price=Decimal(rng.randint(low * 100, high * 100)) / 100,
                    free_places=0 if full else rng.choice([None, 1, 2, 5]),
                    waiting_weeks=rng.randint(2, 12) if full else None, schedule=rng.choice(_SCHEDULES)))
            Service.objects.bulk_create(services)
            Through = Service.locations.through
            Through.objects.bulk_create([Through(service_id=s.pk, location_id=locations[i // per_provider].pk)
                                         for i, s in zip(range(first, first + n), services)])
            ids.extend(s.pk for s in services)
    return ids


def approve(code: str, service_ids: list[int]) -> None:
    from django.db import connection
    from django_tenants.utils import schema_context

    from portal.marketplace.approvals.models import PriceCap, ProviderApproval, ServiceApproval
    from portal.marketplace.catalogue.models import Service, ServiceType

    provider_ids = set(Service.objects.filter(pk__in=service_ids).values_list("provider_id", flat=True))
    with schema_context(code):
        known = set(ProviderApproval.objects.values_list("provider_id", flat=True))
        ProviderApproval.objects.bulk_create([ProviderApproval(provider_id=p, status="approved")
                                              for p in provider_ids - known])
        ServiceApproval.objects.bulk_create([ServiceApproval(service_id=s, status="approved") for s in service_ids],
                                            batch_size=5000)
        if not PriceCap.objects.exists():
            PriceCap.objects.bulk_create([PriceCap(service_type=t, unit=t.default_unit, amount=40)
                                          for t in ServiceType.objects.all()])
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE approvals_serviceapproval")
            cursor.execute("ANALYZE approvals_providerapproval")


# ---------------------------------------------------------------- load
def random_params(rng: random.Random) -> list[tuple[str, str]]:
    """One request's parameters: a mix of words, filters and sorts like the search page sends."""
    params = [("per_page", "20")]
    if rng.random() < 0.8:
        params.append(("q", rng.choice(QUERIES)))
    if rng.random() < 0.3:
        params.append(("type", rng.choice(["psychologist", "home-care", "speech-therapy", "day-care"])))
    if rng.random() < 0.2:
        params.append(("free", "on"))
    if rng.random() < 0.2:
        params.append(("group", rng.choice(["children", "adults"])))
    params.append(("sort", rng.choice(["relevance", "relevance", "price", "distance"])))
    return params


def load_backend(code: str | None, requests_per_client: int, seed: int, clients: int = CLIENTS, backend=None
                 ) -> tuple[list[float], int]:
    """The search backend alone (``catalogue_search``), no HTTP or Django request: one thread per client,
    each with its own database connection on the site's schema. Parsing the parameters and building the
    scope are outside the timing."""
    from django.db import connection
    from django.http import QueryDict

    from portal.marketplace.search.params import SearchParams
    from portal.marketplace.search.selectors import catalogue_search, search_scope
    from portal.tenants.models import Municipality

    tenant = Municipality.objects.get(code=code) if code else None
    connection.close()  # back to the pool: the 20 threads need every pooled connection
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    barrier = threading.Barrier(clients)

    def client(n: int):
        rng = random.Random(seed * 100 + n)
        mine, failed = [], 0
        try:
            if tenant is not None:
                connection.set_tenant(tenant)
            else:
                connection.set_schema_to_public()
            work = []
            for _ in range(requests_per_client):
                params = SearchParams(QueryDict(urllib.parse.urlencode(random_params(rng))))
                assert params.is_valid(), params.errors
                work.append(params.to_query())
            scope = search_scope(None)
            catalogue_search(work[0], scope, backend=backend)  # warm this thread's connection
            barrier.wait()
            for query in work:
                started = time.perf_counter()
                try:
                    catalogue_search(query, scope, backend=backend)
                except Exception:
                    failed += 1
                mine.append(time.perf_counter() - started)
        finally:
            connection.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors[0]


def load(port: int, host: str, requests_per_client: int, seed: int, clients: int = CLIENTS, path: str = ""
         ) -> tuple[list[float], int]:
    """``clients`` threads, each on one keep-alive connection: search requests, or ``path`` when given."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def client(n: int):
        rng = random.Random(seed * 100 + n)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        for _ in range(requests_per_client):
            url = path or "/api/v1/search/services/?" + urllib.parse.urlencode(random_params(rng))
            started = time.perf_counter()
            try:
                conn.request("GET", url, headers={"Host": host, "Accept": "application/json"})
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            mine.append(time.perf_counter() - started)
            if not ok:
                with lock:
                    errors[0] += 1
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors[0]


PAGE_QUERIES = ["psihologs", ""]  # a word search, and browsing with no words


def family_member_cookie(code: str) -> str:
    """A signed-in family member of municipality ``code`` (a person with an address, as the demo's): the session
    cookie a browser would send, made in this process's database for the benchmark server to read."""
    import datetime as dt
    import uuid

    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from portal.budgets.people import personal_code
    from portal.budgets.people.models import Person
    from portal.platform.accounts.models import User
    from portal.tenants.models import Membership, Municipality
    from portal.tenants.roles import Role

    municipality = Municipality.objects.get(code=code)
    user = User.objects.create_user(f"bench.person@{code}.localhost", password=None, full_name="Bench Person")
    Membership.objects.create(user=user, municipality=municipality, role=Role.PERSON)
    connection.set_tenant(municipality)
    Person.objects.create(first_name="Bench", last_name="Person", personal_code=personal_code.make_new(
        uuid.uuid4().int), birth_date=dt.date(1990, 5, 1), target_group="adults", disability_group="group_1",
        user=user, address="Katoļu iela 3, Jelgava", latitude="56.650", longitude="23.720")
    connection.set_schema_to_public()
    client = Client(HTTP_HOST=f"{code}.localhost")
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    connection.close()
    return f"{settings.SESSION_COOKIE_NAME}={cookie}"


def page_and_api(port: int, host: str, size: str, label: str, query: str, requests: int,
                 cookie: str | None = None) -> list:
    """p50 of the search page, the API for the same query and /healthz, in turn on one keep-alive connection."""
    encoded = urllib.parse.urlencode({"q": query})
    paths = {"page": f"/meklet/?{encoded}", "api": f"/api/v1/search/services/?{encoded}", "healthz": "/healthz"}
    timings: dict[str, list[float]] = {kind: [] for kind in paths}
    headers = {"Host": host, **({"Cookie": cookie} if cookie else {})}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for n in range(requests + 2):
        for kind, path in paths.items():
            started = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            if response.status != 200:
                raise SystemExit(f"{path} on {host} answered {response.status}")
            if kind == "page" and cookie and b'name="budget"' not in body:
                raise SystemExit("the family member's page is not signed in (no budget filter)")
            if n >= 2:  # the first two rounds warm up
                timings[kind].append(time.perf_counter() - started)
    conn.close()
    page, api, healthz = (statistics.median(timings[kind]) for kind in paths)
    return [size, label, "family member" if cookie else "anonymous", query or "(none)", requests,
            f"{page * 1000:.1f} ms", f"{api * 1000:.1f} ms", f"{healthz * 1000:.1f} ms", f"{page / api:.2f}×"]


def result_row(size, label, scope, clients, latencies, elapsed, errors) -> list:
    return [f"{size:,}", label, f"{scope:,}", clients, len(latencies),
            f"{statistics.median(latencies) * 1000:.1f} ms", f"{percentile(latencies, 95) * 1000:.1f} ms",
            f"{percentile(latencies, 99) * 1000:.1f} ms", f"{len(latencies) / elapsed:.0f}", errors]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def wait_for(port: int, host: str, deadline: float) -> bool:
    while time.perf_counter() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz", headers={"Host": host})
            if conn.getresponse().status == 200:
                return True
        except OSError:
            time.sleep(0.2)
    return False


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1 000 and 5 000 services, fewer requests")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="`portal serve --workers` (default: the number of CPUs)")
    parser.add_argument("--page-only", action="store_true",
                        help="only the search page beside the API and /healthz, at 1 000 services")
    args = parser.parse_args(argv)
    sizes = [1_000] if args.page_only else [1_000, 5_000] if args.quick else [10_000, 100_000]
    print(f"Machine: {os.cpu_count()} CPUs, load average {' / '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"(1/5/15 min) at start; server: `portal serve --workers {args.workers}`", flush=True)
    per_client = 10 if args.quick else 40

    data_dir = Path(tempfile.mkdtemp(prefix="portal-bench-search-"))
    os.environ.update({"PORTAL_DATA_DIR": str(data_dir), "PORTAL_QUIET": "1",
                       "DJANGO_SETTINGS_MODULE": "portal.platform.settings", "PORTAL_SEARCH_BACKEND": "postgresql",
                       # The API's throttle still counts every request (its cost is measured) but never refuses one.
                       "PORTAL_API_RATE_ANON": "1000000/min", "PORTAL_API_RATE_USER": "1000000/min"})
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("ELASTICSEARCH_URL", None)
    sys.path.insert(0, str(ROOT))
    server = None
    try:
        import django

        django.setup()
        from django.db import connection

        from portal.marketplace.search.backends.postgres import PostgresSearch
        from portal.marketplace.search.indexing import rebuild
        from portal.marketplace.search.memory import Snapshot
        from portal.platform.cli import ensure_migrated
        from portal.tenants.provisioning import municipality_provision

        print("• Migrating a fresh benchmark database …", flush=True)
        ensure_migrated()
        rng = random.Random(20261130)
        build_rows, rows, backend_rows, page_vs_api = [], [], [], []
        sql_path = PostgresSearch(memory=False)
        made, all_ids, member = 0, [], None
        municipalities = []
        for size in sizes:
            started = time.perf_counter()
            all_ids += generate(made, size - made, rng)
            made = size
            generated = time.perf_counter() - started
            # Each benchmark municipality approves up to PER_MUNICIPALITY services (disjoint slices).
            wanted = max(1, min(5, size // PER_MUNICIPALITY))
            while len(municipalities) < wanted:
                code = f"bench{len(municipalities) + 1}"
                municipality_provision(code=code, name=f"Bench {len(municipalities) + 1}", region="zemgale")
                municipalities.append({"code": code, "approved": 0})
            quota = min(PER_MUNICIPALITY, size)
            for index, m in enumerate(municipalities):
                lo, hi = index * quota + m["approved"], (index + 1) * quota
                if hi > lo:
                    approve(m["code"], all_ids[lo:hi])
                    m["approved"] += hi - lo
            connection.set_schema_to_public()
            started = time.perf_counter()
            indexed = rebuild()
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE search_searchdocument")
            build = time.perf_counter() - started
            started = time.perf_counter()
            Snapshot()
            loaded = time.perf_counter() - started
            build_rows.append([f"{size:,}", f"{generated:.1f} s", f"{build:.1f} s", f"{indexed / build:,.0f}/s",
                               f"{loaded:.2f} s"])
            connection.close()

            port = free_port()
            for code, label in [] if args.page_only else [(municipalities[0]["code"], "municipality"),
                                                          (None, "national")]:
                for path, backend in (("memory", None), ("SQL", sql_path)):
                    for clients, per in ((1, per_client), (CLIENTS, per_client)):
                        started = time.perf_counter()
                        latencies, errors = load_backend(code, per, seed=size + clients, clients=clients,
                                                         backend=backend)
                        elapsed = time.perf_counter() - started
                        backend_rows.append(result_row(size, f"{label}, {path}",
                                                       municipalities[0]["approved"] if code else size,
                                                       clients, latencies, elapsed, errors))
            connection.set_schema_to_public()
            connection.close()

            if size == sizes[0]:
                member = family_member_cookie(municipalities[0]["code"])
            server = subprocess.Popen([sys.executable, "-m", "portal.platform.cli", "serve", "--port", str(port),
                                       "--workers", str(args.workers)],
                                      cwd=ROOT, env=os.environ.copy(), stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL)
            if not wait_for(port, "localhost", time.perf_counter() + 120):
                raise SystemExit("the benchmark server never answered")
            for host, label, scope in [(f"{municipalities[0]['code']}.localhost", "municipality",
                                        municipalities[0]["approved"]), ("localhost", "national", size)]:
                load(port, host, 2, seed=0)  # warm up
                for clients, per in () if args.page_only else ((1, per_client), (CLIENTS, per_client)):
                    started = time.perf_counter()
                    latencies, errors = load(port, host, per, seed=size + clients, clients=clients)
                    elapsed = time.perf_counter() - started
                    rows.append(result_row(size, label, scope, clients, latencies, elapsed, errors))
                for query in PAGE_QUERIES:
                    for cookie in ((None, member) if label == "municipality" else (None,)):
                        page_vs_api.append(page_and_api(port, host, f"{size:,}", label, query,
                                                        100 if args.page_only else per_client * 2,
                                                        cookie))
                if args.page_only:
                    continue
                started = time.perf_counter()
                latencies, errors = load(port, host, per_client, seed=0, path="/healthz")
                elapsed = time.perf_counter() - started
                rows.append(result_row(size, f"{label}: /healthz floor", 0, CLIENTS, latencies, elapsed, errors))
                print(f"  {size:,} services, {label}: done", flush=True)
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
            server = None
        table("Search: building the index (PostgreSQL documents) and loading it into one process's memory",
              ["services", "generate", "index", "rate", "memory load"], build_rows)
        header = ["services", "site", "in scope", "clients", "requests", "p50", "p95", "p99", "req/s", "errors"]
        table("Search backend alone: catalogue_search() in this process (PostgreSQL backend: in-memory path, "
              "the default, and SQL path), 1 and 20 threads, no HTTP", header, backend_rows)
        table(f"Search end-to-end: real HTTP to `portal serve --workers {args.workers}` (uvicorn, 127.0.0.1), "
              "GET /api/v1/search/services/ (PostgreSQL backend, in memory), 1 and 20 concurrent clients; "
              "the /healthz floor is the same load on a view that runs only `SELECT 1`", header, rows)
        table("Search page vs API, same query: one client, page, API and /healthz in turn on one connection; "
              "the page is /meklet/ (HTML: results, facets with counts, filters), the API "
              "/api/v1/search/services/ (JSON), anonymous and as a signed-in family member (session cookie). "
              "Target: the page within 1.5× the API", ["services", "site", "who", "query", "requests", "page p50",
                                                        "API p50", "/healthz p50", "page / API"], page_vs_api)
        print("Target: p95 ≤ 50 ms at 20 000 services per municipality. Machine: "
              f"{os.cpu_count()} CPUs shared by the clients, the server and the database; load average "
              f"{' / '.join(f'{x:.2f}' for x in os.getloadavg())} (1/5/15 min) at the end.")
        return 0
    finally:
        if server is not None:
            server.kill()
        from portal.platform import embedded_db

        embedded_db.stop(data_dir / "pg")
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
