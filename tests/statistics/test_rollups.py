"""Rollups agree with the ledger to the cent; refresh after a commit; the scheduled rebuild."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db import connection
from django.db.models import Sum

from portal.budgets.ledger.models import BudgetCategory, LedgerEntry
from portal.marketplace.invoicing.models import Invoice
from portal.platform.background.app import beat_schedule
from portal.platform.outbox.models import OutboxEvent
from portal.platform.outbox.services import handlers_for, outbox_process
from portal.statistics import tasks
from portal.statistics.models import Level, StatCell
from portal.statistics.rollup import funding_shares
from portal.statistics.services import statistics_refresh
from tests.factories import active, build_world

MONEY = ("granted", "reserved", "spent", "returned")


def _ledger(municipality) -> dict:
    """{target group: {measure: Decimal}} straight from the municipality's categories, and the funding split
    of every payment by its budget's snapshot."""
    connection.set_tenant(municipality)
    sums = defaultdict(lambda: defaultdict(Decimal))
    for row in BudgetCategory.objects.values("budget__target_group").annotate(
            **{m: Sum(m) for m in MONEY}):
        for m in MONEY:
            sums[row["budget__target_group"]][m] += row[m]
    for entry in LedgerEntry.objects.filter(kind=LedgerEntry.Kind.POST).select_related("budget"):
        for code, share in funding_shares(entry.amount, entry.budget.funding).items():
            sums[entry.budget.target_group][f"spent_{code}"] += share
    connection.set_schema_to_public()
    return sums


def test_rollups_agree_with_the_ledger_to_the_cent(cube, muni_a, muni_b):
    national = defaultdict(Decimal)
    for municipality in (muni_a, muni_b):
        ledger = _ledger(municipality)
        assert ledger, "the demo municipality has budgets"
        for group, sums in ledger.items():
            cell = StatCell.objects.get(level=Level.MUNICIPALITY, geo=municipality.code, target_group=group,
                                        service_type="", period="")
            for measure, amount in sums.items():
                assert getattr(cell, measure) == amount, (municipality.code, group, measure)
                national[measure] += amount
            # the months add up to all time
            months = StatCell.objects.filter(level=Level.MUNICIPALITY, geo=municipality.code, target_group=group,
                                             service_type="", period__regex=r"^\d{4}-\d{2}$")
            assert sum(c.spent for c in months) == cell.spent
    lv = StatCell.objects.get(level=Level.NATIONAL, target_group="", service_type="", period="")
    for measure, amount in national.items():
        assert getattr(lv, measure) == amount, measure
    assert lv.spent_esf + lv.spent_state + lv.spent_municipal == lv.spent
    assert lv.spent > 0


def test_refresh_after_a_commit_through_the_outbox(cube, muni_a):
    world = build_world(muni_a)
    before = StatCell.objects.get(level=Level.MUNICIPALITY, geo="jelgava", target_group="adults",
                                  service_type="", period="").reserved
    connection.set_tenant(muni_a)
    agreement = active(world)
    event = OutboxEvent.objects.filter(kind="agreement.status_changed").order_by("-pk").first()
    assert tasks._refresh_after_commit in handlers_for("agreement.status_changed")
    assert outbox_process(event_id=event.pk) is True  # the handler asks for a refresh on commit
    statistics_refresh(municipality=muni_a)  # what that task runs
    after = StatCell.objects.get(level=Level.MUNICIPALITY, geo="jelgava", target_group="adults",
                                 service_type="", period="").reserved
    assert after - before == agreement.total_amount


def test_the_scheduled_rebuild_is_in_beat():
    entry = beat_schedule()["statistics-rebuild"]
    assert entry["task"] == tasks.REBUILD_TASK and entry["schedule"] > 0


def test_invoice_days_are_counted(cube):
    lv = StatCell.objects.get(level=Level.NATIONAL, target_group="", service_type="", period="")
    connection.set_schema_to_public()
    assert isinstance(lv.days_to_approve, list)
    assert Invoice is not None
