"""Serving the portal: uvicorn web workers and the background worker under one supervisor.

``serve`` runs uvicorn in this process (one web worker) or N uvicorn processes on one listening
socket, and — unless told not to — one Celery worker process with beat beside them (``portal
worker``). This process owns the embedded PostgreSQL and Valkey when it started them: on Ctrl-C or
SIGTERM it stops its children first, then (at exit) the servers, so nothing is left behind. A child
that dies after start-up is started again; one that dies while starting stops everything (restarting
would only loop).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

STARTUP_SECONDS = 10  # a child that exits sooner failed to start


def _port_is_free(host: str, port: int) -> bool:
    """Nothing listens there. Connections of a stopped server in TIME_WAIT do not count: uvicorn
    binds with SO_REUSEADDR and closes idle keep-alive connections itself, so a restart within a
    minute of Ctrl-C would otherwise be refused."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def worker_count(value: int | None) -> int:
    """Worker processes for `serve`: --workers, else PORTAL_WORKERS, else 1; 0 means one per CPU."""
    if value is None:
        value = int(os.environ.get("PORTAL_WORKERS", "1") or 1)
    return value if value > 0 else (os.cpu_count() or 1)


def serve(host: str, port: int, workers: int = 1, *, background: bool = True) -> int:
    if not _port_is_free(host, port):
        print(f"✗ Port {port} on {host} is already in use — is the portal already running? "
              f"Use --port to choose another.", file=sys.stderr)
        return 1
    if workers > 1 and ":" in host:
        print("• Several workers need an IPv4 address; serving with one", file=sys.stderr)
        workers = 1
    supervisor = Supervisor()
    if background:
        supervisor.add("background worker", background_worker_command())
    if workers > 1:
        return _serve_workers(host, port, workers, supervisor)
    print(f"• Serving on http://{host}:{port}/ — press Ctrl-C to stop (everything started here stops with it)",
          flush=True)
    supervisor.start_all()
    watcher = threading.Thread(target=supervisor.watch, name="supervisor", daemon=True)
    watcher.start()
    try:
        _run_uvicorn(host=host, port=port)
    finally:
        supervisor.stop()
    print("\n• Stopped")
    return 1 if supervisor.failed else 0


def background_worker_command() -> list[str]:
    """`portal worker` as a child: one Celery worker with beat, quiet about the servers it attaches to."""
    return [sys.executable, "-m", "portal.platform.cli", "worker"]


def _uvicorn_config(**where):
    """uvicorn for the portal's ASGI application (HTTP through Django, websockets through Channels).

    uvloop + httptools; websockets with the `websockets` library (its current sans-I/O
    implementation; uvicorn's older `websockets` one is deprecated). No lifespan (Django
    has none), no access log, no proxy headers (X-Forwarded-* are not trusted). uvicorn's
    own log configuration is skipped so its warnings go through the portal's LOGGING.
    """
    import uvicorn

    from portal.platform.asgi import application

    return uvicorn.Config(application, loop="uvloop", http="httptools", ws="websockets-sansio", lifespan="off",
                          access_log=False, proxy_headers=False, log_config=None, log_level="warning",
                          timeout_graceful_shutdown=10, **where)


