"""The scheduled jobs run per municipality schema, through the real worker, and never touch another one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from portal.marketplace.agreements.models import Agreement, AgreementEvent, AgreementStatus
from portal.platform.background.app import app, beat_schedule
from portal.platform.core.models import AuditEvent
from portal.platform.outbox.models import OutboxEvent
from tests.conftest import MUNICIPALITY_A, MUNICIPALITY_B

S = AgreementStatus


def _make_overdue(code, committed_in) -> dict:
    """One unreserved agreement of ``code`` becomes a request the provider did not answer in time.

    Returns what to restore: the agreements' old status and deadline, and the newest log rows."""
    with committed_in(code):
        agreement = Agreement.objects.filter(reservation__isnull=True).order_by("pk").first()
        assert agreement is not None, f"the demo data of {code} has an unreserved agreement"
        waiting = list(Agreement.objects.filter(status=S.AWAITING_PROVIDER).values_list("pk", "status", "respond_by"))
        saved = {"agreement": agreement.pk, "rows": [(agreement.pk, agreement.status, agreement.respond_by), *waiting],
                 "events": _newest(AgreementEvent), "audit": _newest(AuditEvent), "outbox": _newest(OutboxEvent)}
        # only ours is overdue: the others wait with a deadline in the future
        Agreement.objects.filter(status=S.AWAITING_PROVIDER).update(respond_by=timezone.now() + dt.timedelta(days=3))
        Agreement.objects.filter(pk=agreement.pk).update(status=S.AWAITING_PROVIDER,
                                                         respond_by=timezone.now() - dt.timedelta(days=1))
    return saved


def _newest(model) -> int:
    return model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _restore(code, saved, committed_in) -> None:
    with committed_in(code):
        for pk, status, respond_by in saved["rows"]:
            Agreement.objects.filter(pk=pk).update(status=status, respond_by=respond_by)
        AgreementEvent.objects.filter(pk__gt=saved["events"]).delete()
        AuditEvent.objects.filter(pk__gt=saved["audit"]).delete()
        OutboxEvent.objects.filter(pk__gt=saved["outbox"]).delete()


def _status(code, pk, committed_in) -> str:
    with committed_in(code):
        return Agreement.objects.get(pk=pk).status


def test_expiry_runs_in_the_schema_it_is_sent_for_and_the_fan_out_reaches_every_municipality(worker, committed_in):
    a, b = _make_overdue(MUNICIPALITY_A, committed_in), _make_overdue(MUNICIPALITY_B, committed_in)
    try:
        expired = app.send_task("portal.agreements.expire", kwargs={"schema_name": MUNICIPALITY_A}).get(timeout=20)
        assert expired == 1
        assert _status(MUNICIPALITY_A, a["agreement"], committed_in) == S.EXPIRED
        assert _status(MUNICIPALITY_B, b["agreement"], committed_in) == S.AWAITING_PROVIDER  # not touched
        with committed_in(MUNICIPALITY_A):  # the expiry wrote its event into Jelgava's outbox, not Liepāja's
            assert OutboxEvent.objects.filter(pk__gt=a["outbox"], kind="agreement.status_changed",
                                              payload__agreement_id=a["agreement"]).count() == 1
        with committed_in(MUNICIPALITY_B):
            assert not OutboxEvent.objects.filter(pk__gt=b["outbox"]).exists()

        # what beat sends: one task per municipality
        sent = app.send_task("portal.background.each_municipality", args=["portal.agreements.expire"]).get(timeout=20)
        assert sent >= 2

        def both_expired():
            return _status(MUNICIPALITY_B, b["agreement"], committed_in) == S.EXPIRED

        from .conftest import wait_until

        wait_until(both_expired)
        assert _status(MUNICIPALITY_A, a["agreement"], committed_in) == S.EXPIRED
    finally:
        _restore(MUNICIPALITY_A, a, committed_in)
        _restore(MUNICIPALITY_B, b, committed_in)
        connection.set_schema_to_public()


