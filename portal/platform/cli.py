"""The `portal` command: one entry point for running and administering the portal.

    portal demo          set everything up with demo data and serve it
    portal serve         serve the portal (ASGI, uvicorn)
    portal migrate       migrate every schema and refresh the template schema
    portal provision     create a municipality
    portal reindex       rebuild the catalogue search documents (and the Elasticsearch index)
    portal db status|stop  the embedded PostgreSQL server
    portal manage ...    any Django management command

When DATABASE_URL is unset the embedded PostgreSQL server is started on first
use and stopped when this command ends (see portal/platform/embedded_db.py).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.platform.settings")


def _setup() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.utils import translation

    translation.activate(os.environ.get("PORTAL_LANGUAGE", settings.LANGUAGE_CODE))


def _step(message: str) -> float:
    print(message, flush=True)
    return time.perf_counter()


def cmd_migrate(args) -> int:
    _setup()
    from portal.tenants.provisioning import migrate_all

    started = time.perf_counter()
    migrate_all(out=sys.stdout)
    _mark_migrated()
    print(f"✓ All schemas migrated in {time.perf_counter() - started:.1f} s")
    return 0


def _migration_fingerprint() -> str:
    """A hash of every migration file: unchanged means nothing to migrate."""
    import hashlib

    from django.apps import apps

    digest = hashlib.sha256()
    for config in sorted(apps.get_app_configs(), key=lambda c: c.label):
        folder = os.path.join(config.path, "migrations")
        if os.path.isdir(folder):
            for name in sorted(os.listdir(folder)):
                if name.endswith(".py"):
                    digest.update(f"{config.label}/{name}".encode())
                    with open(os.path.join(folder, name), "rb") as handle:
                        digest.update(handle.read())
    return digest.hexdigest()[:16]


def _already_migrated() -> bool:
    """True when the database says the last migration run used the same migration files."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('public.portal_migration_stamp')")
        if cursor.fetchone()[0] is None:
            return False
        cursor.execute("SELECT fingerprint FROM public.portal_migration_stamp")
        row = cursor.fetchone()
    return bool(row) and row[0] == _migration_fingerprint()


def _mark_migrated() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS public.portal_migration_stamp (fingerprint text NOT NULL)")
        cursor.execute("DELETE FROM public.portal_migration_stamp")
        cursor.execute("INSERT INTO public.portal_migration_stamp VALUES (%s)", [_migration_fingerprint()])


def ensure_migrated() -> None:
    from portal.tenants.provisioning import migrate_all

    if _already_migrated():
        print("• Database schemas are up to date")
        return
    started = _step("• Migrating the database (first run takes a minute) …")
    migrate_all(out=sys.stdout)
    _mark_migrated()
    print(f"  done in {time.perf_counter() - started:.1f} s")


def cmd_provision(args) -> int:
    _setup()
    from portal.platform.core.errors import DomainError
    from portal.tenants.provisioning import host_for, municipality_provision, validate_request

    try:
        validate_request(code=args.code.strip().lower(), name=args.name, region=args.region)
        ensure_migrated()
        result = municipality_provision(code=args.code, name=args.name, region=args.region, out=sys.stdout,
                                        email=args.email or "", phone=args.phone or "")
    except DomainError as exc:
        print(f"✗ {exc.message}", file=sys.stderr)
        return 2
    if result.created:
        print(f"✓ Created {result.municipality.name} ({result.method}, {result.seconds:.2f} s) "
              f"on http://{host_for(result.municipality.code)}/")
    else:
        print(f"✓ {result.municipality.name} already exists; nothing changed")
    return 0


def cmd_demo(args) -> int:
    _setup()
    from portal.demo.loader import load_demo, print_logins

    total = time.perf_counter()
    ensure_migrated()
    load_demo(out=sys.stdout)
    print(f"✓ Demo ready in {time.perf_counter() - total:.1f} s\n")
    print_logins(host=args.host, port=args.port)
    if args.no_serve:
        return 0
    return serve(args.host, args.port, workers=worker_count(args.workers))


def cmd_serve(args) -> int:
    if args.fd is not None:  # one of several worker processes started by `serve --workers N`
        _setup()
        return _serve_worker(args.fd)
    _setup()
    ensure_migrated()
    return serve(args.host, args.port, workers=worker_count(args.workers))


def _port_is_free(host: str, port: int) -> bool:
    """Nothing listens there. Connections of a stopped server in TIME_WAIT do not count: uvicorn
    binds with SO_REUSEADDR and closes idle keep-alive connections itself, so a restart within a
    minute of Ctrl-C would otherwise be refused."""
    import socket

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


def serve(host: str, port: int, workers: int = 1) -> int:
    if not _port_is_free(host, port):
        print(f"✗ Port {port} on {host} is already in use — is the portal already running? "
              f"Use --port to choose another.", file=sys.stderr)
        return 1
    if workers > 1 and ":" in host:
        print("• Several workers need an IPv4 address; serving with one", file=sys.stderr)
        workers = 1
    if workers > 1:
        return _serve_workers(host, port, workers)
    print(f"• Serving on http://{host}:{port}/ — press Ctrl-C to stop (the database stops with it)", flush=True)
    _run_uvicorn(host=host, port=port)
    print("\n• Stopped")
    return 0


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
    import signal

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
    import socket

    _run_uvicorn(sockets=[socket.socket(fileno=fd)])
    return 0


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, 15)  # PR_SET_PDEATHSIG = SIGTERM
    except (OSError, AttributeError):
        pass


