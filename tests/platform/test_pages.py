"""Every foundation page answers, in a bounded number of queries, on the right hosts only."""

import pytest

from portal.tenants.roles import Role
from tests.conftest import MUNICIPALITY_A, MUNICIPALITY_B

pytestmark = pytest.mark.django_db

ANONYMOUS_PAGES = [
    (None, "/", 3), (None, "/pasvaldibas/", 3), (None, "/konts/ieiet/", 2), (None, "/konts/parole/", 2),
    (MUNICIPALITY_A, "/", 2), (MUNICIPALITY_A, "/pasvaldibas/", 3), (MUNICIPALITY_A, "/konts/ieiet/", 2),
    (None, "/api/docs/", 2), (MUNICIPALITY_A, "/api/docs/", 2),
]


@pytest.mark.parametrize("code, path, max_queries", ANONYMOUS_PAGES)
def test_public_pages_answer_within_their_query_budget(client_for, code, path, max_queries,
                                                       django_assert_max_num_queries):
    client = client_for(code)
    with django_assert_max_num_queries(max_queries + 2):  # +2: host look-up and SET search_path on a cold cache
        response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Language"] == "lv" or path.startswith("/api/")


def test_audit_log_search_filters_and_paginates(client_for, user_of, muni_a):
    from django_tenants.utils import tenant_context

    from portal.platform.core.models import AuditEvent, audit

    actor = user_of(Role.SOCIAL_WORKER)
    with tenant_context(muni_a):
        for index in range(60):
            audit(actor=actor, action=AuditEvent.Action.VIEW, object_type="budgets.person",
                  object_id=str(index), summary=f"viewed person {index}")
    client = client_for(MUNICIPALITY_A, user=user_of(Role.MUNICIPALITY_ADMIN), language="en")
    first = client.get("/audits/?action=view").content.decode()
    assert "60 events" in first and "Page 1 of 2" in first
    only = client.get("/audits/?q=person 7").content.decode()
    assert "viewed person 7<" in only or "viewed person 7</td>" in only
    assert "viewed person 8" not in only


def test_dashboard_of_one_municipality_is_refused_on_another_municipality_host(client_for, user_of):
    client = client_for(MUNICIPALITY_B, user=user_of(Role.MUNICIPALITY_ADMIN))
    page = client.get("/panelis/")
    # A landing page, never a 403 loop: no panel of the roles held elsewhere, a signed-in link back home.
    assert page.status_code == 200
    assert b"data-role=" not in page.content and b"/konts/pariet/?next=http" in page.content
    assert client.get("/audits/").status_code == 403
