"""Two-factor sign-in for staff (TOTP app + hashed recovery codes), its municipality setting and the demo's
exemption; families may opt in. Staff sessions end after idle time."""

from __future__ import annotations

import re
import time

import pytest
import segno
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.demo.users import DEMO_PASSWORD
from portal.platform.core.models import AuditEvent
from portal.tenants import two_factor
from portal.tenants.roles import Role
from tests.conftest import MUNICIPALITY_A, HostClient, host

pytestmark = pytest.mark.django_db

STAFF = [(Role.SOCIAL_WORKER, MUNICIPALITY_A), (Role.MUNICIPALITY_ADMIN, MUNICIPALITY_A),
         (Role.FINANCE_OFFICER, MUNICIPALITY_A), (Role.PROVIDER_STAFF, None), (Role.MINISTRY_ANALYST, None),
         (Role.PLATFORM_ADMIN, None)]
FAMILY = [Role.PERSON, Role.LEGAL_REPRESENTATIVE, Role.SUPPORT_PERSON]


def _password_sign_in(code, user) -> HostClient:
    client = HostClient(host(code))
    response = client.post("/konts/ieiet/", {"username": user.email, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    return client


def _code(device, steps_ahead: int = 0) -> str:
    return f"{totp(device.bin_key, t0=-30 * steps_ahead):06d}"


@pytest.mark.parametrize(("role", "code"), STAFF, ids=[r.value for r, _ in STAFF])
def test_every_staff_role_must_set_up_an_app_before_any_page_or_api(user_of, role, code):
    client = _password_sign_in(code, user_of(role, code or MUNICIPALITY_A))
    response = client.get("/panelis/")
    assert response.status_code == 302 and response["Location"].startswith("/konts/otrais-solis/iestatit/?next=")
    api = client.get("/api/v1/me/")
    assert api.status_code == 403 and api.json()["code"] == "two_factor_required"
    assert client.get("/konts/otrais-solis/iestatit/").status_code == 200


@pytest.mark.parametrize("role", FAMILY)
def test_families_are_not_asked_but_may_opt_in(user_of, role):
    client = _password_sign_in(MUNICIPALITY_A, user_of(role))
    assert client.get("/panelis/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 200
    page = client.get("/konts/otrais-solis/iestatit/")
    assert page.status_code == 200 and "otpauth://totp/" in page.content.decode()


def test_setup_verify_and_recovery_codes(user_of, settings, django_assert_max_num_queries):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    user = user_of(Role.SOCIAL_WORKER)
    client = _password_sign_in(MUNICIPALITY_A, user)
    page = client.get("/konts/otrais-solis/iestatit/?next=/budzeti/").content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    secret = re.search(r'id="two-factor-secret">([A-Z2-7 ]+)<', page).group(1)
    assert len(secret.replace(" ", "")) == 32  # the key as text, for typing in (no image needed)
    wrong = client.post("/konts/otrais-solis/iestatit/", {"code": "000000", "next": "/budzeti/"})
    assert wrong.status_code == 400 and "govuk-error-summary" in wrong.content.decode()
    done = client.post("/konts/otrais-solis/iestatit/", {"code": _code(device), "next": "/budzeti/"})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([0-9a-f]{6}-[0-9a-f]{6})</code></li>", done.content.decode())
    assert len(codes) == 10
    stored = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert len(stored) == 10 and not stored & set(codes)  # only hashes are kept
    with django_assert_max_num_queries(12):
        assert client.get("/budzeti/").status_code == 200

    # next sign-in: the code from the app, or a recovery code once
    client.post("/konts/iziet/")
    client = _password_sign_in(MUNICIPALITY_A, user)
    assert client.get("/budzeti/")["Location"].startswith("/konts/otrais-solis/?next=")
    assert client.post("/konts/otrais-solis/", {"code": _code(device, 1)})["Location"] == "/panelis/"
    assert client.get("/budzeti/").status_code == 200
    for attempt in range(2):
        client.post("/konts/iziet/")
        client = _password_sign_in(MUNICIPALITY_A, user)
        response = client.post("/konts/otrais-solis/", {"code": codes[0].upper()})
        assert response.status_code == (302 if attempt == 0 else 400)
    assert StaticToken.objects.filter(device__user=user).count() == 9


def test_a_municipality_may_turn_it_off_for_its_staff_but_national_roles_keep_it(user_of, muni_a):
    muni_a.staff_two_factor = False
    muni_a.save(update_fields=["staff_two_factor"])
    assert _password_sign_in(MUNICIPALITY_A, user_of(Role.FINANCE_OFFICER)).get("/panelis/").status_code == 200
    assert _password_sign_in(None, user_of(Role.PLATFORM_ADMIN)).get("/panelis/").status_code == 302


def test_the_demo_offers_it_without_requiring_it(user_of, settings):
    settings.PORTAL_DEMO = True
    client = _password_sign_in(MUNICIPALITY_A, user_of(Role.SOCIAL_WORKER))
    assert client.get("/panelis/").status_code == 200
    assert client.get("/konts/otrais-solis/iestatit/").status_code == 200


def test_the_second_step_cannot_be_skipped_with_a_next_to_elsewhere(user_of):
    client = _password_sign_in(MUNICIPALITY_A, user_of(Role.SOCIAL_WORKER))
    client.get("/konts/otrais-solis/iestatit/")
    device = TOTPDevice.objects.get(user=user_of(Role.SOCIAL_WORKER), confirmed=False)
    response = client.post("/konts/otrais-solis/iestatit/", {"code": _code(device), "next": "https://evil.example/"})
    assert 'href="/panelis/"' in response.content.decode() and "evil.example" not in response.content.decode()


# ---- idle timeout --------------------------------------------------------------------------------------------

def _age_session(client, seconds):
    """Time passes: the session's own clock and its sign-in's (shared by the hosts it reached, ADR 0009)."""
    from datetime import timedelta

    from django.utils import timezone

    from portal.tenants.models import SignInSession

    session = client.session
    session["seen_at"] = int(time.time()) - seconds
    session.save()
    SignInSession.objects.filter(session_key=session.session_key).update(
        seen_at=timezone.now() - timedelta(seconds=seconds))


def test_staff_sessions_end_after_idle_time(client_for, user_of, settings):
    client = client_for(MUNICIPALITY_A, user=user_of(Role.SOCIAL_WORKER), language="en")
    page = client.get("/panelis/").content.decode()
    assert 'id="idle-notice"' in page and 'data-idle-seconds="1800"' in page and "portal/idle.js" in page
    _age_session(client, 29 * 60)
    assert client.get("/panelis/").status_code == 200  # still within the 30 minutes: and that counts as activity
    _age_session(client, 31 * 60)
    response = client.get("/panelis/")
    assert response.status_code == 302 and response["Location"].startswith("/konts/ieiet/?")
    assert "idle=1" in response["Location"]
    assert "_auth_user_id" not in client.session
    assert "without activity" in client.get(response["Location"]).content.decode()


def test_idle_api_request_answers_401_and_keep_alive_counts(client_for, user_of):
    client = client_for(None, user=user_of(Role.PROVIDER_STAFF))
    _age_session(client, 10 * 60)
    assert client.get("/konts/aktivs/").status_code == 204
    assert time.time() - client.session["seen_at"] < 5
    _age_session(client, 31 * 60)
    response = client.get("/api/v1/me/")
    assert response.status_code == 401 and response.json()["code"] == "session_expired"


def test_families_have_no_idle_timeout(client_for, user_of):
    client = client_for(MUNICIPALITY_A, user=user_of(Role.PERSON))
    assert 'id="idle-notice"' not in client.get("/panelis/").content.decode()
    _age_session(client, 3 * 60 * 60)
    assert client.get("/panelis/").status_code == 200


# ---- the QR code and renewing recovery codes -------------------------------------------------------------------

def test_setup_page_shows_a_qr_code_as_plain_svg_with_the_text_beside_it(client_for, user_of):
    client = client_for(MUNICIPALITY_A, user=user_of(Role.PERSON), language="en")
    response = client.get("/konts/otrais-solis/iestatit/")
    page = response.content.decode()
    device = TOTPDevice.objects.get(user=user_of(Role.PERSON), confirmed=False)
    svg = re.search(r'<figure[^>]*id="two-factor-qr">\s*(<svg .*?</svg>)', page, re.S).group(1)
    assert 'role="img"' in svg and "<title>QR code for your authenticator app</title>" in svg
    assert "style" not in svg.lower() and "script" not in svg.lower() and " on" not in svg.split(">")[0]
    # the code is the otpauth link the page also gives as text (same modules as segno draws for that link)
    dark = re.compile(r'stroke="#0b0c0c"[^>]* d="([^"]+)"')
    expected = segno.make(device.config_url, error="m").svg_inline(scale=5, border=4, dark="#0b0c0c")
    assert dark.search(svg).group(1) == dark.search(expected).group(1)
    assert device.config_url.replace("&", "&amp;") in page
    assert re.search(r'id="two-factor-secret">([A-Z2-7]{4} ){7}[A-Z2-7]{4}<', page)  # the key, in groups
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def _renew(client, password=DEMO_PASSWORD, code="000000"):
    return client.post("/konts/otrais-solis/atjaunot-kodus/", {"password": password, "code": code})


def test_renewing_recovery_codes_needs_the_password_and_an_app_code(client_for, user_of, settings,
                                                                  django_assert_max_num_queries):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    user = user_of(Role.SOCIAL_WORKER)
    client = client_for(MUNICIPALITY_A, user=user, language="en")
    old = two_factor.recovery_codes_replace(user)
    stored = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    with django_assert_max_num_queries(8):
        assert client.get("/konts/otrais-solis/atjaunot-kodus/").status_code == 200
    before = AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED).count()

    wrong_password = _renew(client, password="not-it", code=_code(device))
    page = wrong_password.content.decode()
    assert wrong_password.status_code == 400 and 'id="id_password-error"' in page
    wrong_code = _renew(client, code="000000")
    assert wrong_code.status_code == 400 and 'id="id_code-error"' in wrong_code.content.decode()
    assert _renew(client, code="").status_code == 400
    assert set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) == stored
    failed = AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED).order_by("pk")[before:]
    assert [e.summary for e in failed] == [f"failed sign-in for {user.email}",
                                           "wrong two-factor code when renewing recovery codes"]

    done = _renew(client, code=_code(device))
    assert done.status_code == 200
    new = re.findall(r"<li><code>([0-9a-f]{6}-[0-9a-f]{6})</code></li>", done.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert "no longer work" in done.content.decode()
    now = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert len(now) == 10 and not now & stored and not now & set(new)  # old ones gone; only hashes kept
    assert AuditEvent.objects.filter(summary="two-factor recovery codes renewed", actor_id=user.pk).count() == 1

    # an old code no longer signs in; a new one does
    for code, status in ((old[0], 400), (new[0], 302)):
        client.post("/konts/iziet/")
        client = _password_sign_in(MUNICIPALITY_A, user)
        assert client.post("/konts/otrais-solis/", {"code": code}).status_code == status


def test_renewing_recovery_codes_needs_an_app_and_a_finished_sign_in(client_for, user_of):
    person = client_for(MUNICIPALITY_A, user=user_of(Role.PERSON))
    response = person.get("/konts/otrais-solis/atjaunot-kodus/")
    assert response.status_code == 302 and response["Location"] == "/konts/otrais-solis/iestatit/"
    assert _renew(person, code="123456").status_code == 302
    assert not StaticToken.objects.filter(device__user=user_of(Role.PERSON)).exists()

    user = user_of(Role.FINANCE_OFFICER)
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    owing = _password_sign_in(MUNICIPALITY_A, user)
    response = _renew(owing, code="123456")
    assert response.status_code == 302 and response["Location"].startswith("/konts/otrais-solis/?next=")
    assert not StaticToken.objects.filter(device__user=user).exists()
    assert HostClient(host(MUNICIPALITY_A)).get("/konts/otrais-solis/atjaunot-kodus/")["Location"].startswith(
        "/konts/ieiet/")
