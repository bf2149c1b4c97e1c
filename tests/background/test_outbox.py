"""The transactional outbox against a real Valkey and a real worker process."""

from __future__ import annotations

import os
import subprocess
import sys

from django.db import connection, transaction

from portal.platform.background.app import app
from portal.platform.core.models import AuditEvent
from portal.platform.outbox.models import OutboxEvent
from portal.platform.outbox.services import PROCESS_TASK, outbox_emit, outbox_process
from tests.conftest import MUNICIPALITY_A

from .conftest import wait_until
from .handlers import KIND


def _effects(event_id) -> int:
    return AuditEvent.objects.filter(object_type="test.outbox", object_id=str(event_id)).count()


def _processed(event_id) -> bool:
    return OutboxEvent.objects.filter(pk=event_id, processed_at__isnull=False).exists()


def _forget(*event_ids) -> None:
    AuditEvent.objects.filter(object_type="test.outbox", object_id__in=[str(pk) for pk in event_ids]).delete()
    OutboxEvent.objects.filter(pk__in=event_ids).delete()


def test_an_event_of_a_committed_transaction_is_handled_once_even_when_delivered_three_times(worker, committed_in):
    with committed_in(MUNICIPALITY_A):
        with transaction.atomic():
            event = outbox_emit(kind=KIND, payload={"note": "committed"})
        # the on-commit send plus two duplicates at once (a redelivery, the sweep racing the first send)
        duplicates = [app.send_task(PROCESS_TASK, kwargs={"schema_name": connection.schema_name,
                                                          "event_id": event.pk}) for _ in range(2)]
        wait_until(lambda: _processed(event.pk))
        results = [result.get(timeout=20) for result in duplicates]
        try:
            assert _effects(event.pk) == 1
            assert results.count(True) <= 1  # at most one of the duplicates did the work; the rest found it done
            event.refresh_from_db()
            assert event.dispatched_at is not None and event.attempts == 1
        finally:
            _forget(event.pk)


def test_a_rolled_back_transaction_emits_nothing(worker, committed_in):
    with committed_in(MUNICIPALITY_A):
        before = OutboxEvent.objects.count()
        try:
            with transaction.atomic():
                outbox_emit(kind=KIND, payload={"note": "rolled back"})
                raise RuntimeError("the change fails")
        except RuntimeError:
            pass
        assert OutboxEvent.objects.count() == before
        with transaction.atomic():  # a later event is handled; the rolled-back one never was
            later = outbox_emit(kind=KIND, payload={"note": "later"})
        wait_until(lambda: _processed(later.pk))
        try:
            assert not AuditEvent.objects.filter(object_type="test.outbox", summary="rolled back").exists()
        finally:
            _forget(later.pk)


EMIT_WITH_BROKER_DOWN = """
import django
django.setup()
from django.db import connection, transaction
from portal.tenants.models import Municipality
from portal.platform.outbox.services import outbox_emit
connection.set_tenant(Municipality.objects.get(code="jelgava"))
with transaction.atomic():
    event = outbox_emit(kind="test.counted", payload={"note": "broker down"})
print("committed", event.pk)
"""


def test_with_the_broker_down_the_transaction_succeeds_and_the_sweep_sends_the_event_later(worker, committed_in):
    env = {**os.environ, "PORTAL_DB_NAME": connection.settings_dict["NAME"], "PORTAL_QUIET": "1",
           "REDIS_URL": "unix:///nonexistent/valkey.sock?db=0"}
    run = subprocess.run([sys.executable, "-c", EMIT_WITH_BROKER_DOWN], env=env, capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0, run.stderr
    assert "the sweep will send it" in run.stderr  # logged, not raised
    event_id = int(run.stdout.split()[-1])
    with committed_in(MUNICIPALITY_A):
        event = OutboxEvent.objects.get(pk=event_id)
        assert event.dispatched_at is None and event.processed_at is None
        try:
            sent = app.send_task("portal.outbox.sweep", kwargs={"schema_name": MUNICIPALITY_A}).get(timeout=20)
            assert sent >= 1
            wait_until(lambda: _processed(event_id))
            assert _effects(event_id) == 1
        finally:
            _forget(event_id)


def test_a_handler_run_twice_has_its_effect_once(committed_in):
    with committed_in(MUNICIPALITY_A):
        event = OutboxEvent.objects.create(kind=KIND, payload={"note": "twice"})  # no message: run by hand
        try:
            assert outbox_process(event_id=event.pk) is True
            assert outbox_process(event_id=event.pk) is False
            assert _effects(event.pk) == 1
        finally:
            _forget(event.pk)


def test_a_failing_handler_rolls_its_effect_back_and_leaves_the_event_for_a_retry(committed_in, monkeypatch):
    from portal.platform.outbox import services

    def broken(event):
        AuditEvent.objects.create(action="create", object_type="test.outbox", object_id=str(event.pk))
        raise RuntimeError("handler failed")

    monkeypatch.setitem(services._handlers, "test.broken", [broken])
    with committed_in(MUNICIPALITY_A):
        event = OutboxEvent.objects.create(kind="test.broken", payload={})
        try:
            try:
                outbox_process(event_id=event.pk)
            except RuntimeError:
                pass
            event.refresh_from_db()
            assert event.processed_at is None and event.attempts == 1 and "handler failed" in event.last_error
            assert _effects(event.pk) == 0
        finally:
            _forget(event.pk)


def test_an_emit_outside_a_municipality_is_refused(db):
    import pytest

    connection.set_schema_to_public()
    with pytest.raises(ValueError):
        outbox_emit(kind=KIND, payload={})



def test_a_worker_killed_mid_way_leaves_no_effect_and_the_event_is_handled_once_later(worker, committed_in,
                                                                                       tmp_path):
    """The handler's writes die with the killed worker's transaction; the sweep sends the event again."""
    import signal

    from .conftest import start_worker
    from .handlers import SLOW_KIND

    hang = tmp_path / "hanging"
    doomed = start_worker(queue="portal.doomed", extra_env={"PORTAL_TEST_HANG_FILE": str(hang)})
    try:
        with committed_in(MUNICIPALITY_A):
            event = OutboxEvent.objects.create(kind=SLOW_KIND, payload={"note": "killed"})
            app.send_task(PROCESS_TASK, kwargs={"schema_name": MUNICIPALITY_A, "event_id": event.pk},
                          queue="portal.doomed")
            wait_until(hang.exists)  # the handler wrote its effect and hangs before the commit
            doomed.send_signal(signal.SIGKILL)
            doomed.wait(timeout=10)
            try:
                assert not _processed(event.pk) and _effects(event.pk) == 0  # rolled back with the connection
                app.send_task("portal.outbox.sweep", kwargs={"schema_name": MUNICIPALITY_A}).get(timeout=20)
                wait_until(lambda: _processed(event.pk))
                assert _effects(event.pk) == 1
            finally:
                _forget(event.pk)
    finally:
        if doomed.poll() is None:
            doomed.kill()
