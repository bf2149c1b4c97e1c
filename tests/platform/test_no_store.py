"""Nothing a signed-in user was shown is kept by a browser or proxy cache: ``Cache-Control: no-store`` on
every response to a signed-in request (pages, API, documents); public pages stay cacheable."""

from __future__ import annotations

import pytest

from portal.tenants.roles import Role
from tests.conftest import MUNICIPALITY_A, demo_user

pytestmark = pytest.mark.django_db

SIGNED_IN = [
    (Role.SOCIAL_WORKER, MUNICIPALITY_A, "/api/v1/persons/"),
    (Role.SOCIAL_WORKER, MUNICIPALITY_A, "/api/v1/agreements/"),
    (Role.SOCIAL_WORKER, MUNICIPALITY_A, "/budzeti/"),
    (Role.SOCIAL_WORKER, MUNICIPALITY_A, "/vienosanas/"),
    (Role.MUNICIPALITY_ADMIN, MUNICIPALITY_A, "/audits/"),
    (Role.MUNICIPALITY_ADMIN, MUNICIPALITY_A, "/lietotaji/"),
    (Role.FINANCE_OFFICER, MUNICIPALITY_A, "/rekini/"),
    (Role.PERSON, MUNICIPALITY_A, "/api/v1/sessions/"),
    (Role.PERSON, MUNICIPALITY_A, "/api/v1/budgets/"),
    (Role.PERSON, MUNICIPALITY_A, "/nodarbibas/"),
    (Role.PERSON, MUNICIPALITY_A, "/api/v1/persons/does-not-exist/"),  # a 404 too
    (Role.PROVIDER_STAFF, None, "/sniedzejs/darbs/"),
    (Role.PROVIDER_STAFF, None, "/api/v1/provider/work/"),
]


@pytest.mark.parametrize(("role", "code", "url"), SIGNED_IN, ids=[f"{r}:{u}" for r, _c, u in SIGNED_IN])
def test_signed_in_responses_are_not_stored(role, code, url, client_for):
    user = demo_user(role) if role == Role.PROVIDER_STAFF else demo_user(role, MUNICIPALITY_A)
    response = client_for(code, user=user).get(url)
    assert response.status_code < 500
    assert "no-store" in response.get("Cache-Control", ""), (url, response.get("Cache-Control"))


@pytest.mark.parametrize(("code", "url"), [(None, "/"), (MUNICIPALITY_A, "/")])
def test_public_pages_for_anonymous_visitors_are_not_marked(code, url, client_for):
    response = client_for(code).get(url)
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
