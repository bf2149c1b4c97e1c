"""Host routing: the national site, each municipality's site, unknown hosts."""

import pytest

from tests.conftest import MUNICIPALITY_A, MUNICIPALITY_B

pytestmark = pytest.mark.django_db


def test_national_site_lists_the_municipalities_by_region(client_for):
    response = client_for(None).get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Jelgavas valstspilsēta" in body and "Liepājas valstspilsēta" in body
    assert "Zemgale" in body and "Kurzeme" in body


def test_municipality_host_shows_that_municipality(client_for):
    body = client_for(MUNICIPALITY_A).get("/").content.decode()
    assert "Jelgavas valstspilsēta" in body
    assert "Liepājas valstspilsēta" not in body


def test_each_host_is_routed_to_its_own_schema(client_for):
    assert client_for(MUNICIPALITY_A).get("/healthz").json()["schema"] == MUNICIPALITY_A
    assert client_for(MUNICIPALITY_B).get("/healthz").json()["schema"] == MUNICIPALITY_B
    assert client_for(None).get("/healthz").json()["schema"] == "public"


def test_unknown_host_gets_a_clear_404_page_not_a_stack_trace(client_for):
    response = client_for("nowhere").get("/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "nowhere.localhost" in body
    assert "Traceback" not in body
    assert '<html lang="lv"' in body


def test_unknown_host_page_switches_language_like_every_other_page(client_for):
    client = client_for("nowhere")
    switch = client.get("/?lang=en")
    assert switch.status_code == 302 and switch["Location"] == "/"
    response = client.get("/")
    assert response.status_code == 404
    body = response.content.decode()
    assert '<html lang="en"' in body and "No municipality at this address" in body


def test_unknown_path_gets_the_portal_404_page(client_for):
    response = client_for(MUNICIPALITY_A).get("/no-such-page/")
    assert response.status_code == 404
    assert "govuk-heading-xl" in response.content.decode()


def test_municipality_pages_are_absent_on_the_national_site(client_for):
    assert client_for(None).get("/audits/").status_code == 404


def test_a_request_costs_exactly_one_set_search_path(client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(MUNICIPALITY_A)
    client.get("/")  # warm the host cache, as on a running server
    for _ in range(2):
        connection.set_schema_to_public()  # a request starts on a connection in an unknown state
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/healthz").status_code == 200
        sets = [q["sql"] for q in ctx.captured_queries if q["sql"].upper().startswith("SET SEARCH_PATH")]
        assert sets == ['SET search_path = "jelgava","public"']
