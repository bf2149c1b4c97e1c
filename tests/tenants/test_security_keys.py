"""Security keys and passkeys (WebAuthn) as the second sign-in step: the services with an honest software
authenticator (tests/tenants/softkey.py; py_webauthn checks its real attestation and signatures), then the pages
and their JSON ceremonies through the test client."""

from __future__ import annotations

import json

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.demo.users import DEMO_PASSWORD
from portal.platform.core.errors import DomainError
from portal.platform.core.models import AuditEvent
from portal.tenants import security_keys, two_factor
from portal.tenants.models import SecurityKey
from portal.tenants.roles import Role
from tests.conftest import MUNICIPALITY_A, MUNICIPALITY_B, HostClient, host
from tests.tenants.softkey import SoftKey

pytestmark = pytest.mark.django_db

A_HOST = host(MUNICIPALITY_A)
A_ORIGIN = f"http://{A_HOST}"


def _app(user) -> TOTPDevice:
    return (TOTPDevice.objects.filter(user=user, confirmed=True).first()
            or TOTPDevice.objects.create(user=user, name=two_factor.TOTP_NAME, confirmed=True))


def _request(user, session, hostname=A_HOST):
    request = RequestFactory().post("/", HTTP_HOST=hostname)
    request.user, request.session = user, session
    return request


def _register(user, session, softkey, name="Blue key", hostname=A_HOST) -> SecurityKey:
    options = security_keys.security_key_register_begin(request=_request(user, session, hostname), name=name)
    answer = softkey.create(options, f"http://{hostname}")
    return security_keys.security_key_register_finish(request=_request(user, session, hostname), credential=answer)


def _owing_session() -> SessionStore:
    session = SessionStore()
    session[two_factor.SESSION_STATE] = two_factor.VERIFY
    return session


def _refusal(call) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value


@pytest.mark.parametrize(("base", "hostname", "rp_id"), [
    ("sbs.example.lv", "jelgava.sbs.example.lv", "sbs.example.lv"),  # one key for every municipality's host
    ("sbs.example.lv", "sbs.example.lv", "sbs.example.lv"),  # and the national site
    ("sbs.example.lv", "ib.jelgava.lv:8443", "ib.jelgava.lv"),  # a municipality's own host name: its own
    ("sbs.localhost", "jelgava.sbs.localhost:8000", "sbs.localhost"),
    ("localhost", "jelgava.localhost:8000", "jelgava.localhost"),  # Chromium refuses "localhost" from a subdomain
    ("localhost", "localhost", "localhost"),
])
def test_relying_party_is_the_base_domain_where_it_can_be_claimed(settings, base, hostname, rp_id):
    settings.PORTAL_BASE_DOMAIN = base
    assert security_keys.rp_id_for(hostname) == rp_id


def test_register_then_finish_the_second_step_with_the_key(user_of):
    user = user_of(Role.SOCIAL_WORKER)
    _app(user)
    softkey = SoftKey()
    key = _register(user, SessionStore(), softkey)
    assert (key.name, key.rp_id, key.credential_id, key.transports, key.sign_count) == (
        "Blue key", A_HOST, softkey.id, ["usb"], 0)
    assert AuditEvent.objects.filter(actor_id=user.pk, message="account.security_key_added", object_id=str(key.pk)).exists()
    assert two_factor.has_second_factor(user)

    session = _owing_session()
    options = security_keys.security_key_authenticate_begin(request=_request(user, session))
    assert options["rpId"] == A_HOST and [c["id"] for c in options["allowCredentials"]] == [softkey.id]
    request = _request(user, session)
    used = security_keys.security_key_authenticate_finish(request=request, credential=softkey.get(options, A_ORIGIN))
    assert used == key and session[DEVICE_ID_SESSION_KEY] == key.persistent_id
    assert two_factor.pending(request) is None
    key.refresh_from_db()
    assert key.sign_count == 1 and key.last_used_at is not None
    assert AuditEvent.objects.filter(actor_id=user.pk, action="login", message="account.security_key_used",
                                     object_id=str(key.pk)).exists()


