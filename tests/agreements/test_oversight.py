"""The social worker's watch over a plan's period: evidence per goal for the review, reviews due, alerts;
on the dashboard and the review page. The day is passed in."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from portal.budgets.ledger.methodology import methodology_current
from portal.budgets.ledger.models import BudgetMethodology
from portal.budgets.ledger.selectors import plans_review_due
from portal.budgets.ledger.services import funds_reserve, reservation_post
from portal.budgets.people.models import SupportPlan
from portal.marketplace.invoicing.models import Session
from portal.marketplace.invoicing.oversight import budget_alerts, goal_evidence
from tests.conftest import MUNICIPALITY_A
from tests.factories import active, make_budget_with_categories, make_person

pytestmark = pytest.mark.django_db
D = Decimal


def _session(agreement, status, note=""):
    return Session.objects.create(agreement=agreement, date=agreement.period_start, units=D("2"),
                                  unit_price=D("10.00"), staff_name="Anna", status=status, note=note)


def test_goal_evidence_shows_agreements_sessions_and_money_against_the_share(world):
    agreement = active(world)
    _session(agreement, "confirmed", note="Walked to the shop together")
    _session(agreement, "recorded")
    _session(agreement, "withdrawn")
    reservation_post(reservation=agreement.reservation, amount="40", reference="invoice", idempotency_key="p",
                     actor=None)
    evidence = {e.goal.pk: e for e in goal_evidence(world.budget.plan)}
    mine = evidence[world.goal.pk]
    assert [a.pk for a in mine.agreements] == [agreement.pk]
    assert (mine.sessions_delivered, mine.sessions_confirmed) == (2, 1)
    assert (mine.spent, mine.granted, mine.spent_percent) == (D("40.00"), D("1000.00"), 4)
    assert [s.note for s in mine.notes] == ["Walked to the shop together"]
    other = evidence[world.home_category.goal_id]
    assert other.agreements == [] and other.sessions_delivered == 0 and other.spent == 0


def test_reviews_are_due_the_municipalitys_weeks_before_the_end_or_once_the_period_ended(world):
    plan = world.budget.plan
    end = plan.period_end
    assert plan not in plans_review_due(today=end - dt.timedelta(weeks=4, days=1))
    assert plan in plans_review_due(today=end - dt.timedelta(weeks=4), social_worker=world.social_worker)
    assert plan not in plans_review_due(today=end, social_worker=world.staff)
    BudgetMethodology.objects.filter(pk=methodology_current().pk).update(review_reminder_weeks=30)
    assert plan in plans_review_due(today=timezone.localdate())
    SupportPlan.objects.filter(pk=plan.pk).update(status="review_due", period_end=end)
    BudgetMethodology.objects.update(review_reminder_weeks=1)
    assert plan in plans_review_due(today=timezone.localdate())


def _alerts(world, today):
    return sorted(a.code for a in budget_alerts(today=today, social_worker=world.social_worker)
                  if a.budget.pk == world.budget.pk)


def test_alerts_nothing_booked_and_underspend_after_eight_weeks(world):
    start = world.budget.period_start
    assert _alerts(world, start + dt.timedelta(weeks=8) - dt.timedelta(days=1)) == ["underspend"]
    assert _alerts(world, start + dt.timedelta(weeks=8)) == ["nothing_booked", "underspend"]
    assert _alerts(world, start + dt.timedelta(days=10)) == []  # too early to say


def test_alert_a_category_nearly_used_up_with_much_of_the_period_left(world):
    funds_reserve(category=world.home_category, amount="280", reference="a", idempotency_key="h", actor=None)
    start, end = world.budget.period_start, world.budget.period_end
    assert "category_low" in _alerts(world, start + dt.timedelta(days=20))
    low = [a for a in budget_alerts(today=start + dt.timedelta(days=20)) if a.code == "category_low"
           and a.budget.pk == world.budget.pk]
    assert low[0].category.pk == world.home_category.pk and low[0].category.name in low[0].text
    assert "category_low" not in _alerts(world, end - dt.timedelta(days=10))  # little of the period left
    assert "nothing_booked" in _alerts(world, start + dt.timedelta(weeks=9))  # it counts agreements


def test_an_agreement_is_a_booking_and_spending_at_pace_is_no_underspend(world):
    agreement = active(world, units_per_week="4")
    start = world.budget.period_start
    assert agreement.total_amount > D("650")
    assert _alerts(world, start + dt.timedelta(weeks=8)) == []


def test_dashboard_shows_the_social_workers_alerts_and_reviews(world, client_for):
    today = timezone.localdate()
    idle = make_person(social_worker=world.social_worker, first_name="Dīkā")
    make_budget_with_categories(idle, [("respite-care", "800.00")], start=today - dt.timedelta(days=70),
                                end=today + dt.timedelta(days=20))
    body = client_for(MUNICIPALITY_A, user=world.social_worker).get("/panelis/").content.decode()
    assert 'data-alert="nothing_booked"' in body and "Dīkā" in body
    plan = SupportPlan.objects.get(person=idle)
    assert f'data-review="{plan.pk}"' in body
    assert f"/personas/{idle.pk}/plani/{plan.pk}/izvertesana/" in body
    person_body = client_for(MUNICIPALITY_A, user=world.person_user).get("/panelis/").content.decode()
    assert "data-watch" not in person_body and "Dīkā" not in person_body


def test_review_page_shows_the_evidence_per_goal(world, client_for):
    agreement = active(world)
    _session(agreement, "confirmed", note="Went to the library")
    plan = world.budget.plan
    url = f"/personas/{world.adult.pk}/plani/{plan.pk}/izvertesana/"
    response = client_for(MUNICIPALITY_A, user=world.social_worker).get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert f'data-evidence="{world.goal.pk}"' in body and "Went to the library" in body
    assert agreement.provider.name in body
