"""Loaded into the benchmark's `portal worker` with `--include tests.bench.background_tasks`:
an outbox kind with a handler that does nothing (the lag is the machinery's), and a bare Celery
task for the floor (a round trip through Valkey and the worker with no database work)."""

import time

from portal.platform.background.app import app
from portal.platform.outbox.services import outbox_handler

KIND = "bench.lag"


@outbox_handler(KIND)
def nothing(event):
    """The outbox marks the event processed (processed_at) in the same transaction."""


@app.task(name="bench.ping")
def ping(sent: float) -> float:
    """Returns when the worker ran it (wall clock), for the floor's one-way lag."""
    return time.time() - sent
