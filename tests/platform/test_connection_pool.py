"""Connection reuse: a psycopg pool per process, and django-tenants' search_path still set per checkout."""

from django.conf import settings
from django.db import connections
from django.test.utils import CaptureQueriesContext


def _schema(conn) -> str:
    with conn.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        return cursor.fetchone()[0]


def _sets(queries) -> int:
    return sum("search_path" in q["sql"].lower() for q in queries.captured_queries)


def test_pool_is_configured_by_default():
    pool = settings.DATABASES["default"].get("OPTIONS", {}).get("pool")
    assert pool and pool["max_size"] >= pool["min_size"] >= 1
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] == 0


def test_pooled_connection_gets_one_search_path_per_checkout(db, muni_a):
    conn = connections.create_connection("default")  # a second wrapper on the same per-process pool
    assert conn.pool is not None
    try:
        conn.set_tenant(muni_a)
        with CaptureQueriesContext(conn) as queries:
            assert _schema(conn) == muni_a.schema_name
            assert _schema(conn) == muni_a.schema_name
        assert _sets(queries) == 1  # cached for the rest of the checkout
        raw = conn.connection
        conn.close()  # back to the pool, still on the municipality's search_path

        conn.set_schema_to_public()
        with CaptureQueriesContext(conn) as queries:
            assert _schema(conn) == "public"  # never the previous tenant's schema
        assert _sets(queries) == 1
        assert conn.connection is raw or conn.pool.get_stats()["pool_size"] >= 1  # reused, not a new server process
    finally:
        conn.close()



FORKING_PARENT = """
import multiprocessing, sys
import django
django.setup()
from django.db import connection
from portal.platform.connections import without_pool

def query(queue):  # a forked child, beside another one
    with connection.cursor() as cursor:
        for _ in range(5):
            cursor.execute("SELECT pg_sleep(0.05), 41 + 1")
            queue.put(cursor.fetchone()[1])

with without_pool():
    assert "pool" not in connection.settings_dict["OPTIONS"]
    with connection.cursor() as cursor:  # the parent queries first, as the executor does
        cursor.execute("SELECT 1")
    connection.close()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    children = [context.Process(target=query, args=(queue,)) for _ in range(2)]
    for child in children:
        child.start()
    for child in children:
        child.join(timeout=30)
    hung = [child for child in children if child.is_alive()]
    for child in hung:
        child.kill()
    answers = [queue.get(timeout=5) for _ in range(10)] if not hung else []
    print("hung" if hung else "exit codes", [c.exitcode for c in children], answers)
    assert not hung and answers == [42] * 10
assert connection.settings_dict["OPTIONS"]["pool"]  # the pool is back for everyone else
with connection.cursor() as cursor:
    cursor.execute("SELECT 1")
assert connection.pool is not None
print("ok")
"""


def test_forked_children_get_their_own_connections_without_the_pool(django_db_setup):
    """`migrate_schemas --executor multiprocessing` forks after the parent has queried: with the pool, a
    child inherited it without its worker threads and hung (seen when new tenant migrations arrived).
    Run in a fresh single-threaded process, as `portal migrate` is: forking this test process, with the
    browser tests' threads, could deadlock for reasons of its own."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from django.db import connection

    env = {**os.environ, "PORTAL_DB_NAME": connection.settings_dict["NAME"], "PORTAL_QUIET": "1",
           "DJANGO_SETTINGS_MODULE": "portal.platform.settings"}
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", FORKING_PARENT], cwd=root, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), done.stdout + done.stderr
