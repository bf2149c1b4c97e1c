"""Catalogue API: detail on both sites, self-management on the national site, caps per municipality."""

import json
from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from portal.marketplace.approvals.models import PriceCap
from portal.marketplace.catalogue.models import CatalogueChange, Provider, Service
from portal.tenants.roles import Role
from tests.catalogue.conftest import profile_data
from tests.conftest import MUNICIPALITY_A, MUNICIPALITY_B, demo_user


def _patch(client, url, data):
    return client.patch(url, json.dumps(data), content_type="application/json")


def test_service_types_are_public(client_for, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client_for(None).get("/api/v1/catalogue/service-types/")
    assert response.status_code == 200 and len(response.json()) == 13


def test_service_detail_with_the_price_against_the_cap(client_for, new_service, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = client_for(MUNICIPALITY_A).get(f"/api/v1/catalogue/services/{new_service.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["unit_price"] == "55.00"
    assert body["price_against_cap"] == {"municipality": "jelgava", "cap": "45.00", "over_cap_rule": "copay",
                                         "over_cap_amount": "10.00"}


def test_service_detail_on_the_other_municipality_is_not_found(client_for, new_service):
    response = client_for(MUNICIPALITY_B).get(f"/api/v1/catalogue/services/{new_service.pk}/")
    assert response.status_code == 404 and response.json()["code"] == "catalogue.service_not_found"


def test_service_detail_on_the_national_site_has_no_cap(client_for, new_service):
    assert client_for(None).get(f"/api/v1/catalogue/services/{new_service.pk}/").json()["price_against_cap"] is None


def test_provider_detail_hides_the_bank_account(client_for, provider):
    body = client_for(None).get(f"/api/v1/catalogue/providers/{provider.slug}/").json()
    assert body["name"] == provider.name and "iban" not in body


def test_staff_lists_and_changes_their_provider(client_for, provider, staff_user, django_assert_max_num_queries):
    client = client_for(None, user=staff_user)
    with django_assert_max_num_queries(8):
        listing = client.get("/api/v1/catalogue/my/providers/")
    assert [p["slug"] for p in listing.json()["results"]] == [provider.slug]
    response = _patch(client, f"/api/v1/catalogue/my/providers/{provider.slug}/", {"phone": "+371 26666666"})
    assert response.status_code == 200 and response.json()["phone"] == "+371 26666666"


def test_bad_iban_through_the_api_has_a_stable_code_and_changes_nothing(client_for, provider, staff_user):
    client = client_for(None, user=staff_user)
    changes = CatalogueChange.objects.count()
    response = _patch(client, f"/api/v1/catalogue/my/providers/{provider.slug}/", {"iban": "LV00XXXX"})
    assert response.status_code == 400
    assert response.json()["code"] == "catalogue.invalid_iban" and response.json()["field"] == "iban"
    assert Provider.objects.get(pk=provider.pk).iban == provider.iban
    assert CatalogueChange.objects.count() == changes


def test_staff_adds_a_service_and_changes_its_capacity(client_for, provider, staff_user, django_assert_max_num_queries):
    client = client_for(None, user=staff_user)
    response = client.post(f"/api/v1/catalogue/my/providers/{provider.slug}/services/", {
        "service_type": "speech-therapy", "title_lv": "Logopēds mājās", "description_lv": "Nodarbības mājās.",
        "target_groups": ["children"], "delivery_modes": ["home"], "unit": "session", "unit_price": "28.00",
    }, content_type="application/json")
    assert response.status_code == 201, response.json()
    service_id = response.json()["id"]
    response = _patch(client, f"/api/v1/catalogue/my/services/{service_id}/", {"free_places": 0, "waiting_weeks": 5})
    assert response.status_code == 200 and response.json()["waiting_weeks"] == 5
    with django_assert_max_num_queries(8):
        listing = client.get(f"/api/v1/catalogue/my/providers/{provider.slug}/services/")
    assert any(s["id"] == service_id for s in listing.json()["results"]) or listing.json()["next"]
    history = client.get(f"/api/v1/catalogue/my/providers/{provider.slug}/history/").json()["results"]
    assert history[0]["kind"] == "capacity_changed"


def test_someone_elses_service_is_not_found_through_the_api(client_for, staff_user):
    other = Service.objects.exclude(provider__staff__user=staff_user).first()
    client = client_for(None, user=staff_user)
    assert client.get(f"/api/v1/catalogue/my/services/{other.pk}/").status_code == 404
    assert _patch(client, f"/api/v1/catalogue/my/services/{other.pk}/", {"unit_price": "1.00"}).status_code == 404
    assert Service.objects.get(pk=other.pk).unit_price == other.unit_price


@pytest.mark.parametrize("role, code", [(Role.MINISTRY_ANALYST, None), (Role.PERSON, MUNICIPALITY_A)])
def test_self_management_refuses_other_roles(client_for, provider, role, code):
    client = client_for(None, user=demo_user(role, code) if code else demo_user(role))
    assert client.get("/api/v1/catalogue/my/providers/").status_code == 403
    assert client.get(f"/api/v1/catalogue/my/providers/{provider.slug}/").status_code == 403


def test_signed_in_user_registers_a_provider_through_the_api(client_for):
    analyst = demo_user(Role.MINISTRY_ANALYST)
    response = client_for(None, user=analyst).post("/api/v1/catalogue/my/providers/", profile_data(),
                                                   content_type="application/json")
    assert response.status_code == 201 and response.json()["status"] == "pending"


def test_self_management_is_not_on_a_municipality_host(client_for, staff_user):
    assert client_for(MUNICIPALITY_A, user=staff_user).get("/api/v1/catalogue/my/providers/").status_code == 404


def test_price_caps_per_municipality(client_for, muni_a, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        response = client_for(MUNICIPALITY_A).get("/api/v1/catalogue/price-caps/")
    assert response.status_code == 200 and len(response.json()) == 13
    admin = client_for(MUNICIPALITY_A, user=demo_user(Role.MUNICIPALITY_ADMIN, MUNICIPALITY_A))
    response = admin.post("/api/v1/catalogue/price-caps/", {"service_type": "transport", "unit": "session",
                                                            "amount": "21.00", "over_cap_rule": "refuse"},
                          content_type="application/json")
    assert response.status_code == 200 and response.json()["amount"] == "21.00"
    with tenant_context(muni_a):
        assert PriceCap.objects.get(service_type__code="transport", unit="session").amount == Decimal("21.00")


def test_price_caps_cannot_be_set_by_another_municipalitys_admin(client_for, muni_a):
    with tenant_context(muni_a):
        before = list(PriceCap.objects.values_list("pk", "amount"))
    other = client_for(MUNICIPALITY_A, user=demo_user(Role.MUNICIPALITY_ADMIN, MUNICIPALITY_B))
    response = other.post("/api/v1/catalogue/price-caps/", {"service_type": "transport", "unit": "session",
                                                            "amount": "1.00"}, content_type="application/json")
    assert response.status_code == 403
    with tenant_context(muni_a):
        assert list(PriceCap.objects.values_list("pk", "amount")) == before


def test_endpoints_are_in_the_openapi_schema(client_for):
    from drf_spectacular.generators import SchemaGenerator

    served = client_for(MUNICIPALITY_A).get("/api/schema/?format=json").json()
    assert "/api/v1/catalogue/services/{service_id}/" in served["paths"]
    assert "/api/v1/catalogue/price-caps/" in served["paths"]
    national = SchemaGenerator(urlconf="portal.platform.urls_public").get_schema(request=None, public=True)
    for path in ("/api/v1/catalogue/my/providers/", "/api/v1/catalogue/my/services/{service_id}/",
                 "/api/v1/catalogue/my/providers/{slug}/history/"):
        assert path in national["paths"], path


def test_provider_detail_api_on_a_municipality_that_did_not_approve_it_is_not_found(client_for, muni_b):
    with tenant_context(muni_b):
        from portal.marketplace.approvals.models import ProviderApproval

        approved = set(ProviderApproval.objects.filter(status="approved").values_list("provider_id", flat=True))
    other = Provider.objects.filter(status="verified").exclude(pk__in=approved).first()
    assert client_for(MUNICIPALITY_B).get(f"/api/v1/catalogue/providers/{other.slug}/").status_code == 404
