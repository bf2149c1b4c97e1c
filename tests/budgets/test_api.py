"""Budget API: balances and ledger entries with tenant and role checks; the methodology."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from portal.budgets.ledger.models import MethodologyRate
from portal.budgets.ledger.selectors import categories_of
from portal.budgets.ledger.services import funds_reserve
from portal.tenants.roles import Role
from tests.conftest import MUNICIPALITY_A, MUNICIPALITY_B
from tests.factories import make_budget

pytestmark = pytest.mark.django_db
D = Decimal


def _budget(user=None):
    budget = make_budget(user=user)
    funds_reserve(category=categories_of(budget)[0], amount="100", reference="agreement:api",
                  idempotency_key=f"api:{budget.pk}", actor=None)
    return budget


def test_staff_list_and_read_balances(in_a, client_for, user_of, django_assert_max_num_queries):
    budget = _budget()
    client = client_for(MUNICIPALITY_A, user=user_of(Role.SOCIAL_WORKER))
    with django_assert_max_num_queries(12):  # + the read audit (resolve persons, one row)
        response = client.get("/api/v1/budgets/", {"person": budget.person_id})
    assert response.status_code == 200
    [item] = response.json()["results"]
    assert item["total"] == "8900.00"
    assert [(c["granted"], c["reserved"], c["available"]) for c in item["categories"]] == [
        ("5340.00", "100.00", "5240.00"), ("3560.00", "0.00", "3560.00")]
    assert item["categories"][0]["service_types"] == ["respite-care"]
    detail = client.get(f"/api/v1/budgets/{budget.pk}/")
    assert detail.status_code == 200 and detail.json()["id"] == budget.pk


def test_ledger_entries_endpoint(in_a, client_for, user_of, django_assert_max_num_queries):
    budget = _budget()
    client = client_for(MUNICIPALITY_A, user=user_of(Role.FINANCE_OFFICER))
    with django_assert_max_num_queries(10):
        response = client.get(f"/api/v1/budgets/{budget.pk}/entries/")
    assert response.status_code == 200
    kinds = [e["kind"] for e in response.json()["results"]]
    assert sorted(kinds) == ["grant", "grant", "reserve"]
    only = client.get(f"/api/v1/budgets/{budget.pk}/entries/", {"kind": "reserve"}).json()["results"]
    assert [(e["kind"], e["amount"], e["reference"]) for e in only] == [("reserve", "100.00", "agreement:api")]


def test_other_municipality_finds_nothing(in_a, client_for, user_of):
    budget = _budget()
    connection.set_schema_to_public()
    client = client_for(MUNICIPALITY_B, user=user_of(Role.SOCIAL_WORKER, MUNICIPALITY_B))
    assert client.get(f"/api/v1/budgets/{budget.pk}/").status_code == 404
    assert client.get(f"/api/v1/budgets/{budget.pk}/entries/").status_code == 404
    ids = [b["id"] for b in client.get("/api/v1/budgets/", {"person": budget.person_id}).json()["results"]]
    assert budget.pk not in ids


def test_family_sees_only_their_own(in_a, client_for, user_of):
    person_user = user_of(Role.PERSON)
    own, other = _budget(user=person_user), _budget()
    client = client_for(MUNICIPALITY_A, user=person_user)
    ids = [b["id"] for b in client.get("/api/v1/budgets/").json()["results"]]
    assert own.pk in ids and other.pk not in ids
    assert client.get(f"/api/v1/budgets/{other.pk}/").json()["code"] == "not_found"
    assert client.get(f"/api/v1/budgets/{other.pk}/entries/").status_code == 404


def test_roles_without_access_are_refused(in_a, client_for, user_of):
    budget = _budget()
    provider = client_for(MUNICIPALITY_A, user=user_of(Role.PROVIDER_STAFF))
    assert provider.get("/api/v1/budgets/").status_code == 403
    assert provider.get(f"/api/v1/budgets/{budget.pk}/").status_code == 403
    assert client_for(MUNICIPALITY_A).get("/api/v1/budgets/").status_code in (401, 403)


def test_methodology_api(in_a, client_for, user_of):
    admin = client_for(MUNICIPALITY_A, user=user_of(Role.MUNICIPALITY_ADMIN))
    data = admin.get("/api/v1/budget-methodology/").json()
    assert {"target_group": "adults", "level": 2, "annual_amount": "8900.00"} in data["rates"]
    payload = {"min_period_months": 6, "max_period_months": 12,
               "rates": [{"target_group": "adults", "level": 2, "annual_amount": "9100.00"}]}
    response = admin.put("/api/v1/budget-methodology/", payload, content_type="application/json")
    assert response.status_code == 200
    assert MethodologyRate.objects.get(target_group="adults", level=2).annual_amount == D("9100.00")
    bad = admin.put("/api/v1/budget-methodology/", {**payload, "funding": [{"code": "esf", "share_percent": "50"}]},
                    content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "budget.methodology_invalid"
    worker = client_for(MUNICIPALITY_A, user=user_of(Role.SOCIAL_WORKER))
    assert worker.get("/api/v1/budget-methodology/").status_code == 200
    assert worker.put("/api/v1/budget-methodology/", payload, content_type="application/json").status_code == 403
    connection.set_schema_to_public()
    other = client_for(MUNICIPALITY_B, user=user_of(Role.MUNICIPALITY_ADMIN, MUNICIPALITY_B))
    rates = other.get("/api/v1/budget-methodology/").json()["rates"]
    assert {"target_group": "adults", "level": 2, "annual_amount": "7900.00"} in rates


def test_budgets_appear_in_the_schema(client_for):
    schema = client_for(MUNICIPALITY_A).get("/api/schema/").content.decode()
    assert "/api/v1/budgets/{budget_id}/entries/" in schema


def test_staff_reads_through_the_api_are_audited_like_the_page(in_a, client_for, user_of):
    from portal.platform.core.models import AuditEvent

    budget = _budget()
    worker = user_of(Role.SOCIAL_WORKER)
    client = client_for(MUNICIPALITY_A, user=worker)
    reads = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, object_type="ledger.budget",
                                      object_id=str(budget.pk))
    assert client.get(f"/budzeti/{budget.pk}/").status_code == 200
    connection.set_tenant(in_a)
    [page_read] = reads.values_list("actor_id", "summary")
    assert page_read == (worker.pk, f"budget of person {budget.person_id}")
    assert client.get(f"/api/v1/budgets/{budget.pk}/").status_code == 200
    assert client.get(f"/api/v1/budgets/{budget.pk}/entries/").status_code == 200
    connection.set_tenant(in_a)
    assert list(reads.values_list("actor_id", "summary")) == [page_read] * 3
    person_user = user_of(Role.PERSON)
    own = _budget(user=person_user)
    assert client_for(MUNICIPALITY_A, user=person_user).get(f"/api/v1/budgets/{own.pk}/").status_code == 200
    connection.set_tenant(in_a)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, object_type="ledger.budget",
                                         object_id=str(own.pk)).exists()