def test_a_challenge_is_single_use_and_expires(user_of):
    user = user_of(Role.FINANCE_OFFICER)
    _app(user)
    softkey = SoftKey()
    _register(user, SessionStore(), softkey)
    session = _owing_session()
    options = security_keys.security_key_authenticate_begin(request=_request(user, session))
    answer = softkey.get(options, A_ORIGIN)
    security_keys.security_key_authenticate_finish(request=_request(user, session), credential=answer)
    session[two_factor.SESSION_STATE] = two_factor.VERIFY
    del session[DEVICE_ID_SESSION_KEY]
    replay = _refusal(lambda: security_keys.security_key_authenticate_finish(request=_request(user, session),
                                                                             credential=answer))
    assert replay.code == "security_key.challenge_expired"

    options = security_keys.security_key_authenticate_begin(request=_request(user, session))
    session[security_keys.CHALLENGE]["expires"] = 0  # five minutes later
    late = _refusal(lambda: security_keys.security_key_authenticate_finish(
        request=_request(user, session), credential=softkey.get(options, A_ORIGIN)))
    assert late.code == "security_key.challenge_expired" and security_keys.CHALLENGE not in session
    assert two_factor.pending(_request(user, session)) == two_factor.VERIFY


def test_an_answer_for_another_origin_or_challenge_is_refused_and_nothing_written(user_of):
    user = user_of(Role.SOCIAL_WORKER)
    _app(user)
    softkey = SoftKey()
    session = SessionStore()
    options = security_keys.security_key_register_begin(request=_request(user, session), name="Key")
    phished = softkey.create(options, f"http://{host(MUNICIPALITY_B)}")  # the page was another host's
    error = _refusal(lambda: security_keys.security_key_register_finish(request=_request(user, session),
                                                                        credential=phished))
    assert error.code == "security_key.invalid"
    options = security_keys.security_key_register_begin(request=_request(user, session), name="Key")
    other_rp = softkey.create(options, A_ORIGIN, rp_id="evil.example")
    assert _refusal(lambda: security_keys.security_key_register_finish(
        request=_request(user, session), credential=other_rp)).code == "security_key.invalid"
    security_keys.security_key_register_begin(request=_request(user, session), name="Key")
    assert _refusal(lambda: security_keys.security_key_register_finish(
        request=_request(user, session), credential="{not json")).code == "security_key.invalid"
    assert not SecurityKey.objects.filter(user=user).exists()


def test_a_sign_count_that_goes_back_is_refused_and_audited(user_of):
    user = user_of(Role.SOCIAL_WORKER)
    _app(user)
    softkey = SoftKey()
    key = _register(user, SessionStore(), softkey)
    session = _owing_session()
    options = security_keys.security_key_authenticate_begin(request=_request(user, session))
    security_keys.security_key_authenticate_finish(request=_request(user, session),
                                                   credential=softkey.get(options, A_ORIGIN, sign_count=7))
    session = _owing_session()
    options = security_keys.security_key_authenticate_begin(request=_request(user, session))
    clone = softkey.get(options, A_ORIGIN, sign_count=5)
    error = _refusal(lambda: security_keys.security_key_authenticate_finish(request=_request(user, session),
                                                                            credential=clone))
    assert error.code == "security_key.cloned" and error.status == 403
    key.refresh_from_db()
    assert key.sign_count == 7 and DEVICE_ID_SESSION_KEY not in session
    row = AuditEvent.objects.get(actor_id=user.pk, action="login_failed", object_id=str(key.pk))
    assert row.changes == {"stored_count": 7, "answered_count": 5}


def test_a_key_of_someone_else_or_a_forged_signature_does_not_sign_in(user_of):
    worker, officer = user_of(Role.SOCIAL_WORKER), user_of(Role.FINANCE_OFFICER)
    _app(worker)
    _app(officer)
    mine, theirs = SoftKey(), SoftKey()
    _register(worker, SessionStore(), mine)
    _register(officer, SessionStore(), theirs)
    session = _owing_session()
    options = security_keys.security_key_authenticate_begin(request=_request(worker, session))
    error = _refusal(lambda: security_keys.security_key_authenticate_finish(
        request=_request(worker, session), credential=theirs.get(options, A_ORIGIN)))
    assert error.code == "security_key.unknown"
    options = security_keys.security_key_authenticate_begin(request=_request(worker, session))
    forged = mine.get(options, A_ORIGIN)
    forged["response"]["signature"] = theirs.get(options, A_ORIGIN)["response"]["signature"]
    assert _refusal(lambda: security_keys.security_key_authenticate_finish(
        request=_request(worker, session), credential=forged)).code == "security_key.invalid"
    assert DEVICE_ID_SESSION_KEY not in session
    assert AuditEvent.objects.filter(actor_id=worker.pk, action="login_failed").count() == 2


