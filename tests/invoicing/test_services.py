"""Sessions and invoices through their services: each step, who may take it, and that a refusal writes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from portal.budgets.ledger.models import BudgetCategory, LedgerEntry
from portal.marketplace.agreements.services import agreement_cancel
from portal.marketplace.invoicing.csvimport import parse_sessions_csv
from portal.marketplace.invoicing.errors import (
    CsvInvalid,
    InvoiceInvalid,
    InvoiceNotClean,
    InvoiceWrongStatus,
    NotFinanceOfficer,
    NotYourSession,
    NothingToInvoice,
    SessionAlreadyDecided,
    SessionInvalid,
)
from portal.marketplace.invoicing.invoices import (
    invoice_approve,
    invoice_create,
    invoice_line_remove,
    invoice_mark_paid,
    invoice_reject,
    invoice_submit,
)
from portal.marketplace.invoicing.models import Invoice, InvoiceLine, Session
from portal.marketplace.invoicing.selectors import invoice_check, uninvoiced_amount
from portal.marketplace.invoicing.sessions import (
    month_rows,
    session_confirm,
    session_correct,
    session_dispute,
    session_record,
    session_withdraw,
    sessions_bulk_record,
)
from portal.marketplace.registry.models import InvoiceNumberCounter, IssuedInvoiceNumber, ProviderWorkItem
from portal.tenants.roles import Role
from tests.conftest import demo_user
from tests.factories import approve, build_world, sent

from .conftest import active_agreement, record, today

pytestmark = pytest.mark.django_db


def counts():
    return (Session.objects.count(), Invoice.objects.count(), InvoiceLine.objects.count(),
            LedgerEntry.objects.count(), IssuedInvoiceNumber.objects.count())


def finance(world):
    return demo_user(Role.FINANCE_OFFICER, world.municipality.code)


def this_month():
    t = today()
    return t.year, t.month


def confirmed_month(agreement, world, n=2):
    """n confirmed sessions this month (on days before today in this month when possible)."""
    sessions = []
    for i in range(n):
        day = today() - dt.timedelta(days=i)
        if day.month != today().month:
            day = today()
        s = session_record(agreement=agreement, actor=world.staff, date=day, units="1",
                           staff_name="Anna", start_time=dt.time(8 + 2 * i, 0))
        sessions.append(session_confirm(session=s, actor=world.person_user))
    return sessions


# ----------------------------------------------------------------------------- sessions
def test_provider_records_a_session_and_the_index_follows_on_commit(world, agreement,
                                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        session = record(agreement, world.staff, note="Pastaiga", goal_progress="some")
    assert session.status == Session.Status.RECORDED and session.unit_price == agreement.unit_price
    item = ProviderWorkItem.objects.get(municipality=world.municipality, kind="session", object_id=session.pk)
    assert item.provider_id == world.provider.pk and item.status == "recorded" and item.amount == Decimal("20.00")


def test_a_future_session_or_bad_input_is_refused_and_nothing_written(world, agreement):
    before = counts()
    with pytest.raises(SessionInvalid) as exc:
        record(agreement, world.staff, days_ago=-1)
    assert exc.value.field == "date"
    for bad in ({"units": "0"}, {"units": "30"}, {"staff_name": " "}, {"goal_progress": "wow"}):
        with pytest.raises(SessionInvalid):
            record(agreement, world.staff, **bad)
    assert counts() == before


def test_sessions_only_on_an_active_agreement(world):
    pending = sent(world, period_start=today() - dt.timedelta(days=10), period_end=today() + dt.timedelta(days=30))
    with pytest.raises(SessionInvalid):
        record(pending, world.staff)
    assert Session.objects.filter(agreement=pending).count() == 0


def test_duplicates_and_overlaps_are_flagged(world, agreement):
    # An exact twin (same date and start) is refused at entry (test_entry_rules.py); a session of the same day
    # without a start time may be the same one, so both are flagged.
    first = record(agreement, world.staff, start=dt.time(10, 0))
    twin = record(agreement, world.staff, start=None)
    assert twin.flag == "duplicate"
    first.refresh_from_db()
    assert first.flag == "duplicate"
    over = record(agreement, world.staff, start=dt.time(11, 0), days_ago=2, units="2")
    lap = record(agreement, world.staff, start=dt.time(12, 0), days_ago=2, units="1")
    over.refresh_from_db()
    assert lap.flag == "overlap" and over.flag == "overlap"
    apart = record(agreement, world.staff, start=dt.time(9, 0), days_ago=3, units="1")
    assert apart.flag == ""


def test_external_id_makes_a_retry_harmless(world, agreement):
    a = record(agreement, world.staff, external_id="X-1")
    b = record(agreement, world.staff, external_id="X-1")
    assert a.pk == b.pk and Session.objects.filter(agreement=agreement).count() == 1


def test_bulk_is_all_or_nothing_and_names_the_row(world, agreement):
    rows = [{"date": today() - dt.timedelta(days=d), "units": "1", "staff_name": "Anna"} for d in (1, 2)]
    rows.append({"date": today() + dt.timedelta(days=3), "units": "1", "staff_name": "Anna"})
    before = counts()
    with pytest.raises(SessionInvalid) as exc:
        sessions_bulk_record(agreement=agreement, rows=rows, actor=world.staff)
    assert "3" in exc.value.message
    assert counts() == before
    assert len(sessions_bulk_record(agreement=agreement, rows=rows[:2], actor=world.staff)) == 2


def test_month_rows_pick_the_weekdays():
    rows = month_rows(year=2026, month=2, weekdays=[0, 3], start_time=None, units="1", staff_name="A")
    assert len(rows) == 8 and all(r["date"].weekday() in (0, 3) for r in rows)


def test_csv_upload(world, agreement):
    d1, d2 = today() - dt.timedelta(days=1), today() - dt.timedelta(days=2)
    data = (f"date;start;duration_minutes;units;staff;note;goal_progress;external_id\n"
            f"{d1};10:00;60;1;Anna Kalēja;Pastaiga;some;A1\n{d2};;;1,5;Anna;;;A2\n").encode()
    rows = parse_sessions_csv(data)
    created = sessions_bulk_record(agreement=agreement, rows=rows, actor=world.staff)
    assert [s.units for s in created] == [Decimal("1"), Decimal("1.5")]
    with pytest.raises(CsvInvalid) as exc:
        parse_sessions_csv(b"date,units,staff\n2026-13-01,1,A\n")
    assert "2" in exc.value.message
    with pytest.raises(CsvInvalid):
        parse_sessions_csv(b"when,units\n")


def test_the_person_confirms_or_disputes_but_a_support_person_cannot(world, agreement):
    s1, s2 = record(agreement, world.staff, days_ago=1), record(agreement, world.staff, days_ago=2)
    with pytest.raises(NotYourSession):
        session_confirm(session=s1, actor=world.supporter)
    with pytest.raises(SessionInvalid):
        session_dispute(session=s2, reason="  ", actor=world.person_user)
    assert set(Session.objects.filter(agreement=agreement).values_list("status", flat=True)) == {"recorded"}
    assert session_confirm(session=s1, actor=world.person_user).decided_as == "self"
    disputed = session_dispute(session=s2, reason="Neatnāca", actor=world.person_user)
    assert disputed.status == "disputed" and disputed.dispute_reason == "Neatnāca"
    with pytest.raises(SessionAlreadyDecided):
        session_dispute(session=s1, reason="x", actor=world.person_user)


def test_the_provider_resolves_a_dispute_by_correcting_or_withdrawing(world, agreement):
    s = session_dispute(session=record(agreement, world.staff), reason="Bija 1 h", actor=world.person_user)
    fixed = session_correct(session=s, units="1", staff_name="Anna", note="Labots", actor=world.staff)
    assert fixed.status == "recorded" and fixed.units == Decimal("1")
    session_confirm(session=fixed, actor=world.person_user)
    other = record(agreement, world.staff, days_ago=3)
    assert session_withdraw(session=other, actor=world.staff).status == "withdrawn"


# ----------------------------------------------------------------------------- invoices
def test_invoice_lines_explain_problems_and_a_dirty_invoice_cannot_be_submitted(world, agreement):
    ok = confirmed_month(agreement, world, n=1)[0]
    disputed = session_dispute(
        session=session_record(agreement=agreement, actor=world.staff, date=ok.date, units="1",
                               staff_name="Anna", start_time=dt.time(18, 0)),
        reason="Nebija", actor=world.person_user)
    invoice = invoice_create(agreement=agreement, year=today().year, month=today().month,
                             actor=world.staff)
    result = invoice_check(invoice)
    by_session = {line.session_id: result.lines[line.pk] for line in invoice.lines.all()}
    assert by_session[ok.pk] == []
    assert [p.code for p in by_session[disputed.pk]] == ["line.disputed"]
    before = counts()
    counter_before = list(InvoiceNumberCounter.objects.values_list("provider_id", "last_number"))
    with pytest.raises(InvoiceNotClean):
        invoice_submit(invoice=invoice, actor=world.staff)
    assert counts() == before
    assert list(InvoiceNumberCounter.objects.values_list("provider_id", "last_number")) == counter_before
    invoice.refresh_from_db()
    assert invoice.status == "draft" and invoice.number is None
    line = invoice.lines.get(session=disputed)
    invoice = invoice_line_remove(invoice=invoice, line_id=line.pk, actor=world.staff)
    assert invoice_check(invoice).clean and invoice.total == Decimal("10.00")
    submitted = invoice_submit(invoice=invoice, actor=world.staff)
    assert submitted.status == "submitted" and submitted.number >= 1


def test_one_live_invoice_per_month_and_nothing_to_invoice(world, agreement):
    with pytest.raises(NothingToInvoice):
        invoice_create(agreement=agreement, year=2026, month=1, actor=world.staff)
    assert Invoice.objects.filter(agreement=agreement).count() == 0
    confirmed_month(agreement, world)
    invoice_create(agreement=agreement, year=today().year, month=today().month, actor=world.staff)
    with pytest.raises(InvoiceWrongStatus):
        invoice_create(agreement=agreement, year=today().year, month=today().month, actor=world.staff)
    assert Invoice.objects.filter(agreement=agreement).count() == 1


def test_a_price_above_the_agreed_is_caught(world, agreement):
    s = session_record(agreement=agreement, actor=world.staff, date=today(), units="1", staff_name="A",
                       unit_price="99.00")
    session_confirm(session=s, actor=world.person_user)
    invoice = invoice_create(agreement=agreement, year=today().year, month=today().month,
                             actor=world.staff)
    assert "line.price_above_agreed" in invoice_check(invoice).all_codes()


def test_approval_posts_the_budget_share_exactly_once(world, agreement):
    confirmed_month(agreement, world)
    invoice = invoice_submit(invoice=invoice_create(
        agreement=agreement, year=today().year, month=today().month, actor=world.staff), actor=world.staff)
    cat = BudgetCategory.objects.get(pk=agreement.category_id)
    reserved, spent = cat.reserved, cat.spent
    officer = finance(world)
    with pytest.raises(NotFinanceOfficer):
        invoice_approve(invoice=invoice, actor=world.person_user)
    approved = invoice_approve(invoice=invoice, actor=officer)
    cat.refresh_from_db()
    assert approved.status == "approved" and approved.ledger_entry.kind == "post"
    assert approved.ledger_entry.idempotency_key == f"invoice:{connection.schema_name}:{invoice.pk}"
    assert cat.spent == spent + Decimal("20.00") and cat.reserved == reserved - Decimal("20.00")
    posts = LedgerEntry.objects.filter(kind="post").count()
    with pytest.raises(InvoiceWrongStatus):
        invoice_approve(invoice=invoice, actor=officer)
    assert LedgerEntry.objects.filter(kind="post").count() == posts
    paid = invoice_mark_paid(invoice=approved, actor=officer)
    assert paid.status == "paid" and paid.paid_at is not None


def test_only_the_finance_officer_decides_and_a_refusal_is_a_permission_error(world, agreement, muni_b):
    confirmed_month(agreement, world)
    invoice = invoice_submit(invoice=invoice_create(
        agreement=agreement, year=today().year, month=today().month, actor=world.staff), actor=world.staff)
    others = [world.person_user, world.social_worker, world.admin, world.staff,
              demo_user(Role.FINANCE_OFFICER, muni_b.code)]
    before = counts()
    for actor in others:
        with pytest.raises(NotFinanceOfficer) as refused:
            invoice_approve(invoice=invoice, actor=actor)
        assert refused.value.status == 403 and refused.value.code == "invoice.not_finance_officer"
        with pytest.raises(NotFinanceOfficer):
            invoice_reject(invoice=invoice, reason="Nē", actor=actor)
    assert counts() == before
    assert Invoice.objects.get(pk=invoice.pk).status == "submitted"
    approved = invoice_approve(invoice=invoice, actor=finance(world))
    for actor in others:
        with pytest.raises(NotFinanceOfficer):
            invoice_mark_paid(invoice=approved, actor=actor)
    assert Invoice.objects.get(pk=invoice.pk).status == "approved"


def test_rejection_needs_a_reason_and_frees_the_sessions(world, agreement):
    confirmed_month(agreement, world)
    invoice = invoice_submit(invoice=invoice_create(
        agreement=agreement, year=today().year, month=today().month, actor=world.staff), actor=world.staff)
    officer = finance(world)
    with pytest.raises(InvoiceInvalid):
        invoice_reject(invoice=invoice, reason=" ", actor=officer)
    assert Invoice.objects.get(pk=invoice.pk).status == "submitted"
    rejected = invoice_reject(invoice=invoice, reason="Nepareizs periods", actor=officer)
    assert rejected.rejection_reason == "Nepareizs periods"
    assert not InvoiceLine.objects.filter(invoice=invoice, live=True).exists()
    again = invoice_create(agreement=agreement, year=today().year, month=today().month, actor=world.staff)
    assert again.lines.count() == 2 and invoice_check(again).clean


def test_numbers_are_gap_free_per_provider_across_municipalities(world, agreement, muni_b):
    confirmed_month(agreement, world)
    first = invoice_submit(invoice=invoice_create(
        agreement=agreement, year=today().year, month=today().month, actor=world.staff), actor=world.staff)
    world_b = build_world(muni_b)
    # The same provider works in Liepāja too.
    world_b.provider, world_b.staff = world.provider, world.staff
    connection.set_tenant(muni_b)
    approve(world.provider, world.service)
    world_b.service = world.service
    agreement_b = active_agreement(world_b)
    confirmed_month(agreement_b, world_b)
    second = invoice_submit(invoice=invoice_create(
        agreement=agreement_b, year=today().year, month=today().month, actor=world.staff), actor=world.staff)
    assert second.number == first.number + 1
    numbers = list(IssuedInvoiceNumber.objects.filter(provider_id=world.provider.pk).order_by("number")
                   .values_list("number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))


def test_uninvoiced_amount_for_cancellations(world, agreement):
    confirmed_month(agreement, world)
    record(agreement, world.staff, days_ago=5)
    assert uninvoiced_amount(agreement) == Decimal("40.00")


def test_a_cancellation_keeps_what_was_delivered_but_not_invoiced_reserved(world, agreement):
    """The agreements area asks through its signal (it never imports invoicing); this area answers."""
    confirmed_month(agreement, world)
    record(agreement, world.staff, days_ago=5)
    cancelled = agreement_cancel(agreement=agreement, actor=world.staff, reason="Darbinieks slims.")
    assert cancelled.status == "cancelled" and cancelled.cancellation_fee == Decimal("0.00")
    assert cancelled.reservation.kind == LedgerEntry.Kind.RESERVE
    assert cancelled.reservation.amount == Decimal("40.00")


def test_the_legal_representative_confirms_for_a_child(world):
    child_agreement = active_agreement(world, person=world.child, actor=world.representative)
    s = record(child_agreement, world.staff)
    with pytest.raises(NotYourSession):
        session_confirm(session=s, actor=world.person_user)  # not this child's family
    confirmed = session_confirm(session=s, actor=world.representative)
    assert confirmed.decided_as == "legal_representative" and confirmed.decided_by == world.representative


def test_working_days_and_overdue():
    from datetime import date

    from portal.marketplace.invoicing.selectors import working_days_between

    friday, next_friday = date(2026, 11, 27), date(2026, 12, 4)
    assert working_days_between(friday, next_friday) == 5  # Mon–Fri, the weekend does not count
    assert working_days_between(friday, date(2026, 11, 29)) == 0
