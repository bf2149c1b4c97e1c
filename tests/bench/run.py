"""Benchmarks — `./run bench` (all) or `./run bench foundation` / `./run bench --quick`.

Runs the foundation benchmark below, then every tests/bench/bench_*.py, each
printing its own table. Nothing here is run by pytest: timings belong in
benchmarks, not in tests.

Foundation figures:
  * cold start to the first HTTP 200: `portal serve` with the database stopped;
  * provisioning one municipality from the template's DDL vs by migrating;
  * `SET search_path` statements per request (target: 1).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH_DIR = Path(__file__).resolve().parent


def table(title: str, header: list[str], rows: list[list]) -> None:
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows)]
    line = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    print(f"\n{title}\n{line}")
    print("| " + " | ".join(str(h).ljust(w) for h, w in zip(header, widths)) + " |")
    print(line)
    for row in rows:
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths)) + " |")
    print(line, flush=True)


def bench_municipalities(*municipalities: tuple[str, str]) -> list:
    """Set Django up on the benchmark's own database (migrated once) and provision its municipalities."""
    import django

    django.setup()
    from portal.platform.cli import ensure_migrated

    ensure_migrated()
    from portal.tenants.provisioning import municipality_provision

    return [municipality_provision(code=code, name=name, region="riga").municipality
            for code, name in municipalities]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def portal(data_dir: Path, *args, **kwargs):
    env = {**os.environ, "PORTAL_DATA_DIR": str(data_dir), "PORTAL_QUIET": "1"}
    env.pop("DATABASE_URL", None)
    return subprocess.Popen([sys.executable, "-m", "portal.platform.cli", *args], env=env, cwd=ROOT, **kwargs)


def wait_for_200(url: str, host: str, deadline: float) -> bool:
    request = urllib.request.Request(url, headers={"Host": host})
    while time.perf_counter() < deadline:
        try:
            with urllib.request.urlopen(request, timeout=1) as response:
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.02)
    return False


def bench_cold_start(data_dir: Path, runs: int) -> list[list]:
    print("• Preparing a data directory with the demo (one-off) …", flush=True)
    prep = portal(data_dir, "demo", "--no-serve", stdout=subprocess.DEVNULL)
    if prep.wait(timeout=600) != 0:
        raise SystemExit("portal demo --no-serve failed")
    samples = []
    for index in range(runs):
        port = free_port()
        started = time.perf_counter()
        server = portal(data_dir, "serve", "--port", str(port), stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL)
        ok = wait_for_200(f"http://127.0.0.1:{port}/healthz", "jelgava.localhost", started + 120)
        elapsed = time.perf_counter() - started
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        if not ok:
            raise SystemExit("the server never answered 200")
        samples.append(elapsed)
        print(f"  run {index + 1}: {elapsed:.2f} s", flush=True)
    return [["cold start → first 200 (DB stopped, `portal serve`)", f"{statistics.median(samples):.2f} s",
             f"{min(samples):.2f} s", f"{max(samples):.2f} s", runs]]


def bench_in_process(data_dir: Path, count: int) -> tuple[list[list], list[list]]:
    """Provisioning and search_path counting inside one Django process on the bench data dir."""
    os.environ["PORTAL_DATA_DIR"] = str(data_dir)
    os.environ["PORTAL_QUIET"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.platform.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import psycopg
    from django.db import connection
    from django.test import Client

    from portal.demo.users import DEMO_PASSWORD
    from portal.tenants.provisioning import municipality_provision

    timings: dict[str, list[float]] = {"template": [], "migrate": []}
    for index in range(count):
        for method in ("template", "migrate"):
            code = f"bench{method[0]}{index}{int(time.time() * 1000) % 100000}"
            result = municipality_provision(code=code, name=f"Bench {code}", region="riga",
                                            force_migrate=method == "migrate")
            assert result.method == method, result
            timings[method].append(result.seconds)
    template, migrate = statistics.median(timings["template"]), statistics.median(timings["migrate"])
    provisioning = [
        ["from the template's DDL", f"{template * 1000:.0f} ms", f"{min(timings['template']) * 1000:.0f} ms",
         count],
        ["migrate from scratch", f"{migrate * 1000:.0f} ms", f"{min(timings['migrate']) * 1000:.0f} ms", count],
        ["speed-up", f"{migrate / template:.1f}×", "", ""],
    ]

    # Count SET search_path at the driver, below Django, with a new connection per
    # request as on the running server (CONN_MAX_AGE=0).
    sets = {"n": 0}
    original = psycopg.Cursor.execute

    def counting(self, query, *args, **kwargs):
        text = query.decode() if isinstance(query, bytes) else str(query)
        if text.lstrip().upper().startswith("SET SEARCH_PATH"):
            sets["n"] += 1
        return original(self, query, *args, **kwargs)

    rows = []
    client = Client(HTTP_HOST="jelgava.localhost")
    assert client.login(username="socialais.darbinieks@jelgava.localhost", password=DEMO_PASSWORD)
    national = Client(HTTP_HOST="localhost")
    psycopg.Cursor.execute = counting
    try:
        for label, c, path in [("municipality dashboard (signed in)", client, "/panelis/"),
                               ("municipality /healthz", client, "/healthz"),
                               ("national municipality list API", national, "/api/v1/municipalities/")]:
            c.get(path)  # warm the host cache, as a running server is
            connection.close()
            sets["n"] = 0
            requests = 50
            for _ in range(requests):
                assert c.get(path).status_code == 200
                connection.close()
            rows.append([label, f"{sets['n'] / requests:.2f}", requests])
    finally:
        psycopg.Cursor.execute = original
    return provisioning, rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("only", nargs="?", help="run one benchmark: foundation or a bench_<name> module")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (CI smoke)")
    args, extra = parser.parse_known_args()
    if extra and args.only in (None, "foundation"):
        parser.error(f"{' '.join(extra)}: options of one benchmark need its name first (e.g. scale --schemas 1000)")

    if args.only in (None, "foundation"):
        data_dir = Path(tempfile.mkdtemp(prefix="portal-bench-"))
        try:
            cold = bench_cold_start(data_dir, 2 if args.quick else 5)
            table("Foundation: cold start", ["what", "median", "min", "max", "runs"], cold)
            provisioning, search_path = bench_in_process(data_dir, 2 if args.quick else 5)
            table("Foundation: provisioning one municipality", ["method", "median", "min", "runs"], provisioning)
            table("Foundation: SET search_path per request (target 1)", ["request", "SET per request", "requests"],
                  search_path)
        finally:
            from portal.platform import embedded_db

            embedded_db.stop(data_dir / "pg")
            shutil.rmtree(data_dir, ignore_errors=True)
    for module in sorted(BENCH_DIR.glob("bench_*.py")):
        name = module.stem.removeprefix("bench_")
        if args.only not in (None, name, module.stem):
            continue
        print(f"\n• Running {module.name} …", flush=True)
        code = subprocess.call([sys.executable, str(module), *(["--quick"] if args.quick else []), *extra], cwd=ROOT)
        if code != 0:
            print(f"✗ {module.name} exited with {code}")
            return code
    return 0


if __name__ == "__main__":
    sys.exit(main())
