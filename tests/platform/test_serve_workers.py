"""`portal serve --workers N`: N uvicorn processes on one socket and a background worker beside them;
SIGTERM stops them all, the database and Valkey."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from tests.platform.test_embedded_db import postmaster_running


def _children(pid: int) -> set[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            return {int(x) for x in handle.read().split()}
    except OSError:
        return set()


def _cmdline(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read()
    except OSError:
        return b""


def test_workers_share_the_port_and_sigterm_stops_them_and_the_database(tmp_path):
    env = {**os.environ, "PORTAL_DATA_DIR": str(tmp_path), "PORTAL_QUIET": "1"}
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "portal.platform.cli", "serve", "--port", str(port),
                               "--workers", "2"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 180
        answered = 0
        while time.monotonic() < deadline and answered < 4:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    assert response.status == 200
                    assert response.headers["server"] == "uvicorn"
                    answered += 1
            except OSError:
                time.sleep(0.2)
        assert answered == 4
        children = _children(server.pid)
        assert len([pid for pid in children if b"--fd" in _cmdline(pid)]) == 2  # the web workers
        assert len([pid for pid in children if _cmdline(pid).endswith(b"worker\x00")]) == 1  # background worker
        workers = children | {grandchild for pid in children for grandchild in _children(pid)}  # beat
        assert postmaster_running(tmp_path)
        assert (tmp_path / "valkey" / "valkey.pid").exists()
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=90)[0]
    assert "2 worker processes" in output and "Stopped" in output
    assert server.returncode == 0
    for pid in workers:
        assert not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/stat").read().split()[2] == "Z"
    assert not postmaster_running(tmp_path)
    assert not (tmp_path / "valkey" / "valkey.pid").exists()  # Valkey stopped with it
