"""Wrong data refused at entry (issue 10): a session outside the agreement's period, an exact duplicate, and a
CSV file with several bad lines. Each rule is the service's, so the single-session form, the CSV upload and
the API answer alike, and a refusal writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from portal.marketplace.invoicing.csvimport import sessions_csv_record
from portal.marketplace.invoicing.errors import (
    CsvInvalid,
    SessionDuplicate,
    SessionInvalid,
    SessionOutsidePeriod,
    SessionRowsInvalid,
)
from portal.marketplace.invoicing.invoices import invoice_create, invoice_line_remove
from portal.marketplace.invoicing.models import Session
from portal.marketplace.invoicing.selectors import invoice_check
from portal.marketplace.invoicing.sessions import (
    session_confirm,
    session_correct,
    session_record,
    sessions_bulk_record,
)
from tests.conftest import MUNICIPALITY_A

from .conftest import active_agreement, record, today

pytestmark = pytest.mark.django_db


def day(n):
    return today() - dt.timedelta(days=n)


# ----------------------------------------------------------------------------- outside the agreement's period
def test_a_session_before_the_start_or_after_the_end_is_refused(world):
    ended = active_agreement(world, start=day(25), end=day(10))
    with pytest.raises(SessionOutsidePeriod) as before:
        record(ended, world.staff, days_ago=26)
    assert before.value.field == "date" and before.value.code == "session.outside_period"
    with pytest.raises(SessionOutsidePeriod):
        record(ended, world.staff, days_ago=5)
    assert Session.objects.filter(agreement=ended).count() == 0
    inside = record(ended, world.staff, days_ago=10, start=dt.time(9))
    with pytest.raises(SessionRowsInvalid) as batch:
        sessions_bulk_record(agreement=ended, actor=world.staff, rows=[
            {"date": day(12), "units": "1", "staff_name": "Anna"},
            {"date": day(26), "units": "1", "staff_name": "Anna"},
            {"date": day(3), "units": "1", "staff_name": "Anna"}])
    assert batch.value.code == "session.outside_period"
    assert [(e.row, e.field, e.code) for e in batch.value.row_errors] == [
        (2, "date", "session.outside_period"), (3, "date", "session.outside_period")]
    assert list(Session.objects.filter(agreement=ended)) == [inside]


def test_the_form_shows_the_period_rule_next_to_the_date(world, agreement, client_for):
    connection.set_schema_to_public()
    client = client_for(None, user=world.staff)
    url = f"/sniedzejs/{MUNICIPALITY_A}/vienosanas/{agreement.pk}/"
    response = client.post(url, {"s-date": str(day(40)), "s-units": "1", "s-staff_name": "Anna"})
    page = response.content.decode()
    assert response.status_code == 200 and 'href="#id_s-date"' in page
    assert "govuk-error-summary" in page and agreement.period_start.strftime("%d.%m.%Y") in page
    connection.set_tenant(world.municipality)
    assert Session.objects.filter(agreement=agreement).count() == 0


def test_the_api_answers_the_period_rule_with_its_code(world, agreement, client_for):
    connection.set_schema_to_public()
    client = client_for(None, user=world.staff)
    url = f"/api/v1/provider/{MUNICIPALITY_A}/agreements/{agreement.pk}/sessions/"
    body = {"sessions": [{"date": str(day(1)), "units": "1", "staff_name": "Anna"},
                         {"date": str(day(40)), "units": "1", "staff_name": "Anna"}]}
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 400, response.content
    data = response.json()
    assert data["code"] == "session.outside_period" and data["errors"][0] == {
        "row": 2, "field": "date", "code": "session.outside_period", "detail": data["errors"][0]["detail"]}
    not_a_number = client.post(url, {"sessions": [{"date": str(day(2)), "units": "NaN", "staff_name": "A"}]},
                               content_type="application/json")
    assert not_a_number.status_code == 400 and not_a_number.json()["field"] == "sessions"
    connection.set_tenant(world.municipality)
    assert Session.objects.filter(agreement=agreement).count() == 0


# ----------------------------------------------------------------------------- duplicates
def test_an_exact_duplicate_is_refused_everywhere(world, agreement):
    first = record(agreement, world.staff, days_ago=3, start=dt.time(10))
    untimed = record(agreement, world.staff, days_ago=4)
    with pytest.raises(SessionDuplicate) as exc:
        record(agreement, world.staff, days_ago=3, start=dt.time(10), units="1")
    assert exc.value.field == "start_time" and exc.value.code == "session.duplicate"
    with pytest.raises(SessionDuplicate):
        record(agreement, world.staff, days_ago=4)  # two sessions of one day, neither with a time
    row = {"date": day(3), "start_time": dt.time(10), "units": "1", "staff_name": "Anna"}
    with pytest.raises(SessionRowsInvalid) as against_existing:
        sessions_bulk_record(agreement=agreement, actor=world.staff,
                             rows=[{**row, "start_time": dt.time(12)}, row])
    assert [(e.row, e.code) for e in against_existing.value.row_errors] == [(2, "session.duplicate")]
    fresh = {**row, "date": day(5)}
    with pytest.raises(SessionRowsInvalid) as within:
        sessions_bulk_record(agreement=agreement, actor=world.staff, rows=[fresh, dict(fresh)])
    assert [e.row for e in within.value.row_errors] == [2] and "1" in within.value.row_errors[0].message
    other = record(agreement, world.staff, days_ago=3, start=dt.time(14))
    with pytest.raises(SessionDuplicate):
        session_correct(session=other, units="1", staff_name="Anna", note="", start_time=dt.time(10),
                        actor=world.staff)
    assert set(Session.objects.filter(agreement=agreement)) == {first, untimed, other}


def test_the_form_and_the_api_refuse_a_duplicate_alike(world, agreement, client_for):
    record(agreement, world.staff, days_ago=3, start=dt.time(10))
    connection.set_schema_to_public()
    client = client_for(None, user=world.staff)
    page = client.post(f"/sniedzejs/{MUNICIPALITY_A}/vienosanas/{agreement.pk}/", {
        "s-date": str(day(3)), "s-start_time": "10:00", "s-units": "1", "s-staff_name": "Anna"})
    assert page.status_code == 200 and 'href="#id_s-start_time"' in page.content.decode()
    api = client.post(f"/api/v1/provider/{MUNICIPALITY_A}/agreements/{agreement.pk}/sessions/",
                      {"sessions": [{"date": str(day(3)), "start_time": "10:00", "units": "1", "staff_name": "A"}]},
                      content_type="application/json")
    assert api.status_code == 400 and api.json()["code"] == "session.duplicate"
    assert api.json()["errors"][0]["field"] == "start_time"
    connection.set_tenant(world.municipality)
    assert Session.objects.filter(agreement=agreement).count() == 1


def test_the_invoice_blocks_the_later_of_two_possible_duplicates_until_removed(world, agreement):
    first = record(agreement, world.staff, days_ago=0, start=dt.time(10))
    second = record(agreement, world.staff, days_ago=0)  # no time: may be the same session
    for session in (first, second):
        session_confirm(session=session, actor=world.person_user)
    invoice = invoice_create(agreement=agreement, year=today().year, month=today().month, actor=world.staff)
    lines = {line.session_id: line.pk for line in invoice.lines.all()}
    result = invoice_check(invoice)
    assert result.lines[lines[first.pk]] == []
    assert [p.code for p in result.lines[lines[second.pk]]] == ["line.duplicate"]
    invoice = invoice_line_remove(invoice=invoice, line_id=lines[second.pk], actor=world.staff)
    assert invoice_check(invoice).clean


# ----------------------------------------------------------------------------- CSV: every problem in one pass
def test_the_csv_reports_every_problem_of_every_line_and_writes_nothing(world, agreement):
    record(agreement, world.staff, days_ago=2, start=dt.time(10))
    data = ("date,start,units,staff\n"
            f"{day(1)},09:00,1,Anna\n"            # 2: fine
            f"{day(40)},09:00,NaN,Anna\n"         # 3: outside the period and units not a number
            "x,25:00,1,Anna\n"                   # 4: bad date and start
            f"{day(2)},10:00,1,Anna\n"            # 5: duplicates the recorded session
            f"{day(3)},09:00,1,Anna,extra\n"      # 6: longer than the header
            f"{day(4)},09:00,sNaN,Anna\n"         # 7
            f"{day(5)},09:00,Infinity,\x00Anna\n"  # 8: a NUL byte
            f"{day(1)},09:00,1,Anna\n"            # 9: the same as line 2
            ).encode()
    with pytest.raises(CsvInvalid) as exc:
        sessions_csv_record(agreement=agreement, data=data, actor=world.staff)
    found = [(e.row, e.field) for e in exc.value.row_errors]
    assert found == [(3, "date"), (4, "date"), (4, "start"), (5, "start_time"), (6, ""), (7, "units"),
                     (8, "staff"), (9, "start_time")]
    assert len(exc.value.lines) == 8 and exc.value.lines[0].startswith("3. rinda, date:")  # lv by default
    assert Session.objects.filter(agreement=agreement).count() == 1


def test_the_csv_page_lists_every_problem_in_the_error_summary(world, agreement, client_for):
    connection.set_schema_to_public()
    client = client_for(None, user=world.staff)
    url = f"/sniedzejs/{MUNICIPALITY_A}/vienosanas/{agreement.pk}/nodarbibas/csv/"
    data = f"date,units,staff\n{day(40)},1,Anna\n{day(1)},NaN,Anna\n{day(2)},1,Anna,x,y\n\x00,1,A\n".encode()
    response = client.post(url, {"file": SimpleUploadedFile("s.csv", data, "text/csv")})
    page = response.content.decode()
    assert response.status_code == 200
    summary = page[page.index("govuk-error-summary"):page.index("</ul>", page.index("govuk-error-summary"))]
    assert summary.count("<li>") == 4 and "2. rinda" in summary and "5. rinda" in summary
    connection.set_tenant(world.municipality)
    assert Session.objects.filter(agreement=agreement).count() == 0


def test_a_single_refusal_keeps_its_plain_code(world, agreement):
    with pytest.raises(SessionInvalid) as exc:
        session_record(agreement=agreement, actor=world.staff, date=day(1), units="Infinity", staff_name="A")
    assert exc.value.field == "units" and exc.value.code == "session.invalid"
