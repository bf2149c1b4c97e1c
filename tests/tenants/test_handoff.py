"""One sign-in across the platform's hosts (ADR 0009): the hand-off pass, and a landing page for every
role on every host it works on."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from portal.tenants.handoff import handoff_issue, handoff_redeem
from portal.tenants.models import SignInHandoff
from portal.tenants.roles import Role
from tests.conftest import MUNICIPALITY_A, MUNICIPALITY_B, HostClient, host

pytestmark = pytest.mark.django_db


def _hand_off(client, target: str):
    """Follow the hand-off from ``client``'s host to ``target``: (response, pass URL on the target host)."""
    start = client.get("/konts/pariet/", {"next": target})
    assert start.status_code == 302
    return start, start["Location"]


def _finish(hostname: str, location: str, client=None):
    parts = urlsplit(location)
    assert parts.hostname == hostname
    client = client or HostClient(hostname)
    return client, client.get(parts.path, parse_qs(parts.query) and {k: v[0] for k, v in parse_qs(parts.query).items()})


def test_provider_staff_signed_in_nationally_reach_a_municipality_agreements_signed_in(client_for, user_of):
    staff = user_of(Role.PROVIDER_STAFF)
    national = client_for(None, user=staff)
    target = f"http://{host(MUNICIPALITY_A)}/vienosanas/"
    start, location = _hand_off(national, target)
    assert start["Referrer-Policy"] == "no-referrer"
    jelgava, landed = _finish(host(MUNICIPALITY_A), location)
    assert landed.status_code == 302 and landed["Location"] == "/vienosanas/"
    agreements = jelgava.get("/vienosanas/")
    assert agreements.status_code == 200 and agreements.wsgi_request.user == staff
    # The pass is spent: replayed, it signs nobody in.
    replay, again = _finish(host(MUNICIPALITY_A), location)
    assert again.status_code == 302 and "/konts/ieiet/" in again["Location"]
    assert not replay.get("/vienosanas/").wsgi_request.user.is_authenticated


def test_a_pass_is_good_on_its_own_host_only(client_for, user_of):
    staff = user_of(Role.PROVIDER_STAFF)
    _, location = _hand_off(client_for(None, user=staff), f"http://{host(MUNICIPALITY_A)}/panelis/")
    query = urlsplit(location).query
    liepaja = HostClient(host(MUNICIPALITY_B))
    response = liepaja.get(f"/konts/turpinat/?{query}")
    assert "/konts/ieiet/" in response["Location"]
    assert not liepaja.get("/panelis/").wsgi_request.user.is_authenticated
    assert not SignInHandoff.objects.filter(user=staff).exists()  # spent by the failed attempt too


def test_an_expired_pass_signs_nobody_in(user_of):
    staff = user_of(Role.PROVIDER_STAFF)
    token = handoff_issue(user=staff, host=host(MUNICIPALITY_A))
    SignInHandoff.objects.filter(user=staff).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert handoff_redeem(token=token, host=host(MUNICIPALITY_A)) is None
    assert handoff_redeem(token="made-up", host=host(MUNICIPALITY_A)) is None


def test_no_pass_for_a_site_outside_the_platform(client_for, user_of):
    staff = user_of(Role.PROVIDER_STAFF)
    national = client_for(None, user=staff)
    for target in ("http://evil.example/vienosanas/", f"http://{host(MUNICIPALITY_A)}:8443/", "javascript:alert(1)"):
        response = national.get("/konts/pariet/", {"next": target})
        assert response.status_code == 302 and response["Location"] == "/panelis/", target
    assert not SignInHandoff.objects.filter(user=staff).exists()


def test_the_hand_off_needs_a_sign_in(client_for):
    response = client_for(None).get("/konts/pariet/", {"next": f"http://{host(MUNICIPALITY_A)}/"})
    assert response.status_code == 302 and "/konts/ieiet/" in response["Location"]
    assert not SignInHandoff.objects.exists()


def test_a_pass_never_switches_the_account_signed_in_on_the_target(client_for, user_of):
    staff = user_of(Role.PROVIDER_STAFF)
    _, location = _hand_off(client_for(None, user=staff), f"http://{host(MUNICIPALITY_A)}/panelis/")
    person = user_of(Role.PERSON)
    jelgava = client_for(MUNICIPALITY_A, user=person)
    _finish(host(MUNICIPALITY_A), location, client=jelgava)
    assert jelgava.get("/panelis/").wsgi_request.user == person


