"""Bad input never gives a 5xx: a NUL byte in the path, a filter or a form, and a form body that is not
UTF-8, are refused with 400 in one place (the API in its error shape), and nothing is written."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection

from portal.budgets.people.models import Consent
from portal.marketplace.agreements.models import Agreement
from portal.platform.core.models import AuditEvent
from portal.tenants.roles import Role
from tests.conftest import MUNICIPALITY_A, HostClient, demo_user, host
from tests.factories import make_person

pytestmark = pytest.mark.django_db

# (site, url): None is the national site.
URLS = [
    (MUNICIPALITY_A, "/api/v1/agreements/?q=%00"),
    (MUNICIPALITY_A, "/api/v1/agreements/?status=%00"),
    (MUNICIPALITY_A, "/api/v1/persons/?q=%00"),
    (MUNICIPALITY_A, "/api/v1/budgets/?status=%00"),
    (MUNICIPALITY_A, "/api/v1/sessions/?status=%00"),
    (MUNICIPALITY_A, "/api/v1/invoices/?status=%00"),
    (MUNICIPALITY_A, "/budzeti/?q=%00"),
    (MUNICIPALITY_A, "/budzeti/?status=%00"),
    (MUNICIPALITY_A, "/audits/?q=%00"),
    (MUNICIPALITY_A, "/audits/?action=%00"),
    (MUNICIPALITY_A, "/lietotaji/?q=%00"),
    (MUNICIPALITY_A, "/rekini/?q=%00"),
    (MUNICIPALITY_A, "/rekini/?status=%00"),
    (MUNICIPALITY_A, "/vienosanas/?q=%00"),
    (MUNICIPALITY_A, "/vienosanas/%00/"),
    (MUNICIPALITY_A, "/?q%00=1"),
    (None, "/sniedzejs/darbs/?municipality=%00"),
    (None, "/api/v1/provider/work/?municipality=%00"),
    (None, "/api/v1/provider/work/?status=%00"),
    (None, "/meklet/?q=%00"),
]
ROLES = [None, Role.SOCIAL_WORKER, Role.MUNICIPALITY_ADMIN, Role.FINANCE_OFFICER, Role.PERSON,
         Role.SUPPORT_PERSON, Role.PROVIDER_STAFF]


def _client(client_for, code, role):
    user = None
    if role is not None:
        user = demo_user(role) if role == Role.PROVIDER_STAFF else demo_user(role, MUNICIPALITY_A)
    return client_for(code, user=user)


def _written(muni_a):
    connection.set_tenant(muni_a)
    counts = (AuditEvent.objects.count(), Agreement.objects.count(), Consent.objects.count())
    connection.set_schema_to_public()
    return counts


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
@pytest.mark.parametrize(("code", "url"), URLS, ids=[url for _code, url in URLS])
def test_a_nul_byte_in_a_filter_is_refused(code, url, role, client_for, muni_a):
    before = _written(muni_a)
    response = _client(client_for, code, role).get(url)
    assert response.status_code == 400, (url, role, response.status_code)
    if url.startswith("/api/"):
        assert response.json()["code"] == "bad_input" and response.json()["detail"]
    else:
        assert response["Content-Type"].startswith("text/html")
    assert _written(muni_a) == before


@pytest.mark.parametrize("role", [Role.SOCIAL_WORKER, Role.PERSON])
def test_a_nul_byte_in_a_form_or_json_body_is_refused(role, client_for, muni_a):
    before = _written(muni_a)
    client = _client(client_for, MUNICIPALITY_A, role)
    api = client.post("/api/v1/agreements/", {"person": 1, "service": 1, "explanation": "a\x00b"},
                      content_type="application/json")
    assert api.status_code == 400 and api.json()["code"] == "bad_input"
    page = client.post("/konts/ieiet/", {"username": "a\x00", "password": "x"})
    assert page.status_code == 400
    assert _written(muni_a) == before


def test_a_form_that_is_not_utf8_is_refused(muni_a):
    before = _written(muni_a)
    browser = HostClient(host(MUNICIPALITY_A), enforce_csrf_checks=True)  # as a browser: the CSRF check runs
    assert browser.get("/konts/ieiet/").status_code == 200
    token = browser.cookies[settings.CSRF_COOKIE_NAME].value
    response = browser.post(
        "/konts/ieiet/", f"username=a%40b.lv&password=x&csrfmiddlewaretoken={token}",
        content_type="application/x-www-form-urlencoded; charset=utf-16")
    assert response.status_code == 400
    assert _written(muni_a) == before


def test_consent_without_who_gave_it_is_a_clear_400(client_for, muni_a):
    connection.set_tenant(muni_a)
    person = make_person()
    connection.set_schema_to_public()
    before = _written(muni_a)
    response = _client(client_for, MUNICIPALITY_A, Role.SOCIAL_WORKER).post(
        f"/api/v1/persons/{person.pk}/consents/", {"kind": "data_processing", "given_on": "2026-01-05"},
        content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["field"] == "given_by_name"
    assert _written(muni_a) == before
