"""`portal worker`: one Celery worker (threads) on this database's queue, with beat embedded.

Threads, not prefork: the tasks are short database work, a thread pool shares the process's
PostgreSQL connection pool and forks nothing after Django has connected. Beat keeps its schedule
state in the data directory. Scale out by running `portal worker --no-beat` on more machines
(exactly one beat in a deployment).
"""

from __future__ import annotations

import os
import sys
import warnings

from celery.exceptions import SecurityWarning
from celery.signals import worker_ready, worker_shutdown

from portal.platform.embedded_db import data_dir

from .app import app, database_queue


def run_worker(*, concurrency: int | None = None, beat: bool = True, include: str = "", queue: str = "") -> int:
    """Run until SIGINT/SIGTERM (a warm shutdown: running tasks finish). ``include``: more task modules;
    ``queue``: consume that queue instead of this database's."""
    concurrency = concurrency or int(os.environ.get("PORTAL_WORKER_CONCURRENCY", "2"))
    queue = queue or database_queue()
    argv = ["--quiet", "worker", "--pool", "threads", "--concurrency", str(concurrency), "--queues", queue,
            "--hostname", f"portal-{os.getpid()}@%h", "--loglevel", os.environ.get("PORTAL_LOG_LEVEL", "WARNING"),
            "--without-mingle", "--without-gossip"]
    # As root (containers, this sandbox's demo) Celery warns on every start; the embedded PostgreSQL
    # already runs under its own user, and a production worker runs unprivileged anyway.
    warnings.filterwarnings("ignore", category=SecurityWarning)
    if include:
        argv += ["--include", include]
    if beat:
        schedule = data_dir() / f"celerybeat-{queue}"  # per database: the demo and the e2e server run beside
        schedule.parent.mkdir(parents=True, exist_ok=True)
        argv += ["--beat", "--schedule", str(schedule)]

    @worker_ready.connect(weak=False)
    def _ready(**_):
        print(f"• Background worker ready (queue {queue}, {concurrency} threads{', beat schedule' if beat else ''})",
              flush=True)

    @worker_shutdown.connect(weak=False)
    def _stopped(**_):
        print("• Background worker stopped", flush=True)

    try:
        app.worker_main(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    sys.stdout.flush()
    return 0
