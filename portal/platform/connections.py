"""Database connections around ``fork``: a forked child must never share its parent's sockets or pool."""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connections


def close_before_fork() -> None:
    """Close every connection of this process, and its connection pool, before forking: with a pool,
    ``connection.close()`` only returns the socket to the pool, and a child using the inherited pool
    would talk on the parent's socket."""
    for connection in connections.all():
        connection.close()
        if getattr(connection, "_connection_pools", {}).get(connection.alias) is not None:
            connection.close_pool()


@contextmanager
def without_pool():
    """Plain connections (no pool) in this block, for work that forks children part-way, like
    ``migrate_schemas --executor multiprocessing``: a pool opened after the fork point is inherited
    without its worker threads, and a child waiting on it hangs for ever."""
    close_before_fork()
    saved = {}
    for connection in connections.all():
        options = connection.settings_dict.setdefault("OPTIONS", {})
        if "pool" in options:
            saved[connection.alias] = options.pop("pool")
    try:
        yield
    finally:
        close_before_fork()
        for alias, pool in saved.items():
            connections[alias].settings_dict["OPTIONS"]["pool"] = pool
