"""An agreement's goal and the budget category it draws on agree (issue 10): a respite-care service cannot be
saved against the home-care goal while drawing on the respite-care money, on the page or through the API, and
the page offers only the goals the service can serve."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from portal.marketplace.agreements import pricing, services
from portal.marketplace.agreements.errors import AgreementInvalid
from portal.marketplace.agreements.models import Agreement
from tests.conftest import MUNICIPALITY_A

pytestmark = pytest.mark.django_db


def _period(world, *, as_text=True):
    period = {"period_start": timezone.localdate(), "period_end": world.budget.period_end}
    return {name: str(value) for name, value in period.items()} if as_text else period


def test_the_service_refuses_a_goal_of_another_category(world):
    connection.set_tenant(world.municipality)
    other_goal = world.home_category.goal
    with pytest.raises(AgreementInvalid) as refusal:
        services.agreement_start(actor=world.person_user, person_id=world.adult.pk, service_id=world.service.pk,
                                 goal_id=other_goal.pk, units_per_week="1", **_period(world, as_text=False))
    assert refusal.value.field == "goal" and world.category.name in refusal.value.message
    assert Agreement.objects.filter(person=world.adult).count() == 0
    assert pricing.servable_goals(world.budget, world.category) == [world.goal]
    agreement = services.agreement_start(actor=world.person_user, person_id=world.adult.pk,
                                         service_id=world.service.pk, goal_id=world.goal.pk, units_per_week="1",
                                         **_period(world, as_text=False))
    assert (agreement.goal, agreement.category) == (world.goal, world.category)


def test_the_api_answers_the_mismatch_with_its_code(world, client_for):
    client = client_for(MUNICIPALITY_A, user=world.person_user)
    response = client.post("/api/v1/agreements/", {
        "person": world.adult.pk, "service": world.service.pk, "goal": world.home_category.goal_id,
        "units_per_week": "1", **_period(world)}, content_type="application/json")
    assert response.status_code == 400, response.content
    assert (response.json()["code"], response.json()["field"]) == ("agreement.invalid", "goal")
    connection.set_tenant(world.municipality)
    assert Agreement.objects.filter(person=world.adult).count() == 0


def test_the_page_offers_only_the_goals_the_service_serves(world, client_for):
    client = client_for(MUNICIPALITY_A, user=world.person_user)
    url = f"/vienosanas/jauna/{world.service.pk}/?person={world.adult.pk}"
    page = client.get(url).content.decode()
    assert f'value="{world.goal.pk}"' in page and f'value="{world.home_category.goal_id}"' not in page
    refused = client.post(url, {"person": world.adult.pk, "action": "save", "units_per_week": "1",
                                "goal": world.home_category.goal_id, **_period(world)})
    assert refused.status_code == 400 and "govuk-error-summary" in refused.content.decode()
    connection.set_tenant(world.municipality)
    assert Agreement.objects.filter(person=world.adult).count() == 0
