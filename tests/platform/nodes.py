"""Real portal nodes for the multi-node and fault tests: `portal serve` and `portal worker` processes on
loopback, on the test database (data committed by the session's demo load), the embedded Valkey and the
embedded PostgreSQL of this checkout — the way two machines behind a load balancer share one PostgreSQL
and one Valkey."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time

CLI = [sys.executable, "-m", "portal.platform.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def node_env(database: str, **extra) -> dict:
    return {**os.environ, "PORTAL_DB_NAME": database, "PORTAL_QUIET": "1", "PORTAL_MIGRATE_ON_START": "0",
            "PORTAL_OUTBOX_REDISPATCH_SECONDS": "0", **extra}


def request(port: int, path: str, *, host: str = "localhost", method: str = "GET", body: str | None = None,
            headers: dict | None = None, timeout: float = 10.0):
    """(status, headers, body text, seconds)."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers={"Host": host, **(headers or {})})
        response = conn.getresponse()
        text = response.read().decode()
        return response.status, response.headers, text, time.perf_counter() - started
    finally:
        conn.close()


def wait(predicate, seconds: float, step: float = 0.05):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


def drain(process: subprocess.Popen) -> subprocess.Popen:
    """Read the node's output as it comes (kept in ``process.output``). An unread pipe fills up (64 KiB):
    the node's next log line then blocks inside the logging handler's lock, and every request that logs
    waits behind it — the "Valkey-kill hang" of docs/scale.md was exactly that, not the portal."""
    process.output = []

    def pump():
        for line in process.stdout:
            process.output.append(line)

    process.drainer = threading.Thread(target=pump, daemon=True)
    process.drainer.start()
    return process


def start_web(database: str, *, port: int | None = None, **extra_env) -> tuple[subprocess.Popen, int]:
    """`portal serve --no-worker` on a free port (not yet ready: see ``wait_ready``)."""
    port = port or free_port()
    process = subprocess.Popen([*CLI, "serve", "--port", str(port), "--no-worker"],
                               env=node_env(database, **extra_env), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    return drain(process), port


def output(process: subprocess.Popen) -> str:
    return "".join(getattr(process, "output", []))


def wait_ready(process: subprocess.Popen, port: int, seconds: float = 60) -> None:
    def ready():
        assert process.poll() is None, output(process) if hasattr(process, "output") else process.stdout.read()
        with contextlib.suppress(OSError):
            return request(port, "/healthz/live", timeout=2)[0] == 200
        return False

    assert wait(ready, seconds, step=0.2), f"the node on {port} did not start"


def stop(process: subprocess.Popen, timeout: float = 30) -> str:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    if hasattr(process, "drainer"):
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.drainer.join(timeout=5)
        return output(process)
    try:
        return process.communicate(timeout=timeout)[0] or ""
    except subprocess.TimeoutExpired:
        process.kill()
        return process.communicate()[0] or ""