def test_adding_needs_an_app_a_finished_sign_in_and_a_name(user_of):
    user = user_of(Role.PERSON)
    no_app = _refusal(lambda: security_keys.security_key_register_begin(request=_request(user, SessionStore()),
                                                                        name="Key"))
    assert no_app.code == "security_key.no_app"
    _app(user)
    owing = _refusal(lambda: security_keys.security_key_register_begin(request=_request(user, _owing_session()),
                                                                       name="Key"))
    assert owing.code == "security_key.sign_in_first"
    for name in ("   ", "x" * 65):
        error = _refusal(lambda n=name: security_keys.security_key_register_begin(
            request=_request(user, SessionStore()), name=n))
        assert (error.code, error.field) == ("security_key.name", "name")
    assert not SecurityKey.objects.filter(user=user).exists()


def test_removing_asks_for_the_password(user_of):
    user = user_of(Role.LEGAL_REPRESENTATIVE)
    _app(user)
    key = _register(user, SessionStore(), SoftKey())
    error = _refusal(lambda: security_keys.security_key_remove(request=_request(user, SessionStore()),
                                                               key_id=key.pk, password="wrong"))
    assert (error.code, error.field) == ("security_key.reauth", "password")
    assert SecurityKey.objects.filter(pk=key.pk).exists()
    other = user_of(Role.SOCIAL_WORKER)
    assert _refusal(lambda: security_keys.security_key_remove(request=_request(other, SessionStore()),
                                                              key_id=key.pk, password=DEMO_PASSWORD)).status == 404
    security_keys.security_key_remove(request=_request(user, SessionStore()), key_id=key.pk, password=DEMO_PASSWORD)
    assert not SecurityKey.objects.filter(pk=key.pk).exists()
    assert AuditEvent.objects.filter(actor_id=user.pk, action="delete", message="account.security_key_removed").exists()


# ---- pages and their JSON ceremonies ------------------------------------------------------------------------

def _signed_in(user, code=MUNICIPALITY_A) -> HostClient:
    """Password, then the app's code: a finished sign-in."""
    app = _app(user)
    client = HostClient(host(code))
    assert client.post("/konts/ieiet/", {"username": user.email, "password": DEMO_PASSWORD}).status_code == 302
    client.post("/konts/otrais-solis/", {"code": f"{totp(app.bin_key):06d}"})
    return client


def _json_post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json", HTTP_ACCEPT="application/json")


def test_pages_add_a_key_then_sign_in_with_it(user_of, settings, django_assert_max_num_queries):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    user = user_of(Role.SOCIAL_WORKER)
    client = _signed_in(user)
    with django_assert_max_num_queries(8):
        page = client.get("/konts/drosibas-atslegas/")
    assert page.status_code == 200 and 'id="security-key-add"' in page.content.decode()
    assert "portal/webauthn" in page.content.decode()
    refused = client.post("/konts/drosibas-atslegas/sakt/", {"name": ""}, HTTP_ACCEPT="application/json")
    assert refused.status_code == 400 and refused.json()["field"] == "name"
    options = client.post("/konts/drosibas-atslegas/sakt/", {"name": "Zilā atslēga"},
                          HTTP_ACCEPT="application/json").json()
    softkey = SoftKey()
    added = _json_post(client, "/konts/drosibas-atslegas/pabeigt/", softkey.create(options, A_ORIGIN))
    assert added.status_code == 201 and added.json()["redirect"] == "/konts/drosibas-atslegas/"
    listed = client.get("/konts/drosibas-atslegas/").content.decode()
    assert "Zilā atslēga" in listed and "Vēl nav izmantota" in listed

    client.post("/konts/iziet/")
    client = HostClient(A_HOST)
    client.post("/konts/ieiet/", {"username": user.email, "password": DEMO_PASSWORD})
    assert client.get("/budzeti/")["Location"].startswith("/konts/otrais-solis/?next=")
    with django_assert_max_num_queries(8):
        second_step = client.get("/konts/otrais-solis/?next=/budzeti/")
    assert 'id="security-key-use"' in second_step.content.decode()
    options = client.post("/konts/otrais-solis/atslega/sakt/", HTTP_ACCEPT="application/json").json()
    done = _json_post(client, "/konts/otrais-solis/atslega/pabeigt/?next=/budzeti/", softkey.get(options, A_ORIGIN))
    assert done.status_code == 200 and done.json() == {"redirect": "/budzeti/"}
    assert client.get("/budzeti/").status_code == 200


