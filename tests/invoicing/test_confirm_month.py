""""Confirm all for a month": the person (or legal representative) confirms every recorded session of one
month in one go, disputed ones left alone, each audited; the support person may not; bad input changes
nothing — on the sessions page, from the to-do list and through the API."""

import datetime as dt

import pytest
from django.db import connection

from portal.marketplace.invoicing.models import Session, SessionStatus
from portal.marketplace.invoicing.sessions import session_dispute
from portal.platform.core.models import AuditEvent
from tests.factories import draft
from tests.invoicing.conftest import active_agreement, record, today

pytestmark = pytest.mark.django_db

RECORDED, CONFIRMED, DISPUTED = SessionStatus.RECORDED, SessionStatus.CONFIRMED, SessionStatus.DISPUTED


@pytest.fixture
def month_world(world):
    """This month: two recorded sessions and a disputed one; last month: one recorded session."""
    if today().day > 27:
        pytest.skip("the world's plan began 30 days ago: last month has no day inside it to record on")
    agreement = active_agreement(world, start=today() - dt.timedelta(days=29))
    this_month = [record(agreement, world.staff, days_ago=0, start=dt.time(9 + i)) for i in range(2)]
    disputed = record(agreement, world.staff, days_ago=0, start=dt.time(14))
    session_dispute(session=disputed, reason="Nebija", actor=world.person_user)
    earlier = record(agreement, world.staff, days_ago=today().day + 1)
    connection.set_tenant(world.municipality)
    return agreement, this_month, disputed, earlier


def _month(date: dt.date) -> str:
    return f"{date:%Y-%m}"


def test_the_page_confirms_a_month_and_leaves_the_disputed_and_other_months(world, month_world, client_for):
    agreement, this_month, disputed, earlier = month_world
    person = client_for(user=world.person_user)
    page = person.get("/nodarbibas/").content.decode()
    assert f'name="month" value="{_month(today())}"' in page and f'value="{_month(earlier.date)}"' in page
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    response = person.post("/nodarbibas/menesis/", {"month": _month(today())})
    assert response.status_code == 302 and response["Location"] == "/nodarbibas/"
    connection.set_tenant(world.municipality)
    assert [Session.objects.get(pk=s.pk).status for s in (*this_month, disputed, earlier)] == [
        CONFIRMED, CONFIRMED, DISPUTED, RECORDED]
    confirmed = Session.objects.get(pk=this_month[0].pk)
    assert (confirmed.decided_by, confirmed.decided_as) == (world.person_user, "self")
    audited = set(AuditEvent.objects.filter(pk__gt=last, object_type="invoicing.session", actor_id=world.person_user.pk)
                  .values_list("object_id", flat=True))
    assert {str(s.pk) for s in this_month} <= audited and str(disputed.pk) not in audited


def test_the_to_do_list_offers_a_button_per_month(world, month_world, client_for):
    _agreement, _this, _disputed, earlier = month_world
    body = client_for(user=world.person_user).get("/panelis/").content.decode()
    todo = body[body.index('data-todo-item="sessions.confirm"'):]
    assert "data-confirm-months" in todo and f'value="{_month(earlier.date)}"' in todo


def test_bad_input_on_the_page_changes_nothing(world, month_world, client_for):
    agreement, this_month, disputed, earlier = month_world
    person = client_for(user=world.person_user)
    future = today().replace(day=1) + dt.timedelta(days=32)
    page = person.post("/nodarbibas/menesis/", {"month": _month(future)})
    assert page.status_code == 400
    html = page.content.decode()
    assert 'id="id_month-error"' in html and "govuk-error-summary" in html
    assert person.post("/nodarbibas/menesis/", {"month": "marts"}).status_code == 400
    # the support person prepares, never decides (the same rule as confirming one session)
    supporter = client_for(user=world.supporter).post("/nodarbibas/menesis/", {"month": _month(today())})
    assert supporter.status_code == 400 and "govuk-error-summary" in supporter.content.decode()
    # another municipality's site: no role there, nothing of A's touched
    assert client_for("liepaja", user=world.person_user).post(
        "/nodarbibas/menesis/", {"month": _month(today())}).status_code in (403, 404)
    connection.set_tenant(world.municipality)
    assert [Session.objects.get(pk=s.pk).status for s in (*this_month, disputed, earlier)] == [
        RECORDED, RECORDED, DISPUTED, RECORDED]


def test_the_api_confirms_one_agreements_month_and_refuses_bad_input(world, month_world, client_for,
                                                                     django_assert_max_num_queries):
    agreement, this_month, disputed, earlier = month_world
    api = "/api/v1/sessions/confirm-month/"
    person = client_for(user=world.person_user)
    child_agreement = draft(world, person=world.child, actor=world.representative)
    future = today().replace(day=1) + dt.timedelta(days=32)
    refused = [
        (person, {"month": _month(future)}, 400, "session.invalid"),
        (person, {"month": "2026-13"}, 400, "session.invalid"),
        (person, {"month": _month(today()), "agreement": child_agreement.pk}, 404, "agreement.not_found"),
        (client_for(user=world.supporter), {"month": _month(today()), "agreement": agreement.pk}, 403,
         "session.not_allowed"),
    ]
    for client, body, status, code in refused:
        response = client.post(api, body, content_type="application/json")
        assert (response.status_code, response.json()["code"]) == (status, code), body
    connection.set_tenant(world.municipality)
    assert [Session.objects.get(pk=s.pk).status for s in (*this_month, disputed, earlier)] == [
        RECORDED, RECORDED, DISPUTED, RECORDED]

    # session, roles, deciding persons (exists), the agreement checked, the sessions locked, one update; per
    # session one audit row (the work index is written on commit)
    with django_assert_max_num_queries(10):
        done = person.post(api, {"month": _month(earlier.date), "agreement": agreement.pk},
                           content_type="application/json")
    assert done.status_code == 200 and done.json() == {"confirmed": 1, "sessions": [earlier.pk]}
    connection.set_tenant(world.municipality)
    assert [Session.objects.get(pk=s.pk).status for s in (*this_month, disputed, earlier)] == [
        RECORDED, RECORDED, DISPUTED, CONFIRMED]
