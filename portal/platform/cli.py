"""The `portal` command: one entry point for running and administering the portal.

    portal demo          set everything up with demo data and serve it
    portal serve         serve the portal (ASGI, uvicorn) with a background worker beside it
    portal worker        the background worker (Celery + beat) alone, e.g. on another machine
    portal migrate       migrate every schema and refresh the template schema
    portal provision     create a municipality
    portal reindex       rebuild the catalogue search documents (and the Elasticsearch index of each language)
    portal db status|start|stop  the embedded PostgreSQL and Valkey servers
    portal manage ...    any Django management command

When DATABASE_URL is unset the embedded PostgreSQL server is started on first
use and stopped when this command ends (see portal/platform/embedded_db.py); so is
the embedded Valkey when REDIS_URL is unset (portal/platform/embedded_valkey.py).
Serving and its supervisor live in portal/platform/serving.py.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from portal.platform.serving import serve, worker_count
from portal.platform.serving import _serve_worker as serve_worker_on_fd

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
    if getattr(args, "check", False):  # a web pod's init container waits on this for the migration Job
        migrated = _already_migrated()
        print("• Database schemas are up to date" if migrated else "• Migrations pending")
        return 0 if migrated else 1
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


def demo_environment(port: int) -> None:
    """What `portal demo` sets before Django reads its settings (the server and its worker inherit it)."""
    # The demo's accounts sign in with the published password alone: two-factor is offered, not required.
    os.environ.setdefault("PORTAL_DEMO", "1")
    # Its console e-mails link to the port it serves on (http://jelgava.localhost:8000/...).
    os.environ.setdefault("PORTAL_PUBLIC_PORT", str(port))


def cmd_demo(args) -> int:
    demo_environment(args.port)
    _setup()
    from portal.demo.loader import load_demo, print_logins

    total = time.perf_counter()
    ensure_migrated()
    load_demo(out=sys.stdout)
    print(f"✓ Demo ready in {time.perf_counter() - total:.1f} s\n")
    print_logins(host=args.host, port=args.port)
    if args.no_serve:
        return 0
    return serve(args.host, args.port, workers=worker_count(args.workers), background=not args.no_worker)


def cmd_serve(args) -> int:
    if args.fd is not None:  # one of several worker processes started by `serve --workers N`
        _setup()
        return serve_worker_on_fd(args.fd)
    _setup()
    if os.environ.get("PORTAL_MIGRATE_ON_START", "1").lower() not in ("0", "false", "no", "off"):
        ensure_migrated()  # one machine; several web replicas leave it to one migration Job
    return serve(args.host, args.port, workers=worker_count(args.workers), background=not args.no_worker)


def cmd_worker(args) -> int:
    """One Celery worker consuming this database's queue, with beat unless --no-beat."""
    _setup()
    from portal.platform.background.worker import run_worker

    return run_worker(concurrency=args.concurrency, beat=not args.no_beat, include=args.include, queue=args.queue)


