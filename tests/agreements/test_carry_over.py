"""A new plan version closes the previous budget and the person is asked, agreement by agreement, whether it
continues under the new plan: continued, its unposted money moves to the new budget; not, it is cancelled from
the new plan's start. Nothing moves without the answer of the person or their legal representative — through
the service, the page and the API alike."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from portal.budgets.ledger.models import BudgetCategory, LedgerEntry
from portal.budgets.ledger.selectors import categories_of
from portal.budgets.ledger.services import budget_grant
from portal.budgets.people.models import SupportPlan
from portal.marketplace.agreements.errors import NotAllowed, WrongState
from portal.marketplace.agreements.models import Agreement, CarryOver
from portal.marketplace.invoicing.period import (
    carry_over_decide,
    carry_overs_ask,
    carry_overs_ask_due,
    carry_overs_to_answer,
)
from portal.platform.outbox.models import OutboxEvent
from tests.conftest import MUNICIPALITY_A, MUNICIPALITY_B
from tests.factories import active, make_plan

pytestmark = pytest.mark.django_db
D = Decimal


def _new_version(world, *, goals=((D("100"), ["respite-care"]),), days_ahead=30):
    """The adult's plan replaced by a new approved version starting in ``days_ahead`` days."""
    SupportPlan.objects.filter(pk=world.budget.plan_id).update(status="superseded")
    start = dt.date.today() + dt.timedelta(days=days_ahead)
    plan = make_plan(world.adult, goals=goals, start=start,
                     end=start.replace(year=start.year + 1) - dt.timedelta(days=1))
    return budget_grant(plan=plan, actor=None, level=2)


@pytest.fixture
def asked(world):
    """An active agreement, a new plan version, and the question to the person (asked by the daily job)."""
    agreement = active(world)
    new = _new_version(world)
    [question] = carry_overs_ask_due()
    return agreement, new, question


def test_a_new_version_asks_about_running_agreements_and_moves_nothing_until_answered(world):
    agreement = active(world)
    new = _new_version(world)
    world.budget.refresh_from_db()
    assert world.budget.status == "closed"
    entries = LedgerEntry.objects.count()

    [question] = carry_overs_ask_due()
    assert (question.agreement_id, question.previous_budget_id, question.budget_id, question.status) == (
        agreement.pk, world.budget.pk, new.pk, "asked")
    assert OutboxEvent.objects.filter(kind="agreement.carry_over_asked",
                                      payload__carry_over_id=question.pk).count() == 1
    assert carry_overs_ask_due() == []  # asked once
    assert LedgerEntry.objects.count() == entries  # no money moved
    agreement.refresh_from_db()
    assert agreement.reservation.budget_id == world.budget.pk
    assert [q.pk for q in carry_overs_to_answer(world.person_user)] == [question.pk]
    assert carry_overs_to_answer(world.supporter) == []  # helps, never answers
    assert carry_overs_to_answer(world.social_worker) == []


def test_continuing_moves_the_unposted_money_into_the_new_budget_once(world, asked):
    agreement, new, question = asked
    old_category = world.category
    answered = carry_over_decide(carry_over=question, carry_on=True, actor=world.person_user)
    assert (answered.status, answered.decided_as, answered.decided_by_id) == ("continued", "self",
                                                                               world.person_user.pk)
    agreement.refresh_from_db()
    new_category = categories_of(new)[0]
    assert agreement.category_id == new_category.pk and agreement.reservation.budget_id == new.pk
    assert agreement.reservation.amount == agreement.total_amount and agreement.status == "active"
    old_category.refresh_from_db()
    new_category.refresh_from_db()
    assert old_category.reserved == 0 and old_category.returned == old_category.granted
    assert new_category.reserved == agreement.total_amount
    assert LedgerEntry.objects.filter(budget=world.budget, kind="void", idempotency_key__contains="carry").count() == 1
    assert BudgetCategory.objects.filter(budget=world.budget).count() == 2

    entries = LedgerEntry.objects.count()
    with pytest.raises(WrongState) as again:
        carry_over_decide(carry_over=question, carry_on=True, actor=world.person_user)
    assert again.value.code == "carry_over.answered"
    assert LedgerEntry.objects.count() == entries


def test_not_continuing_cancels_the_agreement_from_the_new_plans_start(world, asked):
    agreement, new, question = asked
    answered = carry_over_decide(carry_over=question, carry_on=False, actor=world.person_user)
    assert answered.status == "ended"
    agreement.refresh_from_db()
    assert agreement.status == "cancelled" and agreement.cancel_effective == new.period_start
    assert agreement.cancellation_fee == 0  # a month's notice: nothing billable
    assert not LedgerEntry.objects.filter(budget=new).exclude(kind="grant").exists()


def test_continuing_where_the_new_budget_has_no_room_keeps_it_on_the_previous_budget(world):
    agreement = active(world)
    new = _new_version(world, goals=((D("100"), ["psychologist"]),))  # no respite care in the new plan
    [question] = carry_overs_ask(previous=world.budget, budget=new)
    answered = carry_over_decide(carry_over=question, carry_on=True, actor=world.person_user)
    assert (answered.status, answered.kept_reason) == ("kept", "no_category")
    agreement.refresh_from_db()
    assert agreement.reservation.budget_id == world.budget.pk and agreement.status == "active"


