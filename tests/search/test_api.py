"""REST search API: the page's search as JSON, same scope rules, query counts, bad input."""

from __future__ import annotations

import pytest

from tests.conftest import MUNICIPALITY_A, MUNICIPALITY_B

pytestmark = pytest.mark.django_db

URL = "/api/v1/search/services/"


def test_search_api_returns_hits_facets_and_paging(client_for, catalogue_ids, django_assert_max_num_queries):
    client = client_for(MUNICIPALITY_A)
    params = {"q": "klīniskais psihologs", "type": "psychologist", "per_page": 5}
    client.get(URL, params)  # the first search after a change loads the in-memory index (tested in test_memory)
    with django_assert_max_num_queries(4):
        response = client.get(URL, params)
    assert response.status_code == 200
    data = response.json()
    assert data["backend"] == "postgresql" and data["per_page"] == 5
    hit = next(h for h in data["results"] if h["service_id"] == catalogue_ids["expensive-psy"])
    assert hit["unit_price"] == "90.00" and hit["cap"] == "50.00" and hit["over_cap"] == "40.00"
    assert data["facets"]["service_type"]["psychologist"] == data["count"]


def test_the_same_request_on_the_other_municipality_does_not_find_it(client_for, catalogue_ids):
    params = {"q": "Aprūpe mājās Jelgavā", "type": "home-care", "per_page": 100}
    here = [h["service_id"] for h in client_for(MUNICIPALITY_A).get(URL, params).json()["results"]]
    there = [h["service_id"] for h in client_for(MUNICIPALITY_B).get(URL, params).json()["results"]]
    assert catalogue_ids["homecare-jelgava"] in here and catalogue_ids["homecare-jelgava"] not in there


def test_bad_input_is_a_400_with_a_stable_code(client_for, catalogue_ids):
    response = client_for(MUNICIPALITY_A).get(URL, {"age": "-3"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and response.json()["field"] == "age"
    assert client_for(None).get(URL, {"type": "no-such-type"}).status_code == 400


def test_search_api_is_public_on_the_national_site(client_for, catalogue_ids):
    response = client_for(None).get(URL, {"q": "fizioterapija pieaugušajiem liepaja"})
    assert response.status_code == 200
    assert catalogue_ids["unapproved-physio"] in [h["service_id"] for h in response.json()["results"]]


def test_a_person_searches_within_their_own_remaining_budget(client_for, user_of, catalogue_ids):
    from decimal import Decimal

    from django.db import connection

    from portal.budgets.ledger.selectors import available_by_service_type
    from portal.budgets.people.models import Person
    from portal.tenants.models import Municipality
    from portal.tenants.roles import Role

    user = user_of(Role.PERSON)
    client = client_for(MUNICIPALITY_A, user=user)
    page = client.get("/meklet/")
    assert 'name="budget"' in page.content.decode()
    data = client.get(URL, {"budget": "on", "per_page": 100, "sort": "distance"}).json()
    connection.set_tenant(Municipality.objects.get(code=MUNICIPALITY_A))
    person = Person.objects.get(user=user)
    available = available_by_service_type(person)
    assert available, "the demo person has an approved plan and a budget"
    for hit in data["results"]:
        limit = available.get(hit["service_type_code"], available.get("*", Decimal("0")))
        assert Decimal(hit["unit_price"]) <= limit
    everything = client.get(URL, {"per_page": 1}).json()["count"]
    assert data["count"] < everything