def cmd_db(args) -> int:
    """The embedded servers: PostgreSQL (unless DATABASE_URL) and Valkey (unless REDIS_URL)."""
    if args.action in ("replica", "replica-stop"):
        return _cmd_replica(args.action)
    from portal.platform import embedded_db, embedded_valkey

    own_db, own_valkey = not os.environ.get("DATABASE_URL"), not os.environ.get("REDIS_URL")
    if args.action == "stop":
        if own_valkey:
            print("• Valkey stopped" if embedded_valkey.stop() else "• Valkey not running")
        if own_db:
            print("• Stopped" if embedded_db.stop() else "• Not running")
        return 0
    if args.action == "start":
        where = []
        if own_db:
            where.append(f"PostgreSQL socket in {embedded_db.ensure_running().socket_dir}")
        if own_valkey:
            where.append(f"Valkey socket {embedded_valkey.ensure_running(quiet=True).socket_path}")
        print(f"• Running; {', '.join(where) or 'nothing embedded'}. Press Ctrl-C to stop.", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            return 0
    if own_db:
        running = embedded_db._running_postmaster(embedded_db.data_dir() / "pg")
        print(f"• Running (pid {running.pid}, socket {running.socket_dir})" if running else "• Not running")
    else:
        print("• PostgreSQL: DATABASE_URL is set: the portal uses that server, not the embedded one.")
    if own_valkey:
        valkey = embedded_valkey.running()
        print(f"• Valkey: running (pid {valkey.pid}, socket {valkey.socket_path})" if valkey
              else "• Valkey: not running")
    else:
        print("• Valkey: REDIS_URL is set: the portal uses that server, not the embedded one.")
    print(f"  data directory: {embedded_db.data_dir()}")
    return 0


def _cmd_replica(action: str) -> int:
    """A streaming standby of the embedded primary (portal/platform/embedded_replica.py)."""
    from portal.platform import embedded_db, embedded_replica

    if os.environ.get("DATABASE_URL"):
        print("✗ DATABASE_URL is set: make the replica with your PostgreSQL's own tools.", file=sys.stderr)
        return 2
    if action == "replica-stop":
        stopped = embedded_replica.stop_replica()
        print("• Replica stopped" if stopped else "• No replica was running")
        return 0
    if embedded_db._running_postmaster(embedded_db.data_dir() / "pg") is None:
        print("✗ Start the portal (or `portal db start`) first: the replica streams from the running primary.",
              file=sys.stderr)
        return 1
    started = time.perf_counter()
    replica = embedded_replica.make_replica()
    name = os.environ.get("PORTAL_DB_NAME", "portal")
    print(f"✓ Replica streaming in {replica.pgdata} ({time.perf_counter() - started:.1f} s)\n"
          f"  DATABASE_REPLICA_URL={replica.url(name)}")
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
        p.add_argument("--no-worker", action="store_true",
                       help="do not start the background worker and beat (run `portal worker` elsewhere)")

    demo = sub.add_parser("demo", help="set up the demo data and serve the portal")
    add_server_args(demo)
    demo.add_argument("--no-serve", action="store_true", help="load the demo data and exit")
    demo.set_defaults(func=cmd_demo)

    serve_p = sub.add_parser("serve", help="serve the portal over ASGI")
    add_server_args(serve_p)
    serve_p.add_argument("--fd", type=int, help=argparse.SUPPRESS)  # internal: a worker's inherited socket
    serve_p.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", help="run the background worker (Celery) with the beat schedule")
    worker.add_argument("--concurrency", type=int, default=None,
                        help="tasks run at once (default PORTAL_WORKER_CONCURRENCY or 2)")
    worker.add_argument("--no-beat", action="store_true", help="no schedule here (beat runs on another machine)")
    worker.add_argument("--include", default="", help="more modules with tasks or outbox handlers, comma-separated")
    worker.add_argument("--queue", default="", help="consume this queue instead of the database's (portal.<name>)")
    worker.set_defaults(func=cmd_worker)

    migrate = sub.add_parser("migrate", help="migrate every schema and refresh the template")
    migrate.add_argument("--check", action="store_true", help="exit 1 while migrations are pending (changes nothing)")
    migrate.set_defaults(func=cmd_migrate)

    prov = sub.add_parser("provision", help="create a municipality (idempotent)")
    prov.add_argument("code", help="short code, e.g. jelgava (becomes the host jelgava.<base domain>)")
    prov.add_argument("name", help='name, e.g. "Jelgavas valstspilsēta"')
    prov.add_argument("--region", required=True, help="kurzeme, zemgale, vidzeme, latgale or riga")
    prov.add_argument("--email")
    prov.add_argument("--phone")
    prov.set_defaults(func=cmd_provision)

    sub.add_parser("reindex", help="rebuild the catalogue search index").set_defaults(func=cmd_reindex)

    db = sub.add_parser("db", help="the embedded PostgreSQL and Valkey servers")
    db.add_argument("action", choices=["status", "start", "stop", "replica", "replica-stop"],
                    help="replica: make and start a streaming standby of the embedded PostgreSQL")
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
