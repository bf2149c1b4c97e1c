"""The REST API: identity per host, the municipality list, the OpenAPI schema, error shape."""

import pytest

from portal.tenants.roles import Role
from tests.conftest import MUNICIPALITY_A, MUNICIPALITY_B

pytestmark = pytest.mark.django_db


def test_me_lists_the_roles_held_on_this_host(client_for, user_of, django_assert_max_num_queries):
    client = client_for(MUNICIPALITY_A, user=user_of(Role.SOCIAL_WORKER))
    client.get("/healthz")  # the first request on a host fills the host cache (two queries, once per process)
    with django_assert_max_num_queries(4):
        data = client.get("/api/v1/me/").json()
    assert data["municipality"] == MUNICIPALITY_A
    assert data["roles"] == ["social_worker"]


def test_me_on_another_municipality_host_holds_no_role(client_for, user_of):
    data = client_for(MUNICIPALITY_B, user=user_of(Role.SOCIAL_WORKER)).get("/api/v1/me/").json()
    assert data == {**data, "municipality": MUNICIPALITY_B, "roles": []}


def test_anonymous_api_call_gets_a_stable_error_code(client_for):
    response = client_for(MUNICIPALITY_A).get("/api/v1/me/")
    assert response.status_code in (401, 403)
    assert response.json()["code"] == "not_authenticated"


def test_unknown_api_path_is_a_404_with_a_code(client_for, user_of):
    response = client_for(MUNICIPALITY_A, user=user_of(Role.PERSON)).get("/api/v1/nothing-here/")
    assert response.status_code == 404


def test_municipality_list_is_public(client_for, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):  # host, count, page, prefetched hosts (+1 SET)
        data = client_for(None).get("/api/v1/municipalities/").json()
    codes = {row["code"] for row in data["results"]}
    assert {MUNICIPALITY_A, MUNICIPALITY_B} <= codes
    assert "national" not in codes
    jelgava = next(row for row in data["results"] if row["code"] == MUNICIPALITY_A)
    assert jelgava["host"] == "jelgava.localhost" and jelgava["region"] == "zemgale"


def test_openapi_schema_generates_and_documents_the_endpoints(client_for):
    response = client_for(None).get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/me/" in schema["paths"]
    assert "/api/v1/municipalities/" in schema["paths"]


def test_each_site_serves_the_schema_of_its_own_endpoints(client_for):
    national = client_for(None).get("/api/schema/?format=json").json()["paths"]
    municipal = client_for(MUNICIPALITY_A).get("/api/schema/?format=json").json()["paths"]
    assert "/api/v1/provider/work/" in national  # a provider's work across municipalities: national only
    assert "/api/v1/provider/work/" not in municipal
    assert any(path.startswith("/api/v1/persons/") for path in municipal)  # personal data: municipal only
    assert not any(path.startswith("/api/v1/persons/") for path in national)


def test_openapi_schema_has_no_generator_warnings():
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    SchemaGenerator(urlconf="portal.platform.urls_tenant").get_schema(request=None, public=True)
    SchemaGenerator(urlconf="portal.platform.urls_public").get_schema(request=None, public=True)
    assert not GENERATOR_STATS._warn_cache and not GENERATOR_STATS._error_cache


def test_api_docs_page_uses_no_cdn(client_for):
    body = client_for(None).get("/api/swagger/").content.decode()
    assert "cdn.jsdelivr" not in body and "/static/drf_spectacular_sidecar/" in body
