"""Notifications benchmark: commit → socket latency with many open sockets, and memory per open socket.

`python tests/bench/bench_notifications.py [--quick]` (or `./run bench notifications`).

A real `portal serve --workers 1 --no-worker` (uvicorn, Channels on the embedded Valkey) on its own
database (PORTAL_DB_NAME=portal_bench_notifications) holds SOCKETS websockets (500; --quick: 100), one per
signed-in user of one municipality, opened with the `websockets` client as a browser would (Host, same
Origin, session cookie). Then, one at a time for SAMPLES random users:

* **notification**: ``notify()`` in a transaction in this process (insert, preference read, unread count,
  commit, the on-commit ``group_send``) → the JSON frame arrives on that user's socket;
* **floor**: a bare ``group_send`` to the same group (no database) → the frame arrives — the channel
  layer and the server's consumer alone, measured in the same run.

Memory: the server process's resident set (VmRSS) before opening the sockets and after, divided by
their number.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from tests.bench.run import bench_municipalities, free_port, table, wait_for_200  # noqa: E402

os.environ.setdefault("PORTAL_DB_NAME", "portal_bench_notifications")
os.environ.setdefault("PORTAL_QUIET", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.platform.settings")
# The default preference e-mails too: kept in memory here (the console would flood the table's output).
os.environ.setdefault("PORTAL_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")

CODE = "benchnotify"


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _server_pids(root_pid: int) -> list[int]:
    """The serve process and its descendants (the supervisor may run uvicorn in a child)."""
    pids, frontier = [root_pid], [root_pid]
    while frontier:
        pid = frontier.pop()
        children = Path(f"/proc/{pid}/task/{pid}/children")
        if children.exists():
            found = [int(c) for c in children.read_text().split()]
            pids += found
            frontier += found
    return pids


def _users_with_sessions(municipality, count: int) -> list[tuple[int, str]]:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from portal.platform.accounts.models import User
    from portal.tenants.models import Membership
    from portal.tenants.roles import Role

    existing = {u.email: u for u in User.objects.filter(email__startswith="bench-notify-")}
    new = [User(email=f"bench-notify-{i}@example.lv", full_name=f"Bench {i}")
           for i in range(count) if f"bench-notify-{i}@example.lv" not in existing]
    for user in new:
        user.set_unusable_password()
    User.objects.bulk_create(new)
    users = list(User.objects.filter(email__startswith="bench-notify-").order_by("pk")[:count])
    Membership.objects.bulk_create([Membership(user=u, municipality=municipality, role=Role.PERSON) for u in users],
                                   ignore_conflicts=True)
    sessions = []
    for user in users:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        sessions.append((user.pk, store.session_key))
    return sessions


async def _open(port: int, host: str, key: str):
    import websockets

    socket = await websockets.connect(  # the URI names the municipality's host; the socket dials 127.0.0.1
        f"ws://{host}/ws/notifications/", origin=f"http://{host}", host="127.0.0.1", port=port,
        additional_headers={"Cookie": f"sbs_session={key}"}, open_timeout=60, max_queue=None)
    hello = json.loads(await socket.recv())
    assert hello["type"] == "hello", hello
    return socket


def _notify_in_transaction(municipality, user_id: int, marker: int) -> None:
    from django.db import connection, transaction

    from portal.notifications.models import Kind
    from portal.notifications.services import notify

    connection.set_tenant(municipality)
    with transaction.atomic():
        notify(recipients=[user_id], kind=Kind.PLAN_APPROVED, params={"version": marker})


async def _measure(municipality, sockets: dict, samples: int) -> tuple[list[float], list[float]]:
    from channels.layers import get_channel_layer

    from portal.notifications.services import group_name

    layer = get_channel_layer()
    schema = municipality.schema_name
    notified, floor = [], []
    ids = list(sockets)
    for marker in range(samples):
        user_id = random.choice(ids)
        socket = sockets[user_id]
        started = time.perf_counter()
        await layer.group_send(group_name(schema, user_id), {"type": "notify", "text": "floor", "marker": marker})
        while json.loads(await socket.recv()).get("marker") != marker:
            pass
        floor.append((time.perf_counter() - started) * 1000)

        started = time.perf_counter()
        await asyncio.to_thread(_notify_in_transaction, municipality, user_id, marker)
        while True:
            message = json.loads(await socket.recv())
            if message.get("kind") == "plan.approved" and str(marker) in message.get("text", ""):
                break
        notified.append((time.perf_counter() - started) * 1000)
    return notified, floor


async def _run(port: int, host: str, municipality, sessions, samples: int, server_pid: int) -> dict:
    pids = _server_pids(server_pid)
    before = sum(_rss_kib(pid) for pid in pids)
    sockets = {}
    opened_at = time.perf_counter()
    for start in range(0, len(sessions), 50):  # 50 at a time: the server's consumer reads the session and roles
        batch = sessions[start:start + 50]
        opened = await asyncio.gather(*(_open(port, host, key) for _, key in batch))
        sockets.update({user_id: socket for (user_id, _), socket in zip(batch, opened)})
    open_seconds = time.perf_counter() - opened_at
    await asyncio.sleep(1)
    after = sum(_rss_kib(pid) for pid in _server_pids(server_pid))
    notified, floor = await _measure(municipality, sockets, samples)
    for socket in sockets.values():
        await socket.close()
    return {"notified": notified, "floor": floor, "before": before, "after": after, "open_seconds": open_seconds,
            "count": len(sockets)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    count, samples = (100, 30) if args.quick else (500, 200)

    [municipality] = bench_municipalities((CODE, "Bench Notify"))
    from django.conf import settings
    from django.db import connection

    connection.set_schema_to_public()
    sessions = _users_with_sessions(municipality, count)
    port = free_port()
    host = f"{CODE}.{settings.PORTAL_BASE_DOMAIN}:{port}"
    env = {**os.environ, "PORTAL_QUIET": "1"}
    server = subprocess.Popen([sys.executable, "-m", "portal.platform.cli", "serve", "--port", str(port),
                               "--workers", "1", "--no-worker"], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if not wait_for_200(f"http://127.0.0.1:{port}/healthz", host, time.perf_counter() + 120):
            print("the server did not start", file=sys.stderr)
            return 1
        result = asyncio.run(_run(port, host, municipality, sessions, samples, server.pid))
    finally:
        server.terminate()
        server.wait(timeout=30)
    n50, n95 = _percentiles(result["notified"])
    f50, f95 = _percentiles(result["floor"])
    per_socket = (result["after"] - result["before"]) / max(result["count"], 1)
    table(f"Notifications: {result['count']} open sockets, {samples} samples (one server process)",
          ["what", "p50 ms", "p95 ms"],
          [["notify() commit → socket", f"{n50:.1f}", f"{n95:.1f}"],
           ["floor: bare group_send → socket", f"{f50:.1f}", f"{f95:.1f}"],
           ["ratio (p50)", f"{n50 / f50:.1f}×" if f50 else "-", ""]])
    table("Sockets", ["what", "value"],
          [["server RSS before (MiB)", f"{result['before'] / 1024:.1f}"],
           ["server RSS with sockets (MiB)", f"{result['after'] / 1024:.1f}"],
           ["memory per open socket (KiB)", f"{per_socket:.1f}"],
           ["opening all sockets (s)", f"{result['open_seconds']:.1f}"]])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
