"""The database away: answer 503 at once, and heal by itself when it is back.

Without this, a stopped or crashed PostgreSQL made every request wait for the connection pool's timeout and
answer 500 — ``/healthz`` too — until the portal was restarted: the pool's reconnection attempts back off
exponentially, so even a database back after a minute was reached again only minutes later.

Now the outermost middleware turns a database-unavailable error (``OperationalError``/``InterfaceError``:
connection refused or lost, pool timeout) into a plain-language, translated 503 page with ``Retry-After``
(the API: ``{"code": "service_unavailable"}``), and marks the database *down* for this process. While it is
down, a request does not touch the pool: at most one request per ``DATABASE_PROBE_SECONDS`` opens a plain
connection to ask whether the database is back (refused at once when the server is gone); the others are
answered 503 in microseconds. When the probe succeeds the process's pool is replaced by a fresh one — no
back-off left over from the outage — and requests flow again. ``/healthz`` says which part is down.
"""

from __future__ import annotations

import logging
import sys
import threading
import time

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _

logger = logging.getLogger("portal.availability")

CODE = "service_unavailable"
UNAVAILABLE = (OperationalError, InterfaceError)


def _valkey_errors() -> tuple[type[BaseException], ...]:
    try:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError
    except ImportError:  # pragma: no cover - redis is a dependency
        return ()
    return (RedisConnectionError, RedisTimeoutError)


VALKEY_UNAVAILABLE = _valkey_errors()


class DatabaseState:
    """Per process: is the database known to be away, and when may the next request probe it."""

    def __init__(self):
        self._lock = threading.Lock()
        self.down_since: float | None = None
        self._next_probe = 0.0

    @property
    def down(self) -> bool:
        return self.down_since is not None

    def mark_down(self) -> None:
        with self._lock:
            if self.down_since is None:
                self.down_since = time.monotonic()
                self._next_probe = self.down_since + probe_seconds()
                logger.error("database unavailable: answering 503 until it is back")

    def back(self) -> bool:
        """While down: True once a probe (at most one per interval, one thread at a time) reaches the
        database, after the pool has been replaced. Never blocks the other requests."""
        if self.down_since is None:
            return True
        if time.monotonic() < self._next_probe or not self._lock.acquire(blocking=False):
            return False
        try:
            if self.down_since is None:
                return True
            self._next_probe = time.monotonic() + probe_seconds()
            if not database_reachable():
                return False
            reset_pool()
            logger.warning("database back after %.1f s: serving again", time.monotonic() - self.down_since)
            self.down_since = None
            return True
        finally:
            self._lock.release()


state = DatabaseState()


def probe_seconds() -> float:
    return getattr(settings, "DATABASE_PROBE_SECONDS", 0.5)


def database_reachable(alias: str = DEFAULT_DB_ALIAS, timeout: int = 2) -> bool:
    """A plain connection, outside the pool, runs ``SELECT 1``: refused at once when the server is gone,
    ``timeout`` seconds at most for a host that does not answer."""
    import psycopg

    params = connections[alias].get_connection_params()
    params.pop("pool", None)
    try:
        with psycopg.connect(**params, connect_timeout=timeout, autocommit=True) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.Error:
        return False


def reset_pool(alias: str = DEFAULT_DB_ALIAS) -> None:
    """Replace this process's pool: the next checkout opens a fresh one instead of waiting out the old
    pool's reconnection back-off."""
    connection = connections[alias]
    if getattr(connection, "_connection_pools", {}).get(alias) is not None:
        try:
            connection.close_pool()
        except Exception:  # pragma: no cover - a pool that cannot even close is dropped all the same
            logger.warning("closing the old pool failed", exc_info=True)
            connection._connection_pools.pop(alias, None)


def _language(request) -> str:
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def unavailable_response(request) -> HttpResponse:
    """503 with ``Retry-After``: JSON with a stable code for the API, a plain page (no database, no
    template that could need one) for people."""
    retry = str(getattr(settings, "RETRY_AFTER_SECONDS", 30))
    with translation.override(_language(request)):
        detail = _("The service is temporarily unavailable. Try again in a minute.")
        if request.path.startswith("/api/"):
            response = JsonResponse({"code": CODE, "detail": detail}, status=503)
        else:
            title = escape(_("The service is temporarily unavailable"))
            page = (f'<!DOCTYPE html><html lang="{escape(translation.get_language())}"><head>'
                    f'<meta charset="utf-8"><title>{title}</title></head><body><main id="main-content">'
                    f"<h1>{title}</h1><p>{escape(_('We are working on it. Nothing you saved is lost.'))}</p>"
                    f"<p>{escape(_('Try again in a minute.'))}</p></main></body></html>")
            response = HttpResponse(page, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = retry
    response["Cache-Control"] = "no-store"
    return response


def _flag_unavailable(sender, request=None, **kwargs) -> None:
    """An exception handled into a 500 somewhere inside: remember whether it was the database going away."""
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, UNAVAILABLE):
        request._database_unavailable = True
    elif request is not None and isinstance(error, VALKEY_UNAVAILABLE):
        request._valkey_unavailable = True


got_request_exception.connect(_flag_unavailable, dispatch_uid="portal-database-unavailable")


class DatabaseUnavailableMiddleware:
    """Outermost: 503 at once while the database is away; a database-unavailable error becomes a 503.

    ``/healthz`` is answered by ``health_view`` (given by the project) while the database is away, so it
    can say which part is down."""

    health_path = "/healthz"

    def __init__(self, get_response, health_view=None):
        self.get_response = get_response
        self.health_view = health_view

    def _down(self, request):
        if self.health_view is not None and request.path == self.health_path:
            return self.health_view(request)
        return unavailable_response(request)

    def __call__(self, request):
        if not state.back():
            return self._down(request)
        try:
            response = self.get_response(request)
        except UNAVAILABLE:  # raised by the 500 handler itself, past every inner handler
            state.mark_down()
            return self._down(request)
        except VALKEY_UNAVAILABLE:
            logger.warning("Valkey unavailable: 503 for %s", request.path)
            return unavailable_response(request)
        if getattr(request, "_valkey_unavailable", False):
            logger.warning("Valkey unavailable: 503 for %s", request.path)
            return unavailable_response(request)
        if getattr(request, "_database_unavailable", False):
            if database_reachable():  # a deadlock or a cancelled statement: 503 for this one, not an outage
                return unavailable_response(request)
            state.mark_down()
            return self._down(request)
        return response
