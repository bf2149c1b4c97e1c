"""Administrators manage who holds which role — only in their own municipality."""

import re

import pytest
from django.core import mail

from portal.platform.accounts.models import User
from portal.platform.core.models import AuditEvent
from portal.tenants.access import has_role
from portal.tenants.models import Membership
from portal.tenants.roles import Role
from portal.tenants.services import membership_ensure
from tests.conftest import MUNICIPALITY_A, MUNICIPALITY_B

pytestmark = pytest.mark.django_db


def _state():
    return User.objects.count(), Membership.objects.count()


def test_admin_gives_a_new_social_worker_an_account_and_a_role(client_for, user_of, muni_a,
                                                                 django_capture_on_commit_callbacks):
    client = client_for(MUNICIPALITY_A, user=user_of(Role.MUNICIPALITY_ADMIN), language="en")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/lietotaji/", {"email": "Anna.Kalna@Jelgava.lv", "full_name": "Anna Kalna",
                                               "role": "social_worker"})
    assert response.status_code == 302
    user = User.objects.get(email="anna.kalna@jelgava.lv")
    assert not user.has_usable_password()
    assert Membership.objects.filter(user=user, municipality=muni_a, role="social_worker").exists()
    assert len(mail.outbox) == 1
    assert re.search(r"http://jelgava\.localhost/konts/parole/[^/]+/[^/]+/", mail.outbox[0].body)
    page = client.get("/lietotaji/?q=kalna").content.decode()
    assert "anna.kalna@jelgava.lv" in page


def test_a_bad_email_is_shown_next_to_the_field_and_nothing_is_written(client_for, user_of):
    before = _state()
    client = client_for(MUNICIPALITY_A, user=user_of(Role.MUNICIPALITY_ADMIN), language="en")
    response = client.post("/lietotaji/", {"email": "not-an-email", "full_name": "X", "role": "person"})
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_email-error"' in body and "govuk-error-summary" in body
    assert _state() == before


def test_a_national_role_cannot_be_given_inside_a_municipality(client_for, user_of):
    before = _state()
    client = client_for(MUNICIPALITY_A, user=user_of(Role.MUNICIPALITY_ADMIN), language="en")
    response = client.post("/lietotaji/", {"email": "x@example.lv", "full_name": "X", "role": "platform_admin"})
    assert response.status_code == 400
    assert _state() == before


def test_giving_the_same_role_twice_is_refused_clearly(client_for, user_of):
    person = user_of(Role.PERSON)
    before = _state()
    client = client_for(MUNICIPALITY_A, user=user_of(Role.MUNICIPALITY_ADMIN), language="en")
    response = client.post("/lietotaji/", {"email": person.email, "role": "person"})
    assert "already holds this role" in response.content.decode()
    assert _state() == before


def test_other_roles_cannot_manage_users(client_for, user_of):
    for role in (Role.SOCIAL_WORKER, Role.FINANCE_OFFICER, Role.PERSON):
        client = client_for(MUNICIPALITY_A, user=user_of(role))
        assert client.get("/lietotaji/").status_code == 403
        assert client.post("/lietotaji/", {"email": "a@b.lv", "full_name": "A", "role": "person"}).status_code == 403


def test_the_list_shows_only_this_municipalitys_people(client_for, user_of, django_assert_max_num_queries):
    client = client_for(MUNICIPALITY_A, user=user_of(Role.MUNICIPALITY_ADMIN))
    with django_assert_max_num_queries(6):
        body = client.get("/lietotaji/").content.decode()
    assert "persona@jelgava.localhost" in body
    assert "persona@liepaja.localhost" not in body


def test_an_admin_of_another_municipality_cannot_remove_a_role_here(client_for, user_of, muni_a):
    target = Membership.objects.get(user=user_of(Role.PERSON), municipality=muni_a)
    other_admin = client_for(MUNICIPALITY_B, user=user_of(Role.MUNICIPALITY_ADMIN, MUNICIPALITY_B))
    other_admin.post(f"/lietotaji/{target.pk}/nonemt/")
    assert Membership.objects.filter(pk=target.pk).exists()  # not found in Liepāja's scope


