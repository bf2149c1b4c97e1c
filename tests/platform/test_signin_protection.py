"""Guessing passwords: sign-in lock-out (django-axes), password-reset limits, no HTTP Basic, API throttles."""

import base64

import pytest
from django.core import mail

from portal.demo.users import DEMO_PASSWORD
from portal.tenants.roles import Role
from tests.conftest import MUNICIPALITY_A, MUNICIPALITY_B

pytestmark = pytest.mark.django_db


def _sign_in(client, email, password, **extra):
    return client.post("/konts/ieiet/", {"username": email, "password": password}, **extra)


@pytest.mark.parametrize("code", [MUNICIPALITY_A, None])
def test_thirty_wrong_passwords_then_the_right_one_is_refused(client_for, user_of, code):
    user = user_of(Role.SOCIAL_WORKER)
    client = client_for(code, language="en")
    statuses = [_sign_in(client, user.email, f"wrong-{i}").status_code for i in range(30)]
    assert statuses[:4] == [200] * 4 and set(statuses[4:]) == {429}  # the fifth failure locks
    response = _sign_in(client, user.email, DEMO_PASSWORD)
    body = response.content.decode()
    assert response.status_code == 429 and "_auth_user_id" not in client.session
    assert "Signing in is paused" in body and "/konts/parole/" in body and "15 minutes" in body


def test_the_lock_is_per_account_from_any_address_and_any_letter_case(client_for, user_of):
    user = user_of(Role.FINANCE_OFFICER)
    for i in range(5):
        _sign_in(client_for(MUNICIPALITY_A), user.email.upper(), "nope", REMOTE_ADDR=f"10.0.0.{i}")
    response = _sign_in(client_for(MUNICIPALITY_B), user.email, DEMO_PASSWORD, REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 429
    # another account from yet another address still signs in
    other = user_of(Role.PERSON)
    assert _sign_in(client_for(MUNICIPALITY_A), other.email, DEMO_PASSWORD, REMOTE_ADDR="10.8.8.8").status_code == 302


def test_the_lock_is_per_address_across_accounts(client_for, user_of):
    client = client_for(MUNICIPALITY_A)
    for i in range(5):
        _sign_in(client, f"guess{i}@example.lv", "nope", REMOTE_ADDR="10.1.1.1")
    response = _sign_in(client, user_of(Role.PERSON).email, DEMO_PASSWORD, REMOTE_ADDR="10.1.1.1")
    assert response.status_code == 429


def test_a_success_below_the_limit_clears_the_count(client_for, user_of):
    user = user_of(Role.PERSON)
    client = client_for(MUNICIPALITY_A)
    for _ in range(4):
        _sign_in(client, user.email, "nope")
    assert _sign_in(client, user.email, DEMO_PASSWORD).status_code == 302
    client.post("/konts/iziet/")
    for _ in range(4):
        _sign_in(client, user.email, "nope")
    assert _sign_in(client, user.email, DEMO_PASSWORD).status_code == 302


def test_axes_reset_unlocks(client_for, user_of):
    from django.core.management import call_command

    user = user_of(Role.PERSON)
    client = client_for(MUNICIPALITY_A)
    for _ in range(5):
        _sign_in(client, user.email, "nope")
    assert _sign_in(client, user.email, DEMO_PASSWORD).status_code == 429
    call_command("axes_reset_username", user.email.lower())
    call_command("axes_reset_ip", "127.0.0.1")
    assert _sign_in(client, user.email, DEMO_PASSWORD).status_code == 302


@pytest.mark.parametrize("code", [MUNICIPALITY_A, None])
def test_http_basic_is_not_accepted_on_the_api(client_for, user_of, code):
    user = user_of(Role.SOCIAL_WORKER)
    token = base64.b64encode(f"{user.email}:{DEMO_PASSWORD}".encode()).decode()
    response = client_for(code).get("/api/v1/me/", HTTP_AUTHORIZATION=f"Basic {token}")
    assert response.status_code in (401, 403)
    assert response.json()["code"] == "not_authenticated"


def test_password_reset_requests_are_limited_per_account_and_per_address(client_for, user_of):
    user = user_of(Role.FINANCE_OFFICER)
    client = client_for(MUNICIPALITY_A, language="en")
    statuses = [client.post("/konts/parole/", {"email": user.email}).status_code for _ in range(5)]
    assert statuses == [302] * 5  # the same answer every time: nothing revealed
    assert len(mail.outbox) == 3  # …but only three e-mails in the hour
    for i in range(10):
        client.post("/konts/parole/", {"email": f"someone{i}@example.lv"})
    response = client.post("/konts/parole/", {"email": "another@example.lv"})
    assert response.status_code == 429 and "Too many requests" in response.content.decode()
    assert len(mail.outbox) == 3


def test_api_throttles_the_accounts_scope(client_for, user_of, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    assert SimpleRateThrottle.THROTTLE_RATES["accounts"] == "60/min"
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {**SimpleRateThrottle.THROTTLE_RATES, "accounts": "3/min"})
    client = client_for(MUNICIPALITY_A, user=user_of(Role.SOCIAL_WORKER))
    statuses = [client.get("/api/v1/me/").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    assert client.get("/api/v1/me/").json()["code"] == "throttled"
