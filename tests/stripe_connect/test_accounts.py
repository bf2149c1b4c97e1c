"""Connecting a provider: one Stripe account, the onboarding redirect, readiness from account.updated."""

from __future__ import annotations

import time

import pytest
from django.db import connection

from portal.marketplace.stripe_connect.models import ConnectAccount, WebhookEvent
from portal.tenants.roles import Role
from tests.conftest import MUNICIPALITY_A, MUNICIPALITY_B
from tests.factories import approve, make_provider, own_staff_user

pytestmark = pytest.mark.django_db


def _connect(client, provider):
    return client.post(f"/mans-sniedzejs/{provider.slug}/stripe/pieslegt/")


def test_connecting_creates_one_account_and_sends_the_provider_to_onboarding(standin, client_for):
    provider = make_provider()
    staff = own_staff_user(provider)
    client = client_for(None, user=staff)
    first = _connect(client, provider)
    assert first.status_code == 302 and first["Location"].startswith(f"{standin.base}/setup/s/acct_")
    second = _connect(client, provider)  # back for more onboarding: the same account, a fresh link
    assert second.status_code == 302
    account = ConnectAccount.objects.get(provider=provider)
    assert account.account_id in first["Location"] and account.account_id in second["Location"]
    assert standin.count("POST", "/v1/accounts") == 1 and standin.count("POST", "/v1/account_links") == 2
    assert standin.accounts[account.account_id]["metadata"] == {"provider_id": str(provider.pk)}
    assert not account.is_ready


def test_readiness_comes_from_account_updated_and_an_older_event_changes_nothing(standin, client_for, deliver):
    provider = make_provider()
    staff = own_staff_user(provider)
    _connect(client_for(None, user=staff), provider)
    account_id = ConnectAccount.objects.get(provider=provider).account_id
    now = int(time.time())
    older = standin.account_update(account_id, details_submitted=True, payouts_enabled=False,
                                   currently_due=["external_account"], created=now - 60)
    newer = standin.account_update(account_id, details_submitted=True, payouts_enabled=True, created=now)
    assert deliver(newer).status_code == 200
    assert deliver(older).json()["outcome"] == "older than the applied state"
    account = ConnectAccount.objects.get(provider=provider)
    assert account.is_ready and account.currently_due == [] and account.state_event_id == newer["id"]
    page = client_for(None, user=staff).get(f"/mans-sniedzejs/{provider.slug}/stripe/").content.decode()
    assert "Gatavs: izmaksas ir ieslēgtas." in page  # Latvian by default
    assert WebhookEvent.objects.filter(event_id__in=[older["id"], newer["id"]]).count() == 2


def test_the_account_page_shows_what_stripe_still_needs(standin, client_for, deliver, django_assert_max_num_queries):
    provider = make_provider()
    staff = own_staff_user(provider)
    client = client_for(None, user=staff, language="en")
    _connect(client, provider)
    account_id = ConnectAccount.objects.get(provider=provider).account_id
    deliver(standin.account_update(account_id, details_submitted=True, payouts_enabled=False,
                                   currently_due=["external_account"]))
    with django_assert_max_num_queries(12):
        page = client.get(f"/mans-sniedzejs/{provider.slug}/stripe/").content.decode()
    assert "Stripe needs more information: external_account." in page
    assert "Continue on Stripe" in page


def test_only_the_providers_own_staff_manage_its_account(standin, client_for, user_of):
    provider = make_provider()
    other_staff = own_staff_user(make_provider())
    assert _connect(client_for(None, user=other_staff), provider).status_code == 404
    assert client_for(None, user=other_staff).get(f"/mans-sniedzejs/{provider.slug}/stripe/").status_code == 404
    person = user_of(Role.PERSON)
    assert _connect(client_for(None, user=person), provider).status_code == 403
    anonymous = _connect(client_for(None), provider)
    assert anonymous.status_code == 302 and "/konts/" in anonymous["Location"]
    # A municipality's site has no such page, even for the provider's own staff.
    staff = own_staff_user(provider)
    assert _connect(client_for(MUNICIPALITY_A, user=staff), provider).status_code == 404
    assert not ConnectAccount.objects.filter(provider=provider).exists()
    assert standin.count("POST", "/v1/accounts") == 0