def _serve_workers(host: str, port: int, workers: int) -> int:
    """N uvicorn processes accept on one socket this process listens on; it owns the database.

    Ctrl-C or SIGTERM here stops the workers, then (as the owner) the embedded database.
    A worker that dies is started again.
    """
    import signal
    import socket
    import subprocess

    from portal.platform.connections import close_before_fork

    close_before_fork()  # the workers open their own; keep no idle pool here
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    listener.listen(1024)
    fd = listener.fileno()
    os.set_inheritable(fd, True)

    def start() -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "portal.platform.cli", "serve", "--fd", str(fd)],
                                pass_fds=(fd,), env={**os.environ, "PORTAL_QUIET": "1"},
                                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)

    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    children = [start() for _ in range(workers)]
    started = time.monotonic()
    failed = False
    print(f"• Serving on http://{host}:{port}/ with {workers} worker processes — press Ctrl-C to stop "
          f"(the database stops with it)", flush=True)
    try:
        while not stopping:
            time.sleep(0.2)
            for index, child in enumerate(children):
                if child.poll() is not None and not stopping:
                    if time.monotonic() - started < 10:  # failing at start-up: restarting would only loop
                        print(f"✗ worker {child.pid} exited ({child.returncode}) while starting", file=sys.stderr)
                        stopping = failed = True
                        break
                    print(f"  worker {child.pid} exited ({child.returncode}); starting another", flush=True)
                    children[index] = start()
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        listener.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("\n• Stopped")
    return 1 if failed else 0


def cmd_db(args) -> int:
    from portal.platform import embedded_db

    if os.environ.get("DATABASE_URL"):
        print("DATABASE_URL is set: the portal uses that server, not the embedded one.")
        return 0
    if args.action == "stop":
        print("• Stopped" if embedded_db.stop() else "• Not running")
        return 0
    if args.action == "start":
        server = embedded_db.ensure_running()
        print(f"• Running; socket in {server.socket_dir}. Press Ctrl-C to stop.")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            return 0
    running = embedded_db._running_postmaster(embedded_db.data_dir() / "pg")
    print(f"• Running (pid {running.pid}, socket {running.socket_dir})" if running else "• Not running")
    print(f"  data directory: {embedded_db.data_dir()}")
    return 0


def cmd_reindex(args) -> int:
    _setup()
    from portal.marketplace.search import backend_name
    from portal.marketplace.search.indexing import rebuild

    started = time.perf_counter()
    count = rebuild(out=sys.stdout)
    print(f"✓ {count} services indexed ({backend_name()}) in {time.perf_counter() - started:.1f} s")
    return 0


def cmd_manage(args) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["portal manage", *args.rest])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="portal", description="SBS portal: individual budgets for "
                                     "community-based social services.")
    sub = parser.add_subparsers(dest="command", required=True)

    def add_server_args(p):
        p.add_argument("--host", default=os.environ.get("PORTAL_HOST", "127.0.0.1"), help="address to bind")
        p.add_argument("--port", type=int, default=int(os.environ.get("PORTAL_PORT", "8000")), help="port")
        p.add_argument("--workers", type=int, default=None,
                       help="server processes sharing the port (default PORTAL_WORKERS or 1; 0 = one per CPU)")

    demo = sub.add_parser("demo", help="set up the demo data and serve the portal")
    add_server_args(demo)
    demo.add_argument("--no-serve", action="store_true", help="load the demo data and exit")
    demo.set_defaults(func=cmd_demo)

    serve_p = sub.add_parser("serve", help="serve the portal over ASGI")
    add_server_args(serve_p)
    serve_p.add_argument("--fd", type=int, help=argparse.SUPPRESS)  # internal: a worker's inherited socket
    serve_p.set_defaults(func=cmd_serve)

    sub.add_parser("migrate", help="migrate every schema and refresh the template").set_defaults(func=cmd_migrate)

    prov = sub.add_parser("provision", help="create a municipality (idempotent)")
    prov.add_argument("code", help="short code, e.g. jelgava (becomes the host jelgava.<base domain>)")
    prov.add_argument("name", help='name, e.g. "Jelgavas valstspilsēta"')
    prov.add_argument("--region", required=True, help="kurzeme, zemgale, vidzeme, latgale or riga")
    prov.add_argument("--email")
    prov.add_argument("--phone")
    prov.set_defaults(func=cmd_provision)

    sub.add_parser("reindex", help="rebuild the catalogue search index").set_defaults(func=cmd_reindex)

    db = sub.add_parser("db", help="the embedded PostgreSQL server")
    db.add_argument("action", choices=["status", "start", "stop"])
    db.set_defaults(func=cmd_db)

    manage = sub.add_parser("manage", help="run a Django management command", add_help=False)
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("\n• Interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