def test_only_the_person_or_their_legal_representative_answers(world, asked):
    agreement, _new, question = asked
    entries = LedgerEntry.objects.count()
    for outsider in (world.supporter, world.social_worker, world.staff, world.representative):
        with pytest.raises(NotAllowed) as refusal:
            carry_over_decide(carry_over=question, carry_on=False, actor=outsider)
        assert refusal.value.code == "agreement.not_allowed"
    question.refresh_from_db()
    agreement.refresh_from_db()
    assert question.status == "asked" and agreement.status == "active"
    assert LedgerEntry.objects.count() == entries


def test_the_outbox_handler_asks_instead_of_moving(world):
    from portal.marketplace.invoicing import tasks  # noqa: F401 (registers the outbox handler)
    from portal.platform.outbox.services import outbox_process

    agreement = active(world)
    new = _new_version(world)
    event = OutboxEvent.objects.get(kind="budget.superseded", payload__budget_id=world.budget.pk)
    assert event.payload == {"budget_id": world.budget.pk, "successor_id": new.pk}
    assert outbox_process(event_id=event.pk) is True
    assert CarryOver.objects.get(agreement=agreement).status == "asked"
    agreement.refresh_from_db()
    assert agreement.reservation.budget_id == world.budget.pk
    assert outbox_process(event_id=event.pk) is False  # once


# ----------------------------------------------------------------------------- the page and the API
def test_the_person_answers_on_the_agreement_page(world, asked, client_for):
    agreement, new, question = asked
    client = client_for(MUNICIPALITY_A, user=world.person_user)
    listing = client.get("/vienosanas/").content.decode()
    assert f"/vienosanas/{agreement.pk}/#carry-over" in listing
    page = client.get(f"/vienosanas/{agreement.pk}/").content.decode()
    assert f'action="/vienosanas/{agreement.pk}/turpinat/"' in page

    response = client.post(f"/vienosanas/{agreement.pk}/turpinat/", {"answer": "continue"})
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.status == "continued"
    page = client.get(f"/vienosanas/{agreement.pk}/").content.decode()
    assert "turpinat/" not in page


def test_the_support_person_and_the_social_worker_see_the_question_but_cannot_answer(world, asked, client_for):
    agreement, _new, question = asked
    for user in (world.supporter, world.social_worker):
        client = client_for(MUNICIPALITY_A, user=user)
        page = client.get(f"/vienosanas/{agreement.pk}/").content.decode()
        assert 'id="carry-over"' in page and "turpinat/" not in page
        client.post(f"/vienosanas/{agreement.pk}/turpinat/", {"answer": "end"})
    question.refresh_from_db()
    assert question.status == "asked"
    assert Agreement.objects.get(pk=agreement.pk).status == "active"


def test_the_api_lists_and_answers_with_stable_codes(world, asked, client_for):
    agreement, _new, question = asked
    person = client_for(MUNICIPALITY_A, user=world.person_user)
    listed = person.get("/api/v1/agreements/carry-overs/?status=asked").json()
    assert [q["id"] for q in listed["results"]] == [question.pk]
    assert listed["results"][0]["agreement"] == agreement.pk

    supporter = client_for(MUNICIPALITY_A, user=world.supporter)
    refused = supporter.post(f"/api/v1/agreements/carry-overs/{question.pk}/answer/", {"carry_on": False},
                             content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "agreement.not_allowed"
    bad = person.post(f"/api/v1/agreements/carry-overs/{question.pk}/answer/", {"carry_on": "maybe"},
                      content_type="application/json")
    assert bad.status_code == 400
    question.refresh_from_db()
    assert question.status == "asked"

    done = person.post(f"/api/v1/agreements/carry-overs/{question.pk}/answer/", {"carry_on": False},
                       content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "ended"
    again = person.post(f"/api/v1/agreements/carry-overs/{question.pk}/answer/", {"carry_on": True},
                        content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "carry_over.answered"


def test_another_municipality_finds_nothing_and_providers_see_no_question(world, asked, client_for, muni_b):
    from django.db import connection

    from portal.tenants.roles import Role
    from tests.conftest import demo_user

    agreement, _new, question = asked
    connection.set_tenant(muni_b)
    own = {(q.pk, q.agreement.service.title) for q in CarryOver.objects.select_related("agreement__service")}
    connection.set_tenant(world.municipality)
    other = client_for(MUNICIPALITY_B, user=demo_user(Role.SOCIAL_WORKER, MUNICIPALITY_B))
    listed = {(q["id"], q["service"]) for q in other.get("/api/v1/agreements/carry-overs/").json()["results"]}
    assert listed == own and (question.pk, world.service.title) not in listed
    assert other.post(f"/vienosanas/{agreement.pk}/turpinat/", {"answer": "continue"}).status_code == 404
    provider = client_for(MUNICIPALITY_A, user=world.staff)
    assert provider.get("/api/v1/agreements/carry-overs/").json()["results"] == []
    assert 'id="carry-over"' not in provider.get(f"/vienosanas/{agreement.pk}/").content.decode()
    question.refresh_from_db()
    assert question.status == "asked"