def test_without_stripe_the_page_says_it_is_off_and_connecting_changes_nothing(client_for, settings):
    settings.STRIPE_SECRET_KEY = ""
    provider = make_provider()
    staff = own_staff_user(provider)
    client = client_for(None, user=staff, language="en")
    assert "switched off" in client.get(f"/mans-sniedzejs/{provider.slug}/stripe/").content.decode()
    response = _connect(client, provider)
    assert response.status_code == 302 and response["Location"].endswith(f"/mans-sniedzejs/{provider.slug}/stripe/")
    assert not ConnectAccount.objects.filter(provider=provider).exists()


def test_municipalities_see_the_readiness_on_the_provider_approval_page(standin, client_for, user_of, muni_a,
                                                                         muni_b):
    provider = make_provider()
    ConnectAccount.objects.create(provider=provider, account_id="acct_ready1", details_submitted=True,
                                  payouts_enabled=True)
    for municipality in (muni_a, muni_b):
        connection.set_tenant(municipality)
        approve(provider)
    connection.set_schema_to_public()
    for code in (MUNICIPALITY_A, MUNICIPALITY_B):
        client = client_for(code, user=user_of(Role.MUNICIPALITY_ADMIN, code), language="en")
        page = client.get(f"/apstiprinasana/{provider.pk}/").content.decode()
        assert "Ready: payouts are enabled." in page


def test_the_demo_has_ready_half_way_and_unconnected_providers(db):
    from portal.marketplace.catalogue.models import Provider

    accounts = list(ConnectAccount.objects.filter(account_id__startswith="acct_demo"))
    assert any(a.is_ready for a in accounts) and any(not a.is_ready for a in accounts)
    assert Provider.objects.filter(status="verified", stripe_account__isnull=True).exists()


def test_the_api_gives_the_readiness_and_an_onboarding_link_to_the_providers_staff_only(
        standin, client_for, user_of, django_assert_max_num_queries):
    provider = make_provider()
    staff = own_staff_user(provider)
    client = client_for(None, user=staff, language="en")
    url = f"/api/v1/provider/{provider.slug}/stripe/"
    before = client.get(url).json()
    assert (before["connected"], before["ready"], before["readiness"]) == (False, False, "Not connected to Stripe.")
    onboarding = client.post(url + "onboarding/")
    assert onboarding.status_code == 200 and onboarding.json()["url"].startswith(f"{standin.base}/setup/s/acct_")
    with django_assert_max_num_queries(10):
        after = client.get(url).json()
    assert after["connected"] and after["account_id"] == ConnectAccount.objects.get(provider=provider).account_id
    other = client_for(None, user=own_staff_user(make_provider()))
    assert other.get(url).status_code == 404 and other.post(url + "onboarding/").status_code == 404
    assert client_for(None, user=user_of(Role.PERSON)).get(url).status_code == 403
    assert client_for(MUNICIPALITY_A, user=staff).get(url).status_code == 404
    assert "stripe_provider_account" in client_for(None).get("/api/schema/").content.decode()


def test_the_api_refuses_onboarding_with_stripe_off_and_writes_nothing(client_for, settings):
    settings.STRIPE_SECRET_KEY = ""
    provider = make_provider()
    response = client_for(None, user=own_staff_user(provider)).post(
        f"/api/v1/provider/{provider.slug}/stripe/onboarding/")
    assert response.status_code == 409 and response.json()["code"] == "stripe_off"
    assert not ConnectAccount.objects.filter(provider=provider).exists()


def test_stripe_unreachable_while_connecting_says_so_and_writes_nothing(standin, client_for):
    provider = make_provider()
    client = client_for(None, user=own_staff_user(provider), language="en")
    standin.stop()
    response = client.post(f"/mans-sniedzejs/{provider.slug}/stripe/pieslegt/", follow=True)
    assert "Stripe could not be reached" in response.content.decode()
    assert not ConnectAccount.objects.filter(provider=provider).exists()
    api = client.post(f"/api/v1/provider/{provider.slug}/stripe/onboarding/")
    assert api.status_code == 502 and api.json()["code"] == "stripe_error"
