"""A real Celery worker process for the background tests (no eager mode), on the embedded Valkey.

The worker is `portal worker` connected to the test database (its queue is that database's, so a
demo running beside the tests never takes their tasks). Data the worker must see is committed
(``committed_in``), as in tests/agreements/test_race.py, and removed again by the test.
"""

from __future__ import annotations

import contextlib
import os
import queue as queue_module
import signal
import subprocess
import sys
import threading
import time

import pytest
from django.db import connection

from portal.tenants.models import Municipality

import tests.background.handlers  # noqa: F401  (registers the counting handler in this process too)


@pytest.fixture(scope="session")
def worker(django_db_setup, django_db_blocker):
    from portal.platform.background.app import app, database_queue

    with django_db_blocker.unblock():
        queue_name = database_queue()
    with app.connection_for_write() as broker:  # messages an earlier run left for a database that is gone
        broker.default_channel.queue_purge(queue_name)
    process = start_worker(queue=None)
    yield process
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)


def start_worker(*, queue: str | None, extra_env: dict | None = None, beat: bool = False,
                 include: tuple[str, ...] = ()) -> subprocess.Popen:
    """A worker process on the test database (its own queue: ``queue``; with ``beat``, the schedule embedded);
    returns once it is ready."""
    env = {**os.environ, "PORTAL_DB_NAME": connection.settings_dict["NAME"], "PORTAL_QUIET": "1",
           "PORTAL_OUTBOX_REDISPATCH_SECONDS": "0", **(extra_env or {})}
    command = ["-m", "portal.platform.cli", "worker", *([] if beat else ["--no-beat"]), "--concurrency", "4",
               "--include", ",".join(["tests.background.handlers", *include]), *(["--queue", queue] if queue else [])]
    process = subprocess.Popen([sys.executable, *command], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    lines: queue_module.Queue[str] = queue_module.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    output, deadline = [], time.monotonic() + 60
    while not any("Background worker ready" in line for line in output):
        assert time.monotonic() < deadline and process.poll() is None, "".join(output)
        with contextlib.suppress(queue_module.Empty):
            output.append(lines.get(timeout=0.5))
    return process


@pytest.fixture
def committed_in(django_db_blocker):
    """committed_in(code): work in that municipality outside any test transaction (the worker sees it)."""

    @contextlib.contextmanager
    def enter(code: str):
        with django_db_blocker.unblock():
            connection.set_tenant(Municipality.objects.get(code=code))
            try:
                yield
            finally:
                connection.set_schema_to_public()

    return enter


def wait_until(predicate, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out waiting for the worker")
