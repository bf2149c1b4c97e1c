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



def _query_in_child(queue):  # runs in a forked child, beside another one
    from django.db import connection

    with connection.cursor() as cursor:
        for _ in range(5):
            cursor.execute("SELECT pg_sleep(0.05), 41 + 1")
            queue.put(cursor.fetchone()[1])


def test_forked_children_get_their_own_connections_without_the_pool(django_db_setup, django_db_blocker):
    """`migrate_schemas --executor multiprocessing` forks after the parent has queried: with the pool, a
    child inherited it without its worker threads and hung (seen when new tenant migrations arrived)."""
    import multiprocessing

    from django.db import connection

    from portal.platform.connections import without_pool

    with django_db_blocker.unblock():
        with without_pool():
            assert "pool" not in connection.settings_dict["OPTIONS"]
            with connection.cursor() as cursor:  # the parent queries first, as the executor does
                cursor.execute("SELECT 1")
            connection.close()
            context = multiprocessing.get_context("fork")
            queue = context.Queue()
            children = [context.Process(target=_query_in_child, args=(queue,)) for _ in range(2)]
            for child in children:
                child.start()
            for child in children:
                child.join(timeout=60)
            hung = [child for child in children if child.is_alive()]
            for child in hung:
                child.kill()
            assert not hung and [child.exitcode for child in children] == [0, 0]
            assert [queue.get(timeout=5) for _ in range(10)] == [42] * 10
        assert connection.settings_dict["OPTIONS"]["pool"]  # the pool is back for everyone else
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        assert connection.pool is not None
