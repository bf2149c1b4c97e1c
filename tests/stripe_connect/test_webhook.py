"""POST /stripe/webhook/: signature on the raw body, the inbox, once per event, co-payments by card."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from django.db import connection

from portal.marketplace.agreements.models import CoPayment
from portal.marketplace.approvals.models import PriceCap
from portal.marketplace.stripe_connect.models import ConnectAccount, WebhookEvent
from portal.tenants.roles import Role
from tests.conftest import MUNICIPALITY_A, MUNICIPALITY_B
from tests.factories import active, make_provider
from tests.stripe_standin import StripeStandIn

pytestmark = pytest.mark.django_db


def _account_event(standin, **state):
    provider = make_provider()
    account = standin._account_create({})
    ConnectAccount.objects.create(provider=provider, account_id=account["id"])
    return standin.account_update(account["id"], **{"details_submitted": True, "payouts_enabled": True, **state})


@pytest.mark.parametrize("how", ["unsigned", "forged", "wrong secret", "stale", "tampered", "not json"])
def test_unsigned_forged_or_stale_requests_get_400_and_change_nothing(standin, deliver, client_for, how):
    event = _account_event(standin)
    if how == "unsigned":
        response = deliver(event, signature=None)
    elif how == "forged":
        response = deliver(event, signature=f"t={int(time.time())},v1={'0' * 64}")
    elif how == "wrong secret":
        payload, header = StripeStandIn.sign(event, secret="whsec_someone_else")
        response = client_for(None).post("/stripe/webhook/", payload, content_type="application/json",
                                         HTTP_STRIPE_SIGNATURE=header)
    elif how == "stale":
        response = deliver(event, timestamp=int(time.time()) - 600)  # Stripe's tolerance is 5 minutes
    elif how == "tampered":  # signed, then the body changed
        payload, header = StripeStandIn.sign(event)
        response = client_for(None).post("/stripe/webhook/", payload.replace(b"true", b"false"),
                                         content_type="application/json", HTTP_STRIPE_SIGNATURE=header)
    else:
        header = StripeStandIn.sign(event)[1]
        response = client_for(None).post("/stripe/webhook/", b"\xff\xfe", content_type="application/json",
                                         HTTP_STRIPE_SIGNATURE=header)
    assert response.status_code == 400 and response.json()["code"] == "webhook_signature"
    assert not WebhookEvent.objects.exists()
    assert not ConnectAccount.objects.get(account_id=event["data"]["object"]["id"]).payouts_enabled


def test_only_post_on_the_national_site(standin, deliver, client_for):
    assert client_for(None).get("/stripe/webhook/").status_code == 405
    event = _account_event(standin)
    payload, header = StripeStandIn.sign(event)
    on_municipality = client_for(MUNICIPALITY_A).post("/stripe/webhook/", payload, content_type="application/json",
                                                      HTTP_STRIPE_SIGNATURE=header)
    assert on_municipality.status_code == 404 and not WebhookEvent.objects.exists()


def test_a_duplicate_is_acknowledged_and_handled_once(standin, deliver, django_assert_max_num_queries):
    event = _account_event(standin)
    with django_assert_max_num_queries(10):
        first = deliver(event)
    assert first.status_code == 200 and first.json() == {"received": True, "duplicate": False, "outcome": "applied"}
    second = deliver(event)
    assert second.status_code == 200 and second.json()["duplicate"] is True
    row = WebhookEvent.objects.get()
    assert (row.event_id, row.type, row.outcome) == (event["id"], "account.updated", "applied")
    assert row.processed_at is not None


def test_an_event_nobody_handles_is_stored_and_acknowledged(standin, deliver):
    response = deliver(standin.event("payout.paid", standin.fixtures["payout"]))
    assert response.status_code == 200 and WebhookEvent.objects.get().outcome == "ignored"


def test_without_a_webhook_secret_every_event_is_refused(standin, deliver, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    assert deliver(_account_event(standin)).status_code == 400 and not WebhookEvent.objects.exists()


def test_transfer_events_are_stored_and_wait_for_the_payment_core(standin, deliver):
    transfer = {**standin.fixtures["transfer"], "metadata": {"schema_name": "jelgava", "payment_key": "k"}}
    response = deliver(standin.event("transfer.reversed", transfer))
    assert response.status_code == 200
    row = WebhookEvent.objects.get()
    assert row.schema_name == "jelgava" and row.outcome in {"payments not installed", "returned"}


# ----------------------------------------------------------------------------- co-payments by card
@pytest.fixture
def copay_agreement(world):
    """An active agreement on the pricey service (25 EUR/h, cap 20): the family pays 4 × 5 = 20 EUR."""
    PriceCap.objects.update_or_create(service_type=world.pricey.service_type, unit="hour",
                                      defaults={"amount": Decimal("20.00"), "over_cap_rule": "copay"})
    agreement = active(world, service=world.pricey, units_per_week=None, total_units="4", accept_copayment=True)
    assert agreement.copayment_total == Decimal("20.00")
    connection.set_schema_to_public()
    return agreement


def _pay(client, agreement):
    return client.post(f"/vienosanas/{agreement.pk}/lidzmaksajums/")


def test_the_family_pays_the_copayment_by_checkout_and_completion_marks_it_paid(
        standin, world, copay_agreement, client_for, deliver, django_assert_max_num_queries):
    client = client_for(MUNICIPALITY_A, user=world.person_user, language="en")
    page = client.get(f"/vienosanas/{copay_agreement.pk}/").content.decode()
    assert "Pay the co-payment by card" in page
    response = _pay(client, copay_agreement)
    assert response.status_code == 302 and "/c/pay/cs_test_" in response["Location"]
    session = next(iter(standin.sessions.values()))
    assert session["amount_total"] == 2000 and session["metadata"]["schema_name"] == MUNICIPALITY_A
    connection.set_tenant(world.municipality)
    copayment = CoPayment.objects.get()
    assert (copayment.status, copayment.amount, copayment.checkout_session_id) == ("open", Decimal("20.00"),
                                                                                  session["id"])
    assert "Pay the co-payment" not in client.get(f"/vienosanas/{copay_agreement.pk}/").content.decode()

    completed = standin.session_finish(session["id"], paid=True)
    expired_late = standin.event("checkout.session.expired", {**session, "status": "expired"})
    assert deliver(completed).json()["outcome"] == "co-payment paid"
    assert deliver(expired_late).json()["outcome"] == "co-payment paid"  # paid stays paid, whatever comes after
    connection.set_tenant(world.municipality)
    assert CoPayment.objects.get().status == "paid"
    with django_assert_max_num_queries(60):
        provider_page = client_for(MUNICIPALITY_A, user=world.staff, language="en").get(
            f"/vienosanas/{copay_agreement.pk}/").content.decode()
    assert "Paid" in provider_page and "Still to pay: " in provider_page


def test_an_expired_checkout_leaves_the_copayment_to_pay_again(standin, world, copay_agreement, client_for, deliver):
    client = client_for(MUNICIPALITY_A, user=world.person_user, language="en")
    _pay(client, copay_agreement)
    session_id = next(iter(standin.sessions))
    assert deliver(standin.session_finish(session_id, paid=False)).json()["outcome"] == "co-payment expired"
    connection.set_tenant(world.municipality)
    assert CoPayment.objects.get().status == "expired"
    assert "Pay the co-payment by card" in client.get(f"/vienosanas/{copay_agreement.pk}/").content.decode()


def test_only_the_deciders_pay_and_only_on_their_municipalitys_site(standin, world, copay_agreement, client_for,
                                                                    user_of):
    assert _pay(client_for(MUNICIPALITY_A, user=world.supporter), copay_agreement).status_code == 403
    assert _pay(client_for(MUNICIPALITY_A, user=world.staff), copay_agreement).status_code == 403
    assert _pay(client_for(MUNICIPALITY_B, user=world.person_user), copay_agreement).status_code == 404
    assert _pay(client_for(MUNICIPALITY_A, user=user_of(Role.PERSON, MUNICIPALITY_B)),
                copay_agreement).status_code == 404
    connection.set_tenant(world.municipality)
    assert not CoPayment.objects.exists() and standin.sessions == {}


def test_a_checkout_event_naming_another_municipality_finds_nothing_there(standin, world, copay_agreement,
                                                                           client_for, deliver, muni_b):
    _pay(client_for(MUNICIPALITY_A, user=world.person_user), copay_agreement)
    session = next(iter(standin.sessions.values()))
    moved = standin.event("checkout.session.completed",
                          {**session, "payment_status": "paid", "metadata": {"schema_name": muni_b.schema_name}})
    assert deliver(moved).json()["outcome"] == "unknown checkout session"
    connection.set_tenant(world.municipality)
    assert CoPayment.objects.get().status == "open"
