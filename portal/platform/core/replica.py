"""Lag-tolerant reads on a streaming replica (``DATABASE_REPLICA_URL``, database alias ``replica``).

Only work that says so reads from the replica: ``with lag_tolerant():`` (or ``@lag_tolerant()`` on a view) in
the ministry statistics, the public catalogue and HSDS reads, search index loads and exports — reads that are
fine a few hundred milliseconds old. Everything else, and every write, stays on the primary (``default``).

Inside such a block the router still keeps a read on the primary when

- the request (or task) has already written through the ORM: a person never reads behind their own write;
- the primary's connection is inside a transaction (its uncommitted rows are only there);
- no replica is configured, or it is away: one plain ``SELECT 1`` per request checks it, and a replica that
  does not answer is left alone for ``REPLICA_PROBE_SECONDS`` (then probed outside the pool, as the primary is
  in ``availability``) — the request is served from the primary, never refused.

django-tenants sets the search path on the ``default`` connection only (``connection.set_tenant``): its
``EXTRA_SET_TENANT_METHOD_PATH`` hook, :func:`follow_tenant`, gives the replica connection of the same thread
the same municipality, so a read routed there finds the same schema.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
import threading
import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections

logger = logging.getLogger("portal.replica")

REPLICA = "replica"

_tolerant: contextvars.ContextVar[bool] = contextvars.ContextVar("portal_replica_tolerant", default=False)
# Per request (set by ReplicaRequestMiddleware): {"wrote": bool, "usable": bool}. A mutable dict, so what the
# router records in one thread of the request is seen in the others (asgiref copies the context, not the dict).
_request: contextvars.ContextVar[dict | None] = contextvars.ContextVar("portal_replica_request", default=None)


def configured() -> bool:
    return REPLICA in connections.settings


class _Health:
    """Per process: is the replica known to be away, and when may it be probed again."""

    def __init__(self):
        self._lock = threading.Lock()
        self.down_since: float | None = None
        self.next_probe = 0.0

    def mark_down(self) -> None:
        with self._lock:
            if self.down_since is None:
                self.down_since = time.monotonic()
                logger.warning("replica unavailable: lag-tolerant reads go to the primary")
            self.next_probe = time.monotonic() + getattr(settings, "REPLICA_PROBE_SECONDS", 5.0)

    def may_try(self) -> bool:
        """Up, or down and due for a probe (one thread probes; the others keep using the primary)."""
        if self.down_since is None:
            return True
        if time.monotonic() < self.next_probe or not self._lock.acquire(blocking=False):
            return False
        try:
            from portal.platform.core.availability import database_reachable, reset_pool

            self.next_probe = time.monotonic() + getattr(settings, "REPLICA_PROBE_SECONDS", 5.0)
            if not database_reachable(REPLICA, timeout=1):
                return False
            reset_pool(REPLICA)
            logger.warning("replica back after %.1f s", time.monotonic() - self.down_since)
            self.down_since = None
            return True
        finally:
            self._lock.release()


health = _Health()


def _replica_answers() -> bool:
    replica = connections[REPLICA]
    try:
        replica.ensure_connection()
        if replica.is_usable():
            return True
    except Exception:  # noqa: BLE001 - refused, pool timeout, broken socket: all mean "not now"
        pass
    with contextlib.suppress(Exception):
        replica.close()
    from portal.platform.core.availability import reset_pool

    with contextlib.suppress(Exception):
        reset_pool(REPLICA)
    health.mark_down()
    return False


def replica_usable() -> bool:
    """The replica is configured and answers (checked once per request, or per call outside requests)."""
    if not configured() or not health.may_try():
        return False
    state = _request.get()
    if state is not None and "usable" in state:
        return state["usable"]
    usable = _replica_answers()
    if state is not None:
        state["usable"] = usable
    return usable


def read_alias() -> str:
    """Where a read asked for now goes: the replica inside ``lag_tolerant()`` when that is safe, else default."""
    if not _tolerant.get() or not configured():
        return DEFAULT_DB_ALIAS
    state = _request.get()
    if state is not None and state.get("wrote"):
        return DEFAULT_DB_ALIAS
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return REPLICA if replica_usable() else DEFAULT_DB_ALIAS


class lag_tolerant(contextlib.ContextDecorator):
    """Reads in this block (or decorated function) may come from the replica."""

    def __enter__(self):
        self._token = _tolerant.set(True)
        return self

    def __exit__(self, *exc):
        _tolerant.reset(self._token)
        return False

    def _recreate_cm(self):
        # As a decorator one instance serves every call: concurrent requests (one thread each) would overwrite
        # each other's ``_token`` and reset another context's ("created in a different Context", a 500).
        # A fresh instance per call keeps each token with its own request.
        return type(self)()


def _replica_broke() -> bool:
    """After a database error: was it the replica's connection that broke (it stopped mid-query)? Then it is
    marked down, for this request and the process, so reads go to the primary."""
    replica = connections[REPLICA]
    try:
        broke = replica.connection is not None and not replica.is_usable()
    except Exception:  # noqa: BLE001 - whatever the broken socket raises, the answer is "broke"
        broke = True
    if broke:
        from portal.platform.core.availability import reset_pool

        with contextlib.suppress(Exception):
            replica.close()
        with contextlib.suppress(Exception):
            reset_pool(REPLICA)
        health.mark_down()
        state = _request.get()
        if state is not None:
            state["usable"] = False
    return broke


def _primary_if_replica_breaks(func):
    """A read-only view whose replica stops mid-query answers once more, from the primary (it only read)."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (OperationalError, InterfaceError):
            if not configured() or not _replica_broke():
                raise
            logger.warning("replica lost mid-request: answering from the primary")
            return func(*args, **kwargs)
    return wrapper


def lag_tolerant_view(view):
    """``lag_tolerant`` around a view function or a DRF/Django class-based view's ``dispatch``; if the replica
    stops during the request, the view answers from the primary instead of failing."""
    if isinstance(view, type):
        view.dispatch = _primary_if_replica_breaks(lag_tolerant()(view.dispatch))
        return view
    return functools.wraps(view)(_primary_if_replica_breaks(lag_tolerant()(view)))


class ReplicaRouter:
    """Reads inside ``lag_tolerant()`` → the replica (see the module's rules); every write → default, and it
    marks the request as having written. Never migrates the replica."""

    def db_for_read(self, model, **hints):
        return read_alias()

    def db_for_write(self, model, **hints):
        state = _request.get()
        if state is not None:
            state["wrote"] = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db == REPLICA else None


class ReplicaRequestMiddleware:
    """Each request starts with nothing written and the replica not yet checked."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set({"wrote": request.method not in ("GET", "HEAD", "OPTIONS")})
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


@contextlib.contextmanager
def request_scope(*, wrote: bool = False):
    """What the middleware does, for work outside a request (a task, a test)."""
    token = _request.set({"wrote": wrote})
    try:
        yield _request.get()
    finally:
        _request.reset(token)


def follow_tenant(wrapper, tenant) -> None:
    """django-tenants' ``EXTRA_SET_TENANT_METHOD``: the default connection's municipality, on the replica too."""
    if wrapper.alias != DEFAULT_DB_ALIAS or not configured():
        return
    replica = connections[REPLICA]
    if getattr(replica, "tenant", None) is not tenant or replica.schema_name != tenant.schema_name:
        replica.set_tenant(tenant, wrapper.include_public_schema)
