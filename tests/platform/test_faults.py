"""Faults injected into a real portal on loopback: the embedded PostgreSQL (and Valkey) killed with SIGKILL.

A separate data directory (migrated once for the module), a real `portal serve`, real `kill -9`. While the
database is away every request answers 503 within a second (a plain page, or JSON with a stable code, and
Retry-After), /healthz names the part that is down, and requests resume by themselves once it is back —
no restart of the portal. The owner of the embedded servers restarts a crashed one (crash recovery) and
says so."""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "portal.platform.cli"]


def _env(data_dir: Path, **extra) -> dict:
    env = {**os.environ, "PORTAL_DATA_DIR": str(data_dir), "PORTAL_QUIET": "1", **extra}
    for name in ("DATABASE_URL", "REDIS_URL"):
        env.pop(name, None)
    return env


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("faults")
    done = subprocess.run([*CLI, "migrate"], env=_env(directory), capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    return directory


def test_migrate_check_says_whether_migrations_are_pending(data_dir):
    done = subprocess.run([*CLI, "migrate", "--check"], env=_env(data_dir), capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and "up to date" in done.stdout, done.stdout + done.stderr
    pending = subprocess.run([*CLI, "migrate", "--check"], env=_env(data_dir, PORTAL_DB_NAME="portal_unmigrated"),
                             capture_output=True, text=True, timeout=120)  # a new, empty database beside it
    assert pending.returncode == 1 and "pending" in pending.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port: int, path: str, timeout: float = 5.0):
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Host": "localhost"})
        response = conn.getresponse()
        body = response.read().decode()
        return response.status, response.headers, body, time.perf_counter() - started
    finally:
        conn.close()


def _postmaster(data_dir: Path) -> tuple[int, str]:
    lines = (data_dir / "pg" / "postmaster.pid").read_text().splitlines()
    return int(lines[0]), lines[4]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (OSError, IndexError):
        return True


def _wait(predicate, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    return predicate()


def test_database_killed_answers_503_within_a_second_and_heals_without_a_restart(data_dir):
    port = _free_port()
    server = subprocess.Popen([*CLI, "serve", "--port", str(port), "--no-worker"],
                              env=_env(data_dir, PORTAL_SUPERVISE_SECONDS="0"),  # nobody restarts it: we do
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        def ready():
            try:
                return _get(port, "/healthz")[0] == 200
            except OSError:
                return False

        assert _wait(ready, 60), "the portal did not start"
        for _ in range(3):  # the pool holds connections that are about to break
            assert _get(port, "/healthz")[0] == 200
        pid, socket_dir = _postmaster(data_dir)
        os.kill(pid, signal.SIGKILL)
        assert _wait(lambda: not _alive(pid), 5)

        status, headers, body, seconds = _get(port, "/")
        assert status == 503 and seconds < 1.0, (status, seconds, body[:300])
        assert headers["Retry-After"] == "30"
        assert "Pakalpojums īslaicīgi nav pieejams" in body  # Latvian first, plain language
        for _ in range(5):  # every later request too, without waiting for the pool
            status, headers, body, seconds = _get(port, "/api/v1/me/")
            assert status == 503 and seconds < 1.0
            assert json.loads(body)["code"] == "service_unavailable" and headers["Retry-After"]
        status, _headers, body, seconds = _get(port, "/healthz")
        assert status == 503 and seconds < 1.0
        assert json.loads(body) == {"status": "unavailable", "database": "down", "valkey": "ok"}
        assert _get(port, "/healthz/live")[0] == 200  # the process itself is fine: no liveness restart

        restarted = subprocess.run(
            [sys.executable, "-c", "import sys; from pathlib import Path; from portal.platform import embedded_db; "
             "embedded_db.restart_after_crash(Path(sys.argv[1]), socket_dir=Path(sys.argv[2]))",
             str(data_dir / "pg"), socket_dir], env=_env(data_dir), capture_output=True, text=True, timeout=60)
        assert restarted.returncode == 0, restarted.stderr
        back = time.monotonic()
        assert _wait(lambda: _get(port, "/healthz")[0] == 200, 5), "requests did not resume by themselves"
        assert time.monotonic() - back < 5
        status, _headers, body, _seconds = _get(port, "/healthz")
        assert json.loads(body)["database"] == "ok"
        assert _get(port, "/")[0] != 503

        valkey = int((data_dir / "valkey" / "valkey.pid").read_text())  # now Valkey: /healthz names it
        os.kill(valkey, signal.SIGKILL)
        assert _wait(lambda: not _alive(valkey), 5)
        status, _headers, body, seconds = _get(port, "/healthz")
        assert status == 503 and seconds < 1.5
        assert json.loads(body) == {"status": "unavailable", "database": "ok", "valkey": "down", "schema": "public"}
        assert _get(port, "/")[0] == 200  # pages that need no Valkey keep serving
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=60)[0]
    assert "database unavailable" in output and "database back" in output  # both events logged


def test_the_owner_restarts_a_crashed_database_and_valkey_and_logs_it(data_dir):
    owner = subprocess.Popen([*CLI, "db", "start"], env=_env(data_dir, PORTAL_SUPERVISE_SECONDS="0.2"),
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for _ in range(5):  # "Starting …", then "Running …"
            line = owner.stdout.readline()
            if "Running" in line or not line:
                break
        assert "Running" in line, line
        pid, socket_dir = _postmaster(data_dir)
        valkey_pid = int((data_dir / "valkey" / "valkey.pid").read_text())
        os.kill(pid, signal.SIGKILL)
        os.kill(valkey_pid, signal.SIGKILL)

        def new_postmaster():
            try:
                new_pid, new_socket = _postmaster(data_dir)
            except (OSError, IndexError, ValueError):
                return None
            return new_pid if new_pid != pid and _alive(new_pid) and new_socket == socket_dir else None

        assert _wait(new_postmaster, 20), "PostgreSQL was not restarted"

        def new_valkey():
            try:
                new = int((data_dir / "valkey" / "valkey.pid").read_text())
            except (OSError, ValueError):
                return None
            return new if new != valkey_pid and _alive(new) else None

        assert _wait(new_valkey, 10), "Valkey was not restarted"
        check = subprocess.run(  # the data survived the crash: the public municipality row is still there
            [sys.executable, "-c", "import psycopg, sys; c = psycopg.connect(host=sys.argv[1], user='postgres', "
             "dbname='portal'); print(c.execute('SELECT count(*) FROM tenants_municipality').fetchone()[0])",
             socket_dir], capture_output=True, text=True, timeout=30)
        assert check.returncode == 0 and int(check.stdout) >= 1, check.stderr
    finally:
        owner.send_signal(signal.SIGTERM)
        output = owner.communicate(timeout=60)[0]
    assert "Embedded PostgreSQL crashed; restarting it" in output and "Embedded PostgreSQL restarted in" in output
    assert "Embedded Valkey restarted in" in output
    assert not (data_dir / "pg" / "postmaster.pid").exists()  # stopped cleanly at the end, not restarted again
