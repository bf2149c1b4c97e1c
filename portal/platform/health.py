"""/healthz: ready to serve — the process answers, the database and Valkey are reachable — or 503 naming
the part that is down. /healthz/live: the process answers (no database: a liveness probe must not restart
every web pod when the database is away)."""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.urls import path

from portal.platform.core.availability import UNAVAILABLE, database_reachable, state

OK, DOWN = "ok", "down"


def valkey_reachable(timeout: float = 0.5) -> bool:
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=timeout, socket_connect_timeout=timeout)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except (redis.RedisError, OSError):
        return False


def parts() -> dict[str, str]:
    """Each part the portal needs, ok or down. The database is asked outside the pool while it is known down."""
    if state.down:
        database = OK if database_reachable() else DOWN
    else:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            database = OK
        except UNAVAILABLE:
            database = DOWN
    return {"database": database, "valkey": OK if valkey_reachable() else DOWN}


def healthz(request):
    report = parts()
    healthy = all(value == OK for value in report.values())
    body = {"status": "ok" if healthy else "unavailable", **report}
    if report["database"] == OK and not state.down:
        body["schema"] = connection.schema_name
    response = JsonResponse(body, status=200 if healthy else 503)
    if not healthy:
        response["Retry-After"] = str(getattr(settings, "RETRY_AFTER_SECONDS", 30))
    response["Cache-Control"] = "no-store"
    return response


def live(request):
    return JsonResponse({"status": "ok"})


class AvailabilityMiddleware:
    """The core's DatabaseUnavailableMiddleware with this /healthz, and /healthz/live answered before any
    host look-up (which needs the database)."""

    def __init__(self, get_response):
        from portal.platform.core.availability import DatabaseUnavailableMiddleware

        self.inner = DatabaseUnavailableMiddleware(get_response, health_view=healthz)

    def __call__(self, request):
        if request.path == "/healthz/live":
            return live(request)
        return self.inner(request)


urlpatterns = [path("", healthz, name="healthz")]
