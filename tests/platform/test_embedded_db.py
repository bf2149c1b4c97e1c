"""The embedded PostgreSQL launcher, driven as a user would: separate processes,
Ctrl-C/SIGTERM, a crashed run, a second start. Each test has its own data dir."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ATTACH = """
import json, sys
from portal.platform import embedded_db
s = embedded_db.ensure_running(quiet=True)
import psycopg
with psycopg.connect(host=str(s.socket_dir), port=s.port, user="postgres", dbname="postgres", autocommit=True) as c:
    c.execute(sys.argv[1]) if len(sys.argv) > 1 else None
    rows = c.execute("SELECT count(*) FROM pg_tables WHERE tablename = 'marker'").fetchone()[0]
print(json.dumps({"owned": s.owned, "marker": rows}))
"""


def run_py(data_dir: Path, *args, **kwargs):
    env = {**os.environ, "PORTAL_DATA_DIR": str(data_dir)}
    return subprocess.run([sys.executable, "-c", ATTACH, *args], env=env, capture_output=True, text=True,
                          timeout=120, **kwargs)


def postmaster_running(data_dir: Path) -> bool:
    pid_file = data_dir / "pg" / "postmaster.pid"
    if not pid_file.exists():
        return False
    pid = int(pid_file.read_text().split()[0])
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_first_start_initialises_and_stops_at_exit_second_start_reuses_the_data(tmp_path):
    first = run_py(tmp_path, "CREATE TABLE marker (id int)")
    assert first.returncode == 0, first.stderr
    assert '"owned": true' in first.stdout
    assert not postmaster_running(tmp_path)  # the owner stopped it on exit
    second = run_py(tmp_path)
    assert '"marker": 1' in second.stdout  # same data, not a new cluster


def test_a_second_process_attaches_and_leaves_the_owners_server_running(tmp_path):
    env = {**os.environ, "PORTAL_DATA_DIR": str(tmp_path)}
    owner = subprocess.Popen([sys.executable, "-m", "portal.platform.cli", "db", "start"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert "Running" in owner.stdout.readline() + owner.stdout.readline()
        attached = run_py(tmp_path)
        assert '"owned": false' in attached.stdout
        assert postmaster_running(tmp_path)  # the attached process did not stop it
    finally:
        owner.send_signal(signal.SIGTERM)  # as systemd or Ctrl-C would
        owner.wait(timeout=60)
    assert not postmaster_running(tmp_path)


def test_a_crashed_run_with_a_stale_pid_file_is_recovered(tmp_path):
    env = {**os.environ, "PORTAL_DATA_DIR": str(tmp_path)}
    owner = subprocess.Popen([sys.executable, "-m", "portal.platform.cli", "db", "start"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    owner.stdout.readline(), owner.stdout.readline()
    pid_file = tmp_path / "pg" / "postmaster.pid"
    postmaster = int(pid_file.read_text().split()[0])
    owner.kill()
    os.kill(postmaster, signal.SIGKILL)  # a power cut, as far as PostgreSQL can tell
    owner.wait(timeout=30)
    for _ in range(50):
        if not postmaster_running(tmp_path):
            break
        time.sleep(0.1)
    try:
        assert pid_file.exists(), "the crash should leave a stale postmaster.pid behind"
        started = time.perf_counter()
        again = run_py(tmp_path, "CREATE TABLE marker (id int)")
        assert again.returncode == 0, again.stderr
        assert '"marker": 1' in again.stdout
        assert time.perf_counter() - started < 60  # recovered, not hung
    finally:  # the killed owner also left its Valkey running: stop what this data directory still has
        subprocess.run([sys.executable, "-m", "portal.platform.cli", "db", "stop"], env=env, capture_output=True,
                       timeout=60)


@pytest.mark.parametrize("action", ["status"])
def test_db_status_explains_where_the_data_is(tmp_path, action):
    env = {**os.environ, "PORTAL_DATA_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-m", "portal.platform.cli", "db", action], env=env,
                         capture_output=True, text=True, timeout=60)
    assert "Not running" in out.stdout and str(tmp_path) in out.stdout


def test_ctrl_c_on_the_server_stops_the_database_with_it(tmp_path):
    import socket
    import urllib.request

    env = {**os.environ, "PORTAL_DATA_DIR": str(tmp_path), "PORTAL_QUIET": "1"}
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "portal.platform.cli", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                    assert response.status == 200
                    break
            except OSError:
                time.sleep(0.1)
        assert postmaster_running(tmp_path)
    finally:
        server.send_signal(signal.SIGINT)  # Ctrl-C
        output = server.communicate(timeout=60)[0]
    assert "Stopped" in output
    assert not postmaster_running(tmp_path)
