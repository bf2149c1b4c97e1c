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

