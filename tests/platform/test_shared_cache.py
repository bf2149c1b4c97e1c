"""The default cache is Valkey, shared by every process and node: a limit counts once for the whole portal.

Two real `portal serve` processes on two ports (as two machines behind a load balancer): an anonymous API
client allowed 3 requests a minute gets 3 in all, whichever node answers — with the old per-process cache it
got 3 from each."""

import pytest
from django.core.cache import cache
from django.db import connection

from tests.platform.nodes import request, start_web, stop, wait_ready

pytestmark = pytest.mark.django_db


def test_cache_is_valkey_in_its_own_database():
    from django.conf import settings

    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert settings.CACHES["default"]["LOCATION"].endswith("db=1") and settings.REDIS_URL.endswith("db=0")
    cache.set("probe", 41)
    assert cache.incr("probe") == 42  # what the limits use (add + incr), on the server


def test_a_throttle_counts_across_two_server_processes(django_db_blocker):
    with django_db_blocker.unblock():
        database = connection.settings_dict["NAME"]
    nodes = [start_web(database, PORTAL_API_RATE_ANON="3/min") for _ in range(2)]
    try:
        for process, port in nodes:
            wait_ready(process, port)
        (_, a), (_, b) = nodes
        statuses = [request(port, "/api/v1/municipalities/")[0] for port in (a, b, a, b, b)]
        assert statuses == [200, 200, 200, 429, 429], statuses
    finally:
        for process, _port in nodes:
            stop(process)
