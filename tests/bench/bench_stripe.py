"""Stripe webhook benchmark: acknowledgement time of POST /stripe/webhook/ under 8 concurrent senders.

`python tests/bench/bench_stripe.py [--quick]` (or `./run bench stripe`).

Serves the portal (`portal serve --workers 1 --no-worker`, uvicorn) on 127.0.0.1 with a webhook secret
and 200 connected accounts, then 8 sender threads post signed ``account.updated`` events (each sender its
own events, one in ten sent twice: duplicates answer without running the handler). The acknowledgement
is the whole request: signature check, inbox insert, handler, commit. The floor is the same load on
/healthz (one ``SELECT 1``) against the same server, measured in the same run.

Runs on its own database (PORTAL_DB_NAME=portal_bench_stripe) in a temporary data directory.
"""

from __future__ import annotations

import argparse
import http.client
import json
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from tests.bench.bench_search import percentile  # noqa: E402  (the same percentile as the search benchmark)
from tests.bench.run import free_port, table, wait_for_200  # noqa: E402  (one table format for every benchmark)

SENDERS = 8
ACCOUNTS = 200
SECRET = "whsec_bench_secret"


def _events(account_ids: list[str], per_sender: int, *, seed: int) -> list[list[tuple[bytes, str]]]:
    import stripe

    rng = random.Random(seed)
    base = int(time.time()) - 100_000
    batches = []
    for sender in range(SENDERS):
        batch = []
        for n in range(per_sender):
            account = rng.choice(account_ids)
            event = {"id": f"evt_bench_{sender}_{n}_{rng.getrandbits(40):x}", "object": "event",
                     "type": "account.updated", "created": base + sender * per_sender + n, "livemode": False,
                     "api_version": stripe.api_version, "pending_webhooks": 1,
                     "data": {"object": {"id": account, "object": "account", "details_submitted": True,
                                         "payouts_enabled": rng.random() < 0.7, "charges_enabled": True,
                                         "requirements": {"currently_due": [], "eventually_due": []},
                                         "metadata": {}}}}
            payload = json.dumps(event)
            item = (payload.encode(), stripe.WebhookSignature.generate_signature_header(payload, SECRET))
            batch.append(item)
            if rng.random() < 0.1:
                batch.append(item)  # a duplicate delivery
        batches.append(batch)
    return batches


def _load(port: int, batches: list[list[tuple[bytes, str]] | None], path: str) -> tuple[list[float], int, float]:
    latencies, errors, lock = [], [0], threading.Lock()

    def sender(batch):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        for payload, signature in batch:
            started = time.perf_counter()
            try:
                if path == "/healthz":
                    conn.request("GET", path, headers={"Host": "localhost"})
                else:
                    conn.request("POST", path, body=payload, headers={
                        "Host": "localhost", "Content-Type": "application/json", "Stripe-Signature": signature})
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                ok = False
            mine.append(time.perf_counter() - started)
            if not ok:
                with lock:
                    errors[0] += 1
        conn.close()
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=sender, args=(batch,)) for batch in batches]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors[0], time.perf_counter() - started


def _row(label: str, latencies: list[float], errors: int, elapsed: float) -> list:
    return [label, SENDERS, len(latencies), f"{statistics.median(latencies) * 1000:.1f} ms",
            f"{percentile(latencies, 95) * 1000:.1f} ms", f"{percentile(latencies, 99) * 1000:.1f} ms",
            f"{len(latencies) / elapsed:.0f}", errors]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer events")
    args = parser.parse_args(argv)
    per_sender = 25 if args.quick else 250
    print(f"Machine: {os.cpu_count()} CPUs, load average {' / '.join(f'{x:.2f}' for x in os.getloadavg())} "
          "(1/5/15 min) at start", flush=True)
    data_dir = Path(tempfile.mkdtemp(prefix="portal-bench-stripe-"))
    os.environ.update({"PORTAL_DATA_DIR": str(data_dir), "PORTAL_QUIET": "1", "PORTAL_DB_NAME": "portal_bench_stripe",
                       "DJANGO_SETTINGS_MODULE": "portal.platform.settings", "STRIPE_WEBHOOK_SECRET": SECRET})
    os.environ.pop("DATABASE_URL", None)
    server = None
    try:
        import django

        django.setup()
        from django.db import connection

        from portal.marketplace.catalogue.models import Provider
        from portal.marketplace.stripe_connect.models import ConnectAccount, WebhookEvent
        from portal.platform.cli import ensure_migrated

        print("• Migrating a fresh benchmark database …", flush=True)
        ensure_migrated()
        providers = Provider.objects.bulk_create([
            Provider(name=f"Bench {n}", slug=f"bench-stripe-{n}", social_register_number=f"B{n:05d}",
                     company_number=f"8{n:010d}", legal_form="sia", email=f"b{n}@example.lv", phone="+371 2",
                     address="Rīga", description_lv="-", municipalities_served=[], iban="LV80BANK0000435195001",
                     status="verified") for n in range(ACCOUNTS)])
        accounts = ConnectAccount.objects.bulk_create([
            ConnectAccount(provider=p, account_id=f"acct_bench{p.pk:010d}") for p in providers])
        account_ids = [a.account_id for a in accounts]
        connection.close()

        port = free_port()
        server = subprocess.Popen([sys.executable, "-m", "portal.platform.cli", "serve", "--port", str(port),
                                   "--workers", "1", "--no-worker"], cwd=ROOT, env=os.environ.copy(),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not wait_for_200(f"http://127.0.0.1:{port}/healthz", "localhost", time.perf_counter() + 180):
            raise SystemExit("the benchmark server never answered")
        warm = _events(account_ids, 3, seed=1)
        _load(port, warm, "/stripe/webhook/")
        batches = _events(account_ids, per_sender, seed=20261203)
        webhook = _load(port, batches, "/stripe/webhook/")
        floor = _load(port, batches, "/healthz")
        stored = WebhookEvent.objects.count()
        unique = len({json.loads(payload)["id"] for batch in warm + batches for payload, _ in batch})
        rows = [_row("POST /stripe/webhook/ (account.updated)", *webhook), _row("GET /healthz floor", *floor)]
        table("Stripe webhook acknowledgement: real HTTP to `portal serve --workers 1` (uvicorn, 127.0.0.1), "
              f"{SENDERS} concurrent senders, about 10 % duplicates; the floor is the same load on /healthz",
              ["request", "senders", "requests", "p50", "p95", "p99", "req/s", "errors"], rows)
        print(f"Inbox: {stored} events stored for {unique} distinct events sent (each handled once). "
              f"p99 webhook / p99 floor = {percentile(webhook[0], 99) / percentile(floor[0], 99):.1f}×. "
              f"Load average at the end {' / '.join(f'{x:.2f}' for x in os.getloadavg())}.", flush=True)
        return 0 if stored == unique and webhook[1] == 0 else 1
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
        from portal.platform import embedded_db, embedded_valkey

        embedded_db.stop(data_dir / "pg")
        embedded_valkey.stop(data_dir / "valkey")
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
