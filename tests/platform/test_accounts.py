"""Signing in and out, password reset, and the audit trail of sign-ins."""

import re

import pytest
from django.core import mail

from portal.demo.users import DEMO_PASSWORD
from portal.platform.core.models import AuditEvent
from portal.tenants.roles import Role
from tests.conftest import MUNICIPALITY_A

pytestmark = pytest.mark.django_db


def test_sign_in_with_email_and_password_lands_on_the_dashboard(client_for, user_of):
    user = user_of(Role.PERSON)
    client = client_for(MUNICIPALITY_A)
    response = client.post("/konts/ieiet/", {"username": user.email.upper(), "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/panelis/"
    assert client.get("/panelis/").status_code == 200  # staff go through the second step first: test_two_factor


def test_wrong_password_shows_the_error_next_to_the_form_and_signs_nobody_in(client_for, user_of):
    user = user_of(Role.PERSON)
    client = client_for(MUNICIPALITY_A, language="en")
    response = client.post("/konts/ieiet/", {"username": user.email, "password": "wrong-password"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body
    assert "The e-mail address or password is not right" in body
    assert "_auth_user_id" not in client.session


def test_failed_and_successful_sign_ins_are_audited_in_the_municipality_schema(client_for, user_of, muni_a):
    from django_tenants.utils import schema_context, tenant_context

    user = user_of(Role.PERSON)
    client = client_for(MUNICIPALITY_A)
    client.post("/konts/ieiet/", {"username": user.email, "password": "nope"})
    client.post("/konts/ieiet/", {"username": user.email, "password": DEMO_PASSWORD})
    with tenant_context(muni_a):
        actions = list(AuditEvent.objects.values_list("action", flat=True)[:2])
    assert actions == [AuditEvent.Action.LOGIN, AuditEvent.Action.LOGIN_FAILED]
    # …and nothing was written into the national (public) schema's log
    with schema_context("public"):
        assert not AuditEvent.objects.filter(actor_id=user.pk).exists()


def test_sign_out_needs_a_post_and_ends_the_session(client_for, user_of):
    client = client_for(MUNICIPALITY_A, user=user_of(Role.PERSON))
    assert client.get("/konts/iziet/").status_code == 405
    response = client.post("/konts/iziet/")
    assert response.status_code == 302
    assert client.get("/panelis/").status_code == 302  # back to the sign-in page


def test_password_reset_sends_a_link_that_sets_a_new_password(client_for, user_of):
    user = user_of(Role.FINANCE_OFFICER)
    client = client_for(MUNICIPALITY_A)
    response = client.post("/konts/parole/", {"email": user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://[^\s]+/konts/parole/[^\s]+/", mail.outbox[0].body).group(0)
    path = link.split(MUNICIPALITY_A + ".localhost", 1)[1]
    form_url = client.get(path)["Location"]  # Django swaps the token for a session-held one
    response = client.post(form_url, {"new_password1": "Jauna-parole-2026!", "new_password2": "Jauna-parole-2026!"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Jauna-parole-2026!")


def test_password_reset_for_an_unknown_address_reveals_nothing(client_for):
    response = client_for(MUNICIPALITY_A).post("/konts/parole/", {"email": "nobody@example.lv"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_passwords_are_hashed_with_argon2(user_of):
    assert user_of(Role.PERSON).password.startswith("argon2")


def test_session_and_csrf_cookies_are_http_only(client_for, user_of):
    client = client_for(MUNICIPALITY_A)
    client.post("/konts/ieiet/", {"username": user_of(Role.PERSON).email, "password": DEMO_PASSWORD})
    cookie = client.cookies["sbs_session"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["domain"] == ""  # host-only: never sent to another municipality's host
