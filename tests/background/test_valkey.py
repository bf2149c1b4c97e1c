"""The embedded Valkey launcher, driven as a user would: separate processes, a second start, a crash.
Each test has its own data directory (no Django: the launcher needs none)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from portal.platform import embedded_valkey

START = """
import json, sys, time
from portal.platform import embedded_valkey
server = embedded_valkey.ensure_running(quiet=True)
print(json.dumps({"owned": server.owned, "pid": server.pid}), flush=True)
if len(sys.argv) > 1:
    time.sleep(float(sys.argv[1]))
"""


def _run(data_dir: Path, *args, wait=True):
    env = {**os.environ, "PORTAL_DATA_DIR": str(data_dir)}
    command = [sys.executable, "-c", START, *args]
    if wait:
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _alive(pid: int) -> bool:
    try:
        return b"valkey-server" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def test_a_second_start_reuses_the_running_server_and_the_owner_stops_it(tmp_path):
    import json

    owner = _run(tmp_path, "60", wait=False)
    first = json.loads(owner.stdout.readline())
    assert first["owned"] is True
    try:
        second = _run(tmp_path)
        assert second.returncode == 0, second.stderr
        attached = json.loads(second.stdout)
        assert attached == {"owned": False, "pid": first["pid"]}  # the same server, left running
        assert _alive(first["pid"])
    finally:
        owner.send_signal(signal.SIGTERM)
        owner.wait(timeout=30)
    deadline = time.monotonic() + 10
    while _alive(first["pid"]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(first["pid"])  # SIGTERM to the owner stopped the server
    assert not (tmp_path / "valkey" / "valkey.pid").exists()


def test_a_stale_pid_file_from_a_crash_is_recovered(tmp_path):
    import json

    owner = _run(tmp_path, "60", wait=False)
    crashed = json.loads(owner.stdout.readline())["pid"]
    os.kill(crashed, signal.SIGKILL)  # the server crashes: its pid file and socket stay behind
    owner.kill()
    owner.wait()
    while _alive(crashed):
        time.sleep(0.05)
    assert (tmp_path / "valkey" / "valkey.pid").exists()
    started = time.perf_counter()
    again = _run(tmp_path)
    assert again.returncode == 0, again.stderr
    restarted = json.loads(again.stdout)
    assert restarted["owned"] is True and restarted["pid"] != crashed
    assert time.perf_counter() - started < 30  # recovered, not hung


def test_a_pid_file_naming_another_live_program_is_not_mistaken_for_the_server(tmp_path):
    directory = tmp_path / "valkey"
    directory.mkdir()
    (directory / "valkey.pid").write_text(str(os.getpid()))  # a live pid, but not a valkey-server
    assert embedded_valkey.running(directory) is None
    again = _run(tmp_path)
    assert again.returncode == 0, again.stderr
    assert '"owned": true' in again.stdout


def test_celery_and_redis_py_spell_the_socket_their_own_way():
    assert embedded_valkey.kombu_url("unix:///d/valkey.sock?db=0") == "redis+socket:///d/valkey.sock?virtual_host=0"
    assert embedded_valkey.kombu_url("redis://cache:6379/1") == "redis://cache:6379/1"
