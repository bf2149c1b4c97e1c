"""Agreements API: the journey, stable error codes, tenancy, roles, query budgets, OpenAPI schema."""

from __future__ import annotations

import pytest
from django.db import connection

from portal.marketplace.agreements.models import Agreement
from tests.conftest import MUNICIPALITY_A, MUNICIPALITY_B
from tests.factories import draft, sent

pytestmark = pytest.mark.django_db

API = "/api/v1/agreements/"


def test_journey_through_the_api(world, client_for):
    person = client_for(MUNICIPALITY_A, user=world.person_user)
    response = person.post(API, {"person": world.adult.pk, "service": world.service.pk, "total_units": "10"},
                           content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft" and body["total_amount"] == "100.00"
    agreement_id = body["id"]
    assert person.post(f"{API}{agreement_id}/confirm/", {}, content_type="application/json").json()["status"] \
        == "awaiting_provider"
    provider = client_for(MUNICIPALITY_A, user=world.staff)
    response = provider.post(f"{API}{agreement_id}/accept/", {}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "active"
    assert response.json()["reservation_id"] is not None
    detail = person.get(f"{API}{agreement_id}/").json()
    assert [e["to_status"] for e in detail["events"]] == ["draft", "awaiting_provider", "active"]
    response = person.post(f"{API}{agreement_id}/cancel/", {"reason": "Vairs nevajag"},
                           content_type="application/json")
    assert response.json()["status"] == "cancelled"


def test_errors_have_stable_codes_and_write_nothing(world, client_for):
    person = client_for(MUNICIPALITY_A, user=world.person_user)
    connection.set_tenant(world.municipality)
    before = Agreement.objects.count()
    response = person.post(API, {"person": world.adult.pk, "service": world.service.pk, "total_units": "1000"},
                           content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "agreement.exceeds_budget"
    response = person.post(API, {"person": world.adult.pk, "service": world.service.pk},
                           content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "agreement.invalid"
    connection.set_tenant(world.municipality)
    assert Agreement.objects.count() == before
    agreement = sent(world)
    response = client_for(MUNICIPALITY_A, user=world.staff).post(f"{API}{agreement.pk}/decline/", {"reason": ""},
                                                                 content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "agreement.reason_required"
    response = person.post(f"{API}{agreement.pk}/accept/", {}, content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "agreement.not_allowed"


def test_support_person_cannot_confirm_via_api(world, client_for):
    agreement = draft(world, actor=world.supporter)
    response = client_for(MUNICIPALITY_A, user=world.supporter).post(f"{API}{agreement.pk}/confirm/", {},
                                                                     content_type="application/json")
    assert response.status_code == 403


def test_other_municipality_finds_nothing(world, client_for, muni_b):
    agreement = draft(world)
    connection.set_tenant(muni_b)
    assert not Agreement.objects.filter(pk=agreement.pk).exists()
    for user in (world.person_user, world.staff):
        client = client_for(MUNICIPALITY_B, user=user)
        assert client.get(f"{API}{agreement.pk}/").status_code == 404
        assert client.post(f"{API}{agreement.pk}/confirm/", {}, content_type="application/json").status_code == 404
        listed = client.get(API)
        assert listed.status_code in (200, 403)
        if listed.status_code == 200:
            assert agreement.pk not in [row["id"] for row in listed.json()["results"]
                                        if row["person_name"] == world.adult.full_name]
    response = client_for(MUNICIPALITY_B, user=world.person_user).post(
        API, {"person": world.adult.pk, "service": world.service.pk, "total_units": "1"},
        content_type="application/json")
    assert response.status_code in (403, 404)


def test_list_query_budget_and_filters(world, client_for, django_assert_max_num_queries):
    for _ in range(3):
        draft(world)
    client = client_for(MUNICIPALITY_A, user=world.social_worker)
    with django_assert_max_num_queries(11):  # + the read audit row
        response = client.get(API + "?status=draft")
    assert response.status_code == 200 and response.json()["count"] >= 3
    assert all(row["status"] == "draft" for row in response.json()["results"])


def test_anonymous_and_national_site_are_refused(client_for):
    assert client_for(MUNICIPALITY_A).get(API).status_code in (401, 403)
    assert client_for(None).get(API).status_code == 404


def test_in_the_openapi_schema(client_for):
    schema = client_for(MUNICIPALITY_A).get("/api/schema/?format=json").json()
    operations = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert {"agreements_list", "agreements_create", "agreements_retrieve", "agreements_confirm",
            "agreements_accept", "agreements_decline", "agreements_cancel"} <= operations


def test_quote_shows_the_cost_and_writes_nothing(world, client_for):
    connection.set_tenant(world.municipality)
    before = Agreement.objects.count()
    response = client_for(MUNICIPALITY_A, user=world.person_user).post(
        API + "quote/", {"person": world.adult.pk, "service": world.service.pk, "total_units": "30"},
        content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["total_amount"] == "300.00" and body["available_after"] == "700.00"
    assert body["units_left_after"] == "70" and body["fits"] is True
    assert body["category"] == world.category.pk
    connection.set_tenant(world.municipality)
    assert Agreement.objects.count() == before
    other = client_for(MUNICIPALITY_A, user=world.person_user).post(
        API + "quote/", {"person": world.child.pk, "service": world.service.pk, "total_units": "1"},
        content_type="application/json")
    assert other.status_code == 404