def test_a_key_of_one_municipality_host_is_not_offered_on_another(user_of, settings):
    """With the development base ``localhost`` each host is its own relying party (ADR 0019)."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    user = user_of(Role.PROVIDER_STAFF, None)
    _app(user)
    _register(user, SessionStore(), SoftKey())
    client = HostClient(host(MUNICIPALITY_B))
    client.post("/konts/ieiet/", {"username": user.email, "password": DEMO_PASSWORD})
    page = client.get("/konts/otrais-solis/").content.decode()
    assert 'id="security-key-use"' not in page and "portal/webauthn" not in page
    refused = client.post("/konts/otrais-solis/atslega/sakt/", HTTP_ACCEPT="application/json")
    assert refused.status_code == 404 and refused.json()["code"] == "security_key.none"


def test_remove_page_needs_the_password_and_is_the_owners_only(user_of, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    user, other = user_of(Role.PERSON), user_of(Role.SUPPORT_PERSON)
    _app(user)
    key = _register(user, SessionStore(), SoftKey())
    assert _signed_in(other).get(f"/konts/drosibas-atslegas/{key.pk}/nonemt/").status_code == 404
    client = _signed_in(user)
    wrong = client.post(f"/konts/drosibas-atslegas/{key.pk}/nonemt/", {"password": "nepareiza"})
    assert wrong.status_code == 400 and 'id="id_password-error"' in wrong.content.decode()
    assert SecurityKey.objects.filter(pk=key.pk).exists()
    done = client.post(f"/konts/drosibas-atslegas/{key.pk}/nonemt/", {"password": DEMO_PASSWORD})
    assert done.status_code == 302 and not SecurityKey.objects.filter(pk=key.pk).exists()


def test_anonymous_and_owing_the_step_reach_none_of_it(user_of):
    anonymous = HostClient(A_HOST)
    for url in ("/konts/drosibas-atslegas/", "/konts/drosibas-atslegas/sakt/", "/konts/otrais-solis/atslega/sakt/"):
        assert anonymous.post(url).status_code == 302
    user = user_of(Role.SOCIAL_WORKER)
    _app(user)
    client = HostClient(A_HOST)
    client.post("/konts/ieiet/", {"username": user.email, "password": DEMO_PASSWORD})
    assert client.get("/konts/drosibas-atslegas/")["Location"].startswith("/konts/otrais-solis/")
    refused = client.post("/konts/drosibas-atslegas/sakt/", {"name": "Key"}, HTTP_ACCEPT="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "security_key.sign_in_first"


def test_a_sign_in_finished_with_a_key_crosses_to_another_host_verified(user_of, settings):
    """The hand-off (ADR 0009) carries the key that verified the session: no second step on the next host."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    user = user_of(Role.SOCIAL_WORKER)
    _app(user)
    softkey = SoftKey()
    key = _register(user, SessionStore(), softkey)
    client = HostClient(A_HOST)
    client.post("/konts/ieiet/", {"username": user.email, "password": DEMO_PASSWORD})
    options = client.post("/konts/otrais-solis/atslega/sakt/", HTTP_ACCEPT="application/json").json()
    assert _json_post(client, "/konts/otrais-solis/atslega/pabeigt/", softkey.get(options, A_ORIGIN)).status_code == 200
    start = client.get("/konts/pariet/", {"next": f"http://{host(None)}/panelis/"})
    national = HostClient(host(None))
    landed = national.get(start["Location"].split(host(None), 1)[1])
    assert landed.status_code == 302 and landed["Location"] == "/panelis/"
    assert national.session[DEVICE_ID_SESSION_KEY] == key.persistent_id
    assert national.get("/panelis/").status_code == 200


def test_a_platform_administrator_deletes_a_lost_key_in_the_admin(client_for, user_of):
    admin = user_of(Role.PLATFORM_ADMIN, None)
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    owner = user_of(Role.PERSON)
    _app(owner)
    key = _register(owner, SessionStore(), SoftKey(), name="Pazaudētā")
    client = client_for(None, user=admin)
    listing = client.get("/admin/tenants/securitykey/")
    assert listing.status_code == 200 and "Pazaudētā" in listing.content.decode()
    assert client.get("/admin/tenants/securitykey/add/").status_code == 403
    assert client.post(f"/admin/tenants/securitykey/{key.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not SecurityKey.objects.filter(pk=key.pk).exists()
