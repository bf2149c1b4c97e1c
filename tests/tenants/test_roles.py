"""Every role sees its own dashboard, and only where it holds the role."""

import pytest

from portal.tenants.roles import MUNICIPAL_ROLES, NATIONAL_ROLES, Role
from tests.conftest import MUNICIPALITY_A, MUNICIPALITY_B

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", sorted(MUNICIPAL_ROLES))
def test_municipal_role_sees_its_dashboard_panel_in_its_municipality(role, client_for, user_of,
                                                                      django_assert_max_num_queries):
    client = client_for(MUNICIPALITY_A, user=user_of(role), language="en")
    # 6, the read audit when the panel lists persons, the to-do list (2); the finance officer's dashboard also
    # counts open reconciliation alerts and sums the funding (payments)
    with django_assert_max_num_queries(12 if role == Role.FINANCE_OFFICER else 10):
        response = client.get("/panelis/")
    assert response.status_code == 200
    assert f'data-role="{role.value}"' in response.content.decode()


@pytest.mark.parametrize("role", sorted(MUNICIPAL_ROLES))
def test_municipal_role_gets_nothing_from_another_municipality(role, client_for, user_of):
    client = client_for(MUNICIPALITY_B, user=user_of(role, MUNICIPALITY_A))
    response = client.get("/panelis/")
    # A landing page, not a 403 (issue 10): no role held here, only a signed-in link back to their own site.
    assert response.status_code == 200
    page = response.content.decode()
    assert "data-role=" not in page and "data-watch" not in page
    assert f"/konts/pariet/?next=http%3A%2F%2F{MUNICIPALITY_A}.localhost%2F" in page
    assert client.get("/api/v1/me/").json()["roles"] == []


@pytest.mark.parametrize("role", sorted(NATIONAL_ROLES))
def test_national_role_sees_its_dashboard_on_the_national_site(role, client_for, user_of,
                                                               django_assert_max_num_queries):
    client = client_for(None, user=user_of(role))
    with django_assert_max_num_queries(6):
        response = client.get("/panelis/")
    assert response.status_code == 200
    assert f'data-role="{role.value}"' in response.content.decode()


@pytest.mark.parametrize("role", sorted(NATIONAL_ROLES))
def test_national_roles_hold_nothing_inside_a_municipality(role, client_for, user_of):
    response = client_for(MUNICIPALITY_A, user=user_of(role)).get("/panelis/")
    # A landing page with a signed-in link to the national dashboard; provider staff also see their work here.
    assert response.status_code == 200
    page = response.content.decode()
    assert "/konts/pariet/?next=http%3A%2F%2Flocalhost%2Fpanelis%2F" in page
    assert ('data-role="provider_staff"' in page) == (role == Role.PROVIDER_STAFF)
    assert all(f'data-role="{r.value}"' not in page for r in MUNICIPAL_ROLES)


def test_a_person_on_the_national_site_is_sent_to_their_municipality(client_for, user_of):
    body = client_for(None, user=user_of(Role.PERSON), language="en").get("/panelis/").content.decode()
    assert "/konts/pariet/?next=http%3A%2F%2Fjelgava.localhost%2F" in body  # there signed in (ADR 0009)
    assert "liepaja" not in body


def test_dashboard_needs_sign_in(client_for):
    response = client_for(MUNICIPALITY_A).get("/panelis/")
    assert response.status_code == 302
    assert response["Location"].startswith("/konts/ieiet/?next=/panelis/")


def test_audit_log_is_for_the_municipality_administrator_only(client_for, user_of,
                                                             django_assert_max_num_queries):
    admin = user_of(Role.MUNICIPALITY_ADMIN)
    client = client_for(MUNICIPALITY_A, user=admin)
    with django_assert_max_num_queries(6):
        assert client.get("/audits/?q=persona").status_code == 200
    for role in (Role.SOCIAL_WORKER, Role.FINANCE_OFFICER, Role.PERSON, Role.LEGAL_REPRESENTATIVE,
                 Role.SUPPORT_PERSON):
        assert client_for(MUNICIPALITY_A, user=user_of(role)).get("/audits/").status_code == 403


def test_audit_log_of_one_municipality_shows_nothing_of_another(client_for, user_of, muni_b):
    from django_tenants.utils import tenant_context

    from portal.platform.core.models import AuditEvent, audit

    with tenant_context(muni_b):
        audit(actor=user_of(Role.SOCIAL_WORKER, MUNICIPALITY_B), action=AuditEvent.Action.VIEW,
              object_type="budgets.person", object_id="77", summary="viewed Liepāja person 77")
    own = client_for(MUNICIPALITY_B, user=user_of(Role.MUNICIPALITY_ADMIN, MUNICIPALITY_B)).get("/audits/")
    assert "viewed Liepāja person 77" in own.content.decode()
    other = client_for(MUNICIPALITY_A, user=user_of(Role.MUNICIPALITY_ADMIN)).get("/audits/")
    assert other.status_code == 200
    assert "viewed Liepāja person 77" not in other.content.decode()
    # …and the Liepāja administrator on Jelgava's host is refused outright
    assert client_for(MUNICIPALITY_A, user=user_of(Role.MUNICIPALITY_ADMIN, MUNICIPALITY_B)).get(
        "/audits/").status_code == 403


def test_membership_scope_must_match_the_role(user_of, muni_a):
    from django.db import IntegrityError, transaction

    from portal.tenants.models import Membership

    user = user_of(Role.PERSON)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, role=Role.MINISTRY_ANALYST, municipality=muni_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, role=Role.SOCIAL_WORKER, municipality=None)