def test_a_tenant_task_refuses_to_run_without_a_municipality(worker):
    with pytest.raises(ValueError):
        app.send_task("portal.agreements.expire", kwargs={"schema_name": "public"}).get(timeout=20)


# The mark makes pytest-django set up the test database when this module runs alone: it creates databases only
# for sessions holding a django_db test, and the worker tests cannot be marked (their data must be committed).
@pytest.mark.django_db
def test_beat_schedules_the_sweep_every_minute_and_expiry_and_period_end_per_municipality(settings):
    schedule = beat_schedule()
    national = {key: entry for key, entry in schedule.items() if entry["task"] != "portal.background.each_municipality"}
    # Two jobs are national, not per municipality: the statistics rebuild reads every schema into the public one;
    # the national site's audit rows expire in the public schema.
    assert {entry["task"]: entry["schedule"] for entry in national.values()} == {
        "portal.statistics.rebuild": float(settings.STATISTICS_REBUILD_EVERY_SECONDS),
        "portal.people.national_audit_expiry": 86400.0}
    per_municipality = {key: entry for key, entry in schedule.items() if key not in national}
    assert {entry["args"][0]: entry["schedule"] for entry in per_municipality.values()} == {
        "portal.outbox.sweep": 60.0,
        "portal.agreements.expire": float(settings.AGREEMENTS_EXPIRE_EVERY_SECONDS),
        "portal.budgets.close_due": float(settings.PERIOD_JOBS_EVERY_SECONDS),
        "portal.agreements.period_end": float(settings.PERIOD_JOBS_EVERY_SECONDS),
        "portal.people.retention": 86400.0,
        "portal.notifications.reminders": 86400.0,
        "portal.payments.reconcile": 86400.0,
    }
    assert set(app.conf.beat_schedule) == set(schedule)
    app.loader.import_default_modules()  # what the worker does at start: every app's tasks module
    for name in ("portal.outbox.sweep", "portal.agreements.expire", "portal.budgets.close_due",
                 "portal.agreements.period_end", "portal.people.retention", "portal.notifications.reminders",
                 "portal.payments.reconcile", "portal.statistics.rebuild", "portal.people.national_audit_expiry"):
        assert name in app.tasks  # registered (the worker imports the same tasks modules)


def test_beats_schedule_closes_a_budget_whose_period_ended_without_anyone_asking(worker, committed_in):
    """A second worker with beat embedded and the period jobs every second: the budget whose plan ended
    yesterday is closed and its plan put to review by the schedule alone (no request, no direct call)."""
    import signal

    from portal.budgets.ledger.models import Budget
    from portal.budgets.people.models import SupportPlan
    from tests.factories import make_budget_with_categories, make_person

    from .conftest import start_worker, wait_until

    today = timezone.localdate()
    with committed_in(MUNICIPALITY_A):
        person = make_person(first_name="Beat")
        budget, _categories = make_budget_with_categories(
            person, [("respite-care", "100.00")], start=today - dt.timedelta(days=180),
            end=today - dt.timedelta(days=1))
    beat = start_worker(queue=None, beat=True, extra_env={"PORTAL_PERIOD_JOBS_EVERY": "1",
                                                          "PORTAL_AGREEMENTS_EXPIRE_EVERY": "3600"})
    try:
        def closed():
            with committed_in(MUNICIPALITY_A):
                return Budget.objects.get(pk=budget.pk).status == "closed"

        wait_until(closed, timeout=30)
        with committed_in(MUNICIPALITY_A):
            assert SupportPlan.objects.get(pk=budget.plan_id).status == "review_due"
            assert Budget.objects.get(pk=budget.pk).categories.get().returned == 100
    finally:
        beat.send_signal(signal.SIGTERM)
        beat.wait(timeout=30)
        connection.set_schema_to_public()