def test_an_admin_removes_a_role_but_not_their_own_admin_role(client_for, user_of, muni_a):
    admin = user_of(Role.MUNICIPALITY_ADMIN)
    client = client_for(MUNICIPALITY_A, user=admin)
    person = Membership.objects.get(user=user_of(Role.PERSON), municipality=muni_a)
    client.post(f"/lietotaji/{person.pk}/nonemt/")
    assert not Membership.objects.filter(pk=person.pk).exists()
    own = Membership.objects.get(user=admin, municipality=muni_a, role=Role.MUNICIPALITY_ADMIN)
    client.post(f"/lietotaji/{own.pk}/nonemt/")
    assert Membership.objects.filter(pk=own.pk).exists()


def test_memberships_api_lists_grants_and_revokes_within_the_host(client_for, user_of, muni_a,
                                                                  django_assert_max_num_queries):
    client = client_for(MUNICIPALITY_A, user=user_of(Role.MUNICIPALITY_ADMIN))
    with django_assert_max_num_queries(6):
        listed = client.get("/api/v1/memberships/").json()
    emails = {row["email"] for row in listed["results"]}
    assert "persona@jelgava.localhost" in emails and "persona@liepaja.localhost" not in emails
    created = client.post("/api/v1/memberships/", {"email": "finanses2@jelgava.lv", "full_name": "Otra Finansiste",
                                                   "role": "finance_officer"}, content_type="application/json")
    assert created.status_code == 201
    bad = client.post("/api/v1/memberships/", {"email": "nope", "role": "person"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid" and bad.json()["field"] == "email"
    removed = client.delete(f"/api/v1/memberships/{created.json()['id']}/")
    assert removed.status_code == 204
    # the same id through Liepāja's host: not found, nothing removed
    membership = Membership.objects.get(user=user_of(Role.PERSON), municipality=muni_a)
    other = client_for(MUNICIPALITY_B, user=user_of(Role.MUNICIPALITY_ADMIN, MUNICIPALITY_B))
    assert other.delete(f"/api/v1/memberships/{membership.pk}/").json()["code"] == "not_found"
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_platform_admin_adds_a_municipality_from_the_web(client_for, user_of):
    from portal.tenants.models import Municipality

    client = client_for(None, user=user_of(Role.PLATFORM_ADMIN), language="en")
    assert client.get("/pasvaldibas/jauna/").status_code == 200
    response = client.post("/pasvaldibas/jauna/", {"code": "sigulda", "name": "Siguldas novads", "region": "riga"})
    assert response.status_code == 302
    assert Municipality.objects.filter(code="sigulda").exists()
    before = Municipality.objects.count()
    bad = client.post("/pasvaldibas/jauna/", {"code": "Bad!", "name": "X", "region": "riga"})
    assert bad.status_code == 400 and 'id="id_code-error"' in bad.content.decode()
    assert Municipality.objects.count() == before
    assert client_for(None, user=user_of(Role.MINISTRY_ANALYST)).get("/pasvaldibas/jauna/").status_code == 403


def test_a_role_another_area_grants_is_audited_once_and_holds_at_once(user_of):
    owner = user_of(Role.PROVIDER_STAFF)
    colleague = User.objects.create_user("kolega@saules-stars.lv", full_name="Kolēģis Jauns")
    assert not has_role(colleague, Role.PROVIDER_STAFF)  # the colleague's roles are now cached
    membership = membership_ensure(user=colleague, role=Role.PROVIDER_STAFF, actor=owner)
    assert has_role(colleague, Role.PROVIDER_STAFF)  # the same object sees the new role
    grants = AuditEvent.objects.filter(object_type="tenants.membership", object_id=str(membership.pk))
    assert [(g.action, g.actor_id, g.summary) for g in grants] == [
        (AuditEvent.Action.CREATE, owner.pk, "granted provider_staff to kolega@saules-stars.lv")]
    assert membership_ensure(user=colleague, role=Role.PROVIDER_STAFF, actor=owner) == membership
    assert grants.count() == 1 and Membership.objects.filter(user=colleague).count() == 1
