"""Starting an agreement: the page and the API both go through ``services.agreement_start``, give the same
refusal for the same bad input, write nothing when they refuse, and quote once per start."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.http import Http404
from django.utils import timezone
from django.utils.html import escape

from portal.marketplace.agreements import pricing, services
from portal.marketplace.agreements.errors import AgreementInvalid, NotAllowed, ServiceNotAvailable
from portal.marketplace.agreements.models import Agreement, AgreementEvent
from portal.platform.core.models import AuditEvent
from tests.conftest import MUNICIPALITY_A

from tests.factories import make_service

pytestmark = pytest.mark.django_db

API = "/api/v1/agreements/"


def _written():
    return Agreement.objects.count(), AgreementEvent.objects.count(), AuditEvent.objects.count()


@pytest.fixture
def spies(monkeypatch):
    """Count calls of ``agreement_start`` and of ``quote`` wherever the faces and the services reach them."""
    calls = {"start": 0, "quote": 0}
    start, quote = services.agreement_start, pricing.quote

    def counting_start(**kwargs):
        calls["start"] += 1
        return start(**kwargs)

    def counting_quote(**kwargs):
        calls["quote"] += 1
        return quote(**kwargs)

    monkeypatch.setattr(services, "agreement_start", counting_start)
    monkeypatch.setattr(services, "quote", counting_quote)
    monkeypatch.setattr(pricing, "quote", counting_quote)

    def take():
        taken = dict(calls)
        calls.update(start=0, quote=0)
        return taken

    return take


def _page(world, client, **fields):
    url = f"/vienosanas/jauna/{world.service.pk}/?person={world.adult.pk}"
    return client.post(url, {"person": world.adult.pk, "action": "save", **fields})


def _api(world, client, **fields):
    return client.post(API, {"person": world.adult.pk, "service": world.service.pk, **fields},
                       content_type="application/json")


def test_page_and_api_start_through_one_service_quoting_once(world, client_for, spies):
    client = client_for(MUNICIPALITY_A, user=world.person_user)
    period = {"period_start": str(timezone.localdate()), "period_end": str(world.budget.period_end)}
    response = _page(world, client, units_per_week="2", **period)
    assert response.status_code == 302
    assert spies() == {"start": 1, "quote": 1}
    response = _api(world, client, units_per_week="2", **period)
    assert response.status_code == 201, response.content
    assert spies() == {"start": 1, "quote": 1}
    connection.set_tenant(world.municipality)
    first, second = Agreement.objects.filter(person=world.adult).order_by("pk")
    assert (first.total_units, first.total_amount, first.goal_id) == (
        second.total_units, second.total_amount, second.goal_id)


# input, code, field, whether the service quoted before refusing (if not, the page quotes once to show the cost)
BAD_INPUT = {
    "more than the budget holds": ({"total_units": "500"}, "agreement.exceeds_budget", "units_per_week", True),
    "before the plan's period": ({"units_per_week": "1", "period_start": "before"}, "agreement.invalid",
                                 "period_start", True),
    "more units than an agreement holds": ({"units_per_week": "6000"}, "agreement.invalid", "units_per_week",
                                           False),
}


@pytest.mark.parametrize("case", BAD_INPUT, ids=list(BAD_INPUT))
def test_same_bad_input_same_refusal_on_both_faces_and_nothing_written(world, client_for, spies, case):
    fields, code, field, quoted = BAD_INPUT[case]
    fields = {"period_start": str(timezone.localdate()), "period_end": str(world.budget.period_end), **fields}
    if fields["period_start"] == "before":
        fields["period_start"] = str(world.budget.period_start - dt.timedelta(days=5))
    client = client_for(MUNICIPALITY_A, user=world.person_user)
    connection.set_tenant(world.municipality)
    before = _written()
    api = _api(world, client, **fields)
    assert api.status_code == 400 and api.json()["code"] == code and api.json()["field"] == field
    assert spies() == {"start": 1, "quote": int(quoted)}
    page = _page(world, client, **fields)
    assert page.status_code == 400
    assert spies() == {"start": 1, "quote": 1}  # the page shows the quote the refusal was based on
    assert escape(api.json()["detail"]) in page.content.decode()
    connection.set_tenant(world.municipality)
    assert _written() == before


def test_start_looks_up_person_service_and_goal_itself(world):
    connection.set_tenant(world.municipality)
    before = _written()
    start = {"person_id": world.adult.pk, "service_id": world.service.pk, "units_per_week": "1",
             "actor": world.person_user}
    with pytest.raises(AgreementInvalid) as refusal:
        services.agreement_start(**start, goal_id=world.child_category.goal_id)  # another person's plan
    assert refusal.value.field == "goal"
    unapproved = make_service(world.provider, "psychologist", "20.00")
    with pytest.raises(ServiceNotAvailable):
        services.agreement_start(**{**start, "service_id": unapproved.pk})
    with pytest.raises(Http404):  # a person this user may not see: never revealed
        services.agreement_start(**{**start, "person_id": world.child.pk})
    with pytest.raises(NotAllowed):  # staff see the person but do not start agreements for them
        services.agreement_start(**{**start, "actor": world.social_worker})
    assert _written() == before
    agreement = services.agreement_start(**start, goal_id=world.goal.pk)
    assert (agreement.goal, agreement.category, agreement.status) == (world.goal, world.category, "draft")
