"""The Open Referral HSDS 3.0 read API: valid against the vendored HSDS 3.0 schemas, public, CORS, tenancy."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

from portal.marketplace.search import hsds
from tests.conftest import MUNICIPALITY_A, MUNICIPALITY_B

pytestmark = pytest.mark.django_db

SCHEMA_DIR = Path(hsds.__file__).parent / "hsds_schema"
_SCHEMAS = {p.stem: json.loads(p.read_text()) for p in SCHEMA_DIR.glob("*.json")}
_REGISTRY = Registry().with_resources((s["$id"], Resource.from_contents(s)) for s in _SCHEMAS.values())


def validate(kind: str, data) -> None:
    Draft202012Validator(_SCHEMAS[kind], registry=_REGISTRY, format_checker=FormatChecker()).validate(data)


def validate_page(kind: str, data) -> None:
    validate("page", data)
    for item in data["contents"]:
        validate(kind, item)


def get(client, path, **params):
    response = client.get(f"/api/hsds/{path}", params)
    assert response["Access-Control-Allow-Origin"] == "*"
    return response


@pytest.mark.parametrize("site", [None, MUNICIPALITY_A])
@pytest.mark.parametrize("path, kind", [
    ("services", "service"), ("organizations", "organization"), ("service_at_locations", "service_at_location"),
    ("taxonomies", "taxonomy"), ("taxonomy_terms", "taxonomy_term"),
])
def test_every_list_is_valid_hsds(client_for, catalogue_ids, site, path, kind, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        response = get(client_for(site), path, per_page=10)
    assert response.status_code == 200, response.content
    data = response.json()
    validate_page(kind, data)
    assert data["total_items"] > 0 and len(data["contents"]) <= 10


def test_service_detail_is_valid_and_complete(client_for, catalogue_ids):
    sid = hsds.make_id("service", catalogue_ids["expensive-psy"])
    data = get(client_for(MUNICIPALITY_A), f"services/{sid}").json()
    validate("service", data)
    assert data["id"] == sid and data["status"] == "active"
    assert data["organization"]["name"] == "SIA \"Saulespuķe\""
    assert data["cost_options"][0]["amount"] == 90.0 and data["cost_options"][0]["currency"] == "EUR"
    assert data["attributes"][0]["taxonomy_term"]["code"] == "psychologist"
    assert data["service_at_locations"][0]["location"]["latitude"] == pytest.approx(56.66)


def test_detail_endpoints_are_valid(client_for, catalogue_ids):
    client = client_for(None)
    services = get(client, "services", search="logopēds").json()["contents"]
    service = services[0]
    organization = get(client, f"organizations/{service['organization_id']}").json()
    validate("organization", organization)
    sal = get(client, "service_at_locations", per_page=1).json()["contents"][0]
    validate("service_at_location", get(client, f"service_at_locations/{sal['id']}").json())
    term = get(client, "taxonomy_terms", search="psiholog").json()["contents"][0]
    validate("taxonomy_term", get(client, f"taxonomy_terms/{term['id']}").json())
    taxonomy = get(client, "taxonomies").json()["contents"][0]
    validate("taxonomy", get(client, f"taxonomies/{taxonomy['id']}").json())


def test_search_taxonomy_term_and_modified_after_filters(client_for, catalogue_ids):
    client = client_for(MUNICIPALITY_A)
    found = get(client, "services", search="psihologam", per_page=50).json()
    assert hsds.make_id("service", catalogue_ids["psy-jelgava"]) in [s["id"] for s in found["contents"]]
    from portal.marketplace.catalogue.models import ServiceType

    term_id = hsds.make_id("taxonomy_term", ServiceType.objects.get(code="speech-therapy").pk)
    typed = get(client, "services", taxonomy_term_id=term_id, per_page=100).json()
    assert typed["contents"] and all(s["attributes"][0]["taxonomy_term_id"] == term_id for s in typed["contents"])
    future = (timezone.now() + timedelta(days=1)).isoformat()
    assert get(client, "services", modified_after=future).json()["total_items"] == 0
    assert get(client, "services", taxonomy_term_id="not-ours").json()["empty"] is True


def test_pagination(client_for, catalogue_ids):
    client = client_for(None)
    first = get(client, "services", page=1, per_page=3).json()
    second = get(client, "services", page=2, per_page=3).json()
    assert first["first_page"] and not second["first_page"] and first["size"] == 3
    assert {s["id"] for s in first["contents"]}.isdisjoint({s["id"] for s in second["contents"]})
    assert first["total_pages"] == -(-first["total_items"] // 3)


def test_bad_parameters_change_nothing_and_say_why(client_for, catalogue_ids):
    response = get(client_for(None), "services", page="zero")
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert get(client_for(None), "services", modified_after="yesterday").status_code == 400


def test_a_service_not_approved_here_is_not_found_here(client_for, catalogue_ids):
    sid = hsds.make_id("service", catalogue_ids["homecare-jelgava"])
    assert get(client_for(MUNICIPALITY_A), f"services/{sid}").status_code == 200
    assert get(client_for(MUNICIPALITY_B), f"services/{sid}").status_code == 404
    saule = get(client_for(MUNICIPALITY_A), f"services/{hsds.make_id('service', catalogue_ids['daycare-saule'])}")
    org = saule.json()["organization_id"]
    assert get(client_for(MUNICIPALITY_A), f"organizations/{org}").status_code == 200
    assert get(client_for(MUNICIPALITY_B), f"organizations/{org}").status_code == 404  # nothing of it approved there


def test_unlisted_and_malformed_ids_are_not_found(client_for, catalogue_ids):
    client = client_for(None)
    assert get(client, f"services/{hsds.make_id('service', catalogue_ids['inactive-psy'])}").status_code == 404
    assert get(client, f"services/{hsds.make_id('organization', 1)}").status_code == 404
    assert get(client, "services/not-a-uuid").status_code == 404


def test_hsds_is_public_and_in_the_openapi_schema(client_for):
    assert get(client_for(None), "").json()["version"] == "3.0"
    schema = client_for(None).get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/hsds/services" in schema and "/api/v1/search/services/" in schema