def test_provider_staff_have_a_landing_page_on_a_municipality_host(client_for, user_of, django_assert_max_num_queries):
    client = client_for(MUNICIPALITY_A, user=user_of(Role.PROVIDER_STAFF), language="en")
    with django_assert_max_num_queries(12):
        page = client.get("/panelis/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'href="/vienosanas/"' in html  # their agreements with this municipality
    assert "/konts/pariet/?next=http%3A%2F%2Flocalhost%2Fvienosanas%2F" in html  # the national dashboard, signed in


def test_a_municipality_member_on_another_municipality_host_is_pointed_home(client_for, user_of):
    client = client_for(MUNICIPALITY_B, user=user_of(Role.PERSON), language="en")
    page = client.get("/panelis/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"next=http%3A%2F%2F{MUNICIPALITY_A}.localhost%2F" in html and "data-role" not in html


def test_the_national_dashboard_links_to_municipalities_signed_in(client_for, user_of):
    page = client_for(None, user=user_of(Role.PERSON)).get("/panelis/")
    assert f"/konts/pariet/?next=http%3A%2F%2F{MUNICIPALITY_A}.localhost%2F" in page.content.decode()
    # Anonymous visitors get the plain address.
    home = client_for(None).get("/").content.decode()
    assert f'href="http://{MUNICIPALITY_A}.localhost/"' in home


# ---------------------------------------------------------------- one sign-in: sign-out and idle time-out
def _signed_in_on_both(client_for, user_of):
    """Provider staff signed in on the national site, handed off to municipality A: (national, jelgava)."""
    staff = user_of(Role.PROVIDER_STAFF)
    national = client_for(None, user=staff)
    _, location = _hand_off(national, f"http://{host(MUNICIPALITY_A)}/panelis/")
    jelgava, landed = _finish(host(MUNICIPALITY_A), location)
    assert landed.status_code == 302 and jelgava.get("/panelis/").wsgi_request.user == staff
    return staff, national, jelgava


def _signed_in(client) -> bool:
    return client.get("/panelis/").wsgi_request.user.is_authenticated


@pytest.mark.parametrize("where", ["national", "municipality"])
def test_signing_out_on_one_host_signs_out_on_every_host(client_for, user_of, where):
    from django.contrib.sessions.models import Session

    from portal.tenants.models import SignInSession

    staff, national, jelgava = _signed_in_on_both(client_for, user_of)
    rows = SignInSession.objects.filter(user=staff)
    assert rows.count() == 2 and rows.values("sign_in").distinct().count() == 1  # one sign-in, two hosts
    other_browser = client_for(MUNICIPALITY_B, user=staff)  # a sign-in of its own: not ended by this one
    (national if where == "national" else jelgava).post("/konts/iziet/")
    assert not _signed_in(national) and not _signed_in(jelgava)
    assert not Session.objects.filter(session_key__in=[national.session.session_key,
                                                        jelgava.session.session_key]).exists()
    assert _signed_in(other_browser)
    assert SignInSession.objects.filter(user=staff).count() == 1


def test_the_idle_time_out_is_the_sign_ins_on_every_host(client_for, user_of, settings):
    import time

    from portal.tenants import two_factor
    from portal.tenants.models import SignInSession

    staff, national, jelgava = _signed_in_on_both(client_for, user_of)
    idle = settings.STAFF_IDLE_MINUTES * 60
    for client in (national, jelgava):
        session = client.session
        assert session[two_factor.STAFF_SESSION]
        session[two_factor.SEEN_AT] = int(time.time()) - idle - 120
        session.save()
    # Active on the national site a minute ago: the municipality's session is not idle, it is the same sign-in.
    SignInSession.objects.filter(user=staff).update(seen_at=timezone.now() - timedelta(minutes=1))
    assert _signed_in(jelgava)
    # Idle everywhere: the time-out on the national site ends the municipality's session too, so the
    # municipality's host cannot carry the sign-in on (nor hand it back).
    SignInSession.objects.filter(user=staff).update(seen_at=timezone.now() - timedelta(seconds=idle + 120))
    session = jelgava.session
    session[two_factor.SEEN_AT] = int(time.time())  # (its own clock is not consulted once the sign-in is gone)
    session.save()
    response = national.get("/panelis/")
    assert response.status_code == 302 and "idle=1" in response["Location"]
    assert not _signed_in(jelgava) and not _signed_in(national)
    assert not SignInSession.objects.filter(user=staff).exists()
