"""A real `portal serve` (uvicorn, one process): HTTP /healthz and a Channels websocket upgrade on
/ws/notifications/, over 127.0.0.1; Ctrl-C (SIGINT) stops the server and then its database."""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time

from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.platform.test_embedded_db import postmaster_running
from tests.platform.test_serve_workers import _children, _cmdline

# Run by `portal manage shell` against the served database: a national user with a role, signed in.
SIGN_IN = """
from django.test import Client
from portal.demo.users import ensure_membership, ensure_user
from portal.tenants.roles import Role
user = ensure_user("ws.test@sbs.localhost", "WS Test", "!")
ensure_membership(user, Role.MINISTRY_ANALYST, None)
client = Client()
client.force_login(user)
print("SESSION", client.cookies["sbs_session"].value)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthz(port: int) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", "/healthz", headers={"Host": "localhost"})
        response = conn.getresponse()
        response.read()
        return response.status, response.getheader("server", "")
    finally:
        conn.close()


def _websocket(port: int, cookie: str | None = None):
    """Open /ws/notifications/ on the national host (Host: localhost), connected to 127.0.0.1."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    headers = {"Cookie": f"sbs_session={cookie}"} if cookie else None
    # Origin: the page's own (host and port); the socket accepts no other.
    return connect(f"ws://localhost:{port}/ws/notifications/", sock=sock, origin=f"http://localhost:{port}",
                   additional_headers=headers, proxy=None, open_timeout=10)


def test_uvicorn_serves_http_and_websockets_and_ctrl_c_stops_it_and_the_database(tmp_path):
    # PORTAL_DEMO: two-factor offered, not required, so the forced sign-in below is complete (tests/platform/
    # test_two_factor.py covers a socket refused while the second step is owed).
    env = {**os.environ, "PORTAL_DATA_DIR": str(tmp_path), "PORTAL_QUIET": "1", "PORTAL_DEMO": "1"}
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "portal.platform.cli", "serve", "--port", str(port),
                               "--workers", "1"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                status, server_header = _healthz(port)
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "portal serve did not start"
                time.sleep(0.2)
        assert status == 200
        assert server_header == "uvicorn"

        signed_in = subprocess.run([sys.executable, "-m", "portal.platform.cli", "manage", "shell", "-c", SIGN_IN],
                                   env=env, capture_output=True, text=True, timeout=120)
        assert signed_in.returncode == 0, signed_in.stderr
        session = signed_in.stdout.split("SESSION ")[1].split()[0]

        with _websocket(port, session) as ws:  # the upgrade is accepted and the consumer greets
            hello = json.loads(ws.recv(timeout=10))
            assert (hello["type"], hello["municipality"]) == ("hello", None)
        try:
            _websocket(port).close()  # anonymous: the consumer closes before accepting → HTTP 403
            raise AssertionError("an anonymous websocket was accepted")
        except InvalidStatus as refused:
            assert refused.response.status_code == 403
        assert _healthz(port)[0] == 200  # still serving HTTP after the websockets
        assert postmaster_running(tmp_path)
        children = _children(server.pid)
        assert [pid for pid in children if _cmdline(pid).endswith(b"worker\x00")]  # the background worker beside
        children |= {grandchild for pid in children for grandchild in _children(pid)}
    finally:
        server.send_signal(signal.SIGINT)
        output = server.communicate(timeout=90)[0]
    assert "Serving on" in output and "Stopped" in output, output
    assert server.returncode == 0, output
    assert not postmaster_running(tmp_path)
    assert not (tmp_path / "valkey" / "valkey.pid").exists()  # Valkey stopped with it
    for pid in children:  # Ctrl-C leaves no process behind
        assert not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/stat").read().split()[2] == "Z"


def test_a_worker_serves_its_inherited_socket_as_tcp(monkeypatch):
    """Not `uvicorn.Config(fd=)`: uvicorn labels an fd AF_UNIX and uvloop then serves the TCP socket as a
    Unix pipe, without TCP_NODELAY (each keep-alive response waited for a delayed ACK: p50 60 ms, not 31)."""
    from portal.platform import serving

    handed = {}
    monkeypatch.setattr(serving, "_run_uvicorn", lambda sockets=None, **where: handed.update(sockets=sockets, **where))
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        assert serving._serve_worker(os.dup(listener.fileno())) == 0
        [sock] = handed.pop("sockets")
        with sock:
            assert sock.family == socket.AF_INET and sock.getsockname() == listener.getsockname()
    assert handed == {}  # no fd=, host= or port= for uvicorn to bind or wrap itself


def test_the_port_is_free_again_right_after_the_server_closed_its_connections():
    """uvicorn closes idle keep-alive connections itself (TIME_WAIT on the server's port for a minute);
    `portal serve` started again at once must not call the port busy. A listener still makes it busy."""
    from portal.platform.serving import _port_is_free

    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port))
    accepted, _ = listener.accept()
    assert not _port_is_free("127.0.0.1", port)
    accepted.close()  # the server closes first: its side of the connection waits in TIME_WAIT
    client.recv(1)
    client.close()
    listener.close()
    assert _port_is_free("127.0.0.1", port)
