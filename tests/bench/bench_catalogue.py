"""Catalogue benchmark: demo load time and the latency of the catalogue pages and API.

`python tests/bench/bench_catalogue.py [--quick]` — builds the whole demo (13 municipalities) on a
throw-away embedded PostgreSQL, then times each page in-process (Django test client, a new database
connection per request as on the running server) and counts its queries.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.run import table  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer requests (CI smoke)")
    args = parser.parse_args(argv)
    requests = 20 if args.quick else 200
    data_dir = Path(tempfile.mkdtemp(prefix="portal-bench-catalogue-"))
    env = {**os.environ, "PORTAL_DATA_DIR": str(data_dir), "PORTAL_QUIET": "1"}
    env.pop("DATABASE_URL", None)
    try:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "portal.platform.cli", "demo", "--no-serve"], env=env, cwd=ROOT,
                       check=True, stdout=subprocess.DEVNULL)
        demo_seconds = time.perf_counter() - started

        os.environ.update(PORTAL_DATA_DIR=str(data_dir), PORTAL_QUIET="1")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.platform.settings")
        import django

        django.setup()
        from django.db import connection
        from django.test import Client
        from django_tenants.utils import tenant_context

        from portal.marketplace.approvals.selectors import approved_services
        from portal.demo.catalogue import DEMO_PROVIDER_SLUG
        from portal.marketplace.catalogue.models import Provider, Service
        from portal.demo.users import DEMO_PASSWORD
        from portal.tenants.models import Municipality

        jelgava = Municipality.objects.get(code="jelgava")
        with tenant_context(jelgava):
            service = approved_services().filter(provider__slug=DEMO_PROVIDER_SLUG).first()
        connection.set_schema_to_public()
        counts = [["providers", Provider.objects.count()], ["services", Service.objects.count()],
                  ["demo, 13 municipalities (whole portal)", f"{demo_seconds:.1f} s"]]

        visitor = Client(HTTP_HOST="jelgava.localhost")
        admin = Client(HTTP_HOST="jelgava.localhost")
        assert admin.login(username="administrators@jelgava.localhost", password=DEMO_PASSWORD)
        staff = Client(HTTP_HOST="localhost")
        assert staff.login(username="sniedzejs@sbs.localhost", password=DEMO_PASSWORD)
        cases = [
            ("service page (municipality)", visitor, f"/pakalpojumi/{service.pk}/"),
            ("provider page (municipality)", visitor, f"/sniedzeji/{DEMO_PROVIDER_SLUG}/"),
            ("service detail API (municipality)", visitor, f"/api/v1/catalogue/services/{service.pk}/"),
            ("approvals list (admin)", admin, "/apstiprinasana/"),
            ("price caps (admin)", admin, "/cenu-griesti/"),
            ("own services (provider staff)", staff, f"/mans-sniedzejs/{DEMO_PROVIDER_SLUG}/pakalpojumi/"),
        ]
        rows = []
        for label, client, path in cases:
            assert client.get(path).status_code == 200, path
            connection.close()
            queries = []
            with connection.execute_wrapper(lambda execute, sql, *a: (queries.append(sql), execute(sql, *a))[1]):
                client.get(path)
            connection.close()
            timings = []
            for _ in range(requests):
                t0 = time.perf_counter()
                response = client.get(path)
                timings.append((time.perf_counter() - t0) * 1000)
                assert response.status_code == 200
                connection.close()
            rows.append([label, f"{statistics.median(timings):.1f} ms", f"{percentile(timings, 0.95):.1f} ms",
                         f"{percentile(timings, 0.99):.1f} ms", len(queries), requests])
        table("Catalogue: demo data", ["what", "value"], counts)
        table("Catalogue: pages, one client, new connection per request",
              ["page", "p50", "p95", "p99", "queries", "requests"], rows)
    finally:
        from portal.platform import embedded_db

        embedded_db.stop(data_dir / "pg")
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