def _run_uvicorn(sockets=None, **where) -> None:
    """Serve until SIGINT or SIGTERM, then return normally.

    uvicorn shuts down gracefully on either signal and then raises it again for the
    previous handler; here the signal has done its job (stop serving), so the server's
    own handler stays in place for that re-raise and the caller carries on — it prints
    "Stopped" and, when it owns the embedded database, stops it at exit. Installing the
    handler before `run()` also covers a signal that arrives while uvicorn starts.
    """
    import uvicorn

    from portal.marketplace.search import warm_up

    server = uvicorn.Server(_uvicorn_config(**where))
    warm_up()  # the search index loads while the server starts, not on the first search
    previous = {sig: signal.signal(sig, server.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.run(sockets=sockets)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _serve_worker(fd: int) -> int:
    """Serve ASGI with uvicorn on a listening socket inherited from the parent `serve --workers N`.

    The socket is handed over as a socket object rather than `uvicorn.Config(fd=fd)`: uvicorn
    wraps an fd as AF_UNIX, so uvloop serves the TCP socket as a Unix pipe — connections without
    TCP_NODELAY, and every keep-alive response waits for a delayed ACK (measured with 2 workers,
    20 clients: p50 60 ms instead of 31 ms). `socket.socket(fileno=fd)` detects the real family.
    """
    _run_uvicorn(sockets=[socket.socket(fileno=fd)])
    return 0


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, 15)  # PR_SET_PDEATHSIG = SIGTERM
    except (OSError, AttributeError):
        pass


@dataclass
class _Child:
    name: str
    argv: list[str]
    pass_fds: tuple[int, ...] = ()
    process: subprocess.Popen | None = None


@dataclass
class Supervisor:
    """Child processes started together, restarted when they die, stopped together (SIGTERM, then kill)."""

    children: list[_Child] = field(default_factory=list)
    failed: bool = False
    stopping: bool = False
    started: float = 0.0

    def add(self, name: str, argv: list[str], *, pass_fds: tuple[int, ...] = ()) -> None:
        self.children.append(_Child(name, argv, pass_fds))

    def _start(self, child: _Child) -> None:
        child.process = subprocess.Popen(
            child.argv, pass_fds=child.pass_fds, env={**os.environ, "PORTAL_QUIET": "1"},
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)

    def start_all(self) -> None:
        self.started = time.monotonic()
        for child in self.children:
            self._start(child)

    def check(self) -> bool:
        """Restart children that exited; False (and `failed`) when one died while starting."""
        for child in self.children:
            process = child.process
            if self.stopping or process is None or process.poll() is None:
                continue
            if time.monotonic() - self.started < STARTUP_SECONDS:
                print(f"✗ {child.name} {process.pid} exited ({process.returncode}) while starting", file=sys.stderr)
                self.failed = True
                return False
            print(f"  {child.name} {process.pid} exited ({process.returncode}); starting another", flush=True)
            self._start(child)
        return True

    def watch(self) -> None:
        """Check until stopped (a thread beside an in-process uvicorn); a start-up failure stops serving."""
        while not self.stopping:
            time.sleep(0.5)
            if not self.check():
                os.kill(os.getpid(), signal.SIGTERM)  # uvicorn's handler: a graceful stop
                return

    def stop(self, timeout: float = 30) -> None:
        self.stopping = True
        running = [c.process for c in self.children if c.process is not None and c.process.poll() is None]
        for process in running:
            process.send_signal(signal.SIGTERM)
        for process in running:
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _serve_workers(host: str, port: int, workers: int, supervisor: Supervisor) -> int:
    """N uvicorn processes accept on one socket this process listens on; it owns the database.

    Ctrl-C or SIGTERM here stops the workers, then (as the owner) the embedded database.
    A worker that dies is started again.
    """
    from portal.platform.connections import close_before_fork

    close_before_fork()  # the workers open their own; keep no idle pool here
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    listener.listen(1024)
    fd = listener.fileno()
    os.set_inheritable(fd, True)
    for _ in range(workers):
        supervisor.add("worker", [sys.executable, "-m", "portal.platform.cli", "serve", "--fd", str(fd)],
                       pass_fds=(fd,))

    def stop(*_):
        supervisor.stopping = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    supervisor.start_all()
    print(f"• Serving on http://{host}:{port}/ with {workers} worker processes — press Ctrl-C to stop "
          f"(everything started here stops with it)", flush=True)
    try:
        while not supervisor.stopping:
            time.sleep(0.2)
            if not supervisor.check():
                break
    finally:
        supervisor.stop()
        listener.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("\n• Stopped")
    return 1 if supervisor.failed else 0
