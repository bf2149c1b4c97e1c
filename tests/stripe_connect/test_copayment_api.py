"""The co-payment API (start a Checkout Session, read an agreement's co-payment) and the delayed payment methods'
events (``checkout.session.async_payment_succeeded`` / ``…_failed``) against the stand-in."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from portal.budgets.people.models import Relation
from portal.marketplace.agreements.models import CoPayment
from portal.marketplace.stripe_connect.models import WebhookEvent
from portal.tenants.roles import Role
from tests.conftest import MUNICIPALITY_A, MUNICIPALITY_B
from tests.factories import active

from .test_webhook import copay_agreement  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def url(agreement):
    return f"/api/v1/agreements/{agreement.pk}/copayment/"


def start(client, agreement):
    return client.post(url(agreement), content_type="application/json")


def test_the_person_starts_a_copayment_and_reads_its_status(standin, world, copay_agreement, client_for,  # noqa: F811
                                                              deliver, django_assert_max_num_queries):
    client = client_for(MUNICIPALITY_A, user=world.person_user, language="en")
    with django_assert_max_num_queries(25):
        before = client.get(url(copay_agreement))
    assert before.status_code == 200
    assert before.json() | {"copayments": []} == {
        "agreement": copay_agreement.pk, "total": "20.00", "paid": "0.00", "waiting": "0.00", "due": "20.00",
        "can_pay": True, "copayments": []}
    response = start(client, copay_agreement)
    assert response.status_code == 201
    session = next(iter(standin.sessions.values()))
    assert response.json()["url"] == session["url"] and response.json()["copayment"]["status"] == "open"
    assert session["amount_total"] == 2000
    state = client.get(url(copay_agreement)).json()
    assert (state["waiting"], state["due"], state["can_pay"]) == ("20.00", "0.00", False)
    # nothing left to pay: a stable code and nothing written
    again = start(client, copay_agreement)
    assert again.status_code == 400 and again.json()["code"] == "copayment_nothing_due"
    assert len(standin.sessions) == 1
    connection.set_tenant(world.municipality)
    assert CoPayment.objects.count() == 1

    assert deliver(standin.session_finish(session["id"], paid=True)).status_code == 200
    # the provider sees the paid status of its agreement
    provider_view = client_for(MUNICIPALITY_A, user=world.staff).get(url(copay_agreement))
    assert provider_view.status_code == 200
    assert (provider_view.json()["paid"], provider_view.json()["can_pay"]) == ("20.00", False)
    assert provider_view.json()["copayments"][0]["status"] == "paid"


def test_who_may_start_and_read(standin, world, copay_agreement, client_for, user_of):  # noqa: F811
    supporter = client_for(MUNICIPALITY_A, user=world.supporter)
    assert supporter.get(url(copay_agreement)).json()["can_pay"] is False  # the person allowed "agreements"
    refused = start(supporter, copay_agreement)
    assert refused.status_code == 403 and refused.json()["code"] == "copayment_not_decider"
    assert start(client_for(MUNICIPALITY_A, user=world.staff), copay_agreement).status_code == 403
    Relation.objects.filter(user=world.supporter).update(may_see=["budget"])
    assert client_for(MUNICIPALITY_A, user=world.supporter).get(url(copay_agreement)).status_code == 404
    # another municipality's host finds nothing, whoever asks
    for user in (world.person_user, user_of(Role.FINANCE_OFFICER, MUNICIPALITY_B)):
        other = client_for(MUNICIPALITY_B, user=user)
        assert other.get(url(copay_agreement)).status_code in (403, 404)
        assert start(other, copay_agreement).status_code in (403, 404)
    assert client_for(MUNICIPALITY_B, user=user_of(Role.PERSON, MUNICIPALITY_B)).get(
        url(copay_agreement)).status_code == 404
    assert client_for(MUNICIPALITY_A, user=world.representative).get(url(copay_agreement)).status_code == 404
    connection.set_tenant(world.municipality)
    assert not CoPayment.objects.exists() and standin.sessions == {}


def test_stripe_off_or_no_copayment_refuses_with_a_code_and_writes_nothing(standin, world, copay_agreement,  # noqa: F811
                                                                           client_for, settings):
    client = client_for(MUNICIPALITY_A, user=world.person_user)
    settings.STRIPE_SECRET_KEY = ""
    off = start(client, copay_agreement)
    assert off.status_code == 409 and off.json()["code"] == "stripe_off"
    settings.STRIPE_SECRET_KEY = "sk_test_standin"
    plain = active(world, units_per_week="1")  # no co-payment agreed
    connection.set_schema_to_public()
    none = start(client, plain)
    assert none.status_code == 400 and none.json()["code"] == "copayment_nothing_due"
    assert client.get(url(plain)).json()["total"] == "0.00"
    connection.set_tenant(world.municipality)
    assert not CoPayment.objects.exists() and standin.sessions == {}


@pytest.mark.parametrize("order", ["in order", "outcome first"])
def test_a_bank_debit_is_processing_until_the_bank_answers(standin, world, copay_agreement, client_for,  # noqa: F811
                                                             deliver, order):
    client = client_for(MUNICIPALITY_A, user=world.person_user)
    start(client, copay_agreement)
    session_id = next(iter(standin.sessions))
    completed = standin.session_finish(session_id, paid=True, delayed=True)
    succeeded = standin.session_async(session_id, succeeded=True)
    events = [completed, succeeded] if order == "in order" else [succeeded, completed]
    outcomes = [deliver(e).json()["outcome"] for e in events]
    assert outcomes[-1] == "co-payment paid"
    if order == "in order":
        assert outcomes[0] == "co-payment processing"
    connection.set_tenant(world.municipality)
    copayment = CoPayment.objects.get()
    assert copayment.status == "paid" and copayment.settled_at is not None
    assert WebhookEvent.objects.filter(type="checkout.session.async_payment_succeeded").count() == 1


def test_a_failed_bank_debit_leaves_the_copayment_to_pay_again(standin, world, copay_agreement, client_for,  # noqa: F811
                                                                deliver):
    client = client_for(MUNICIPALITY_A, user=world.person_user)
    start(client, copay_agreement)
    session_id = next(iter(standin.sessions))
    assert deliver(standin.session_finish(session_id, paid=True, delayed=True)).json()["outcome"] == \
        "co-payment processing"
    assert client.get(url(copay_agreement)).json()["waiting"] == "20.00"
    failed = standin.session_async(session_id, succeeded=False)
    assert deliver(failed).json()["outcome"] == "co-payment failed"
    assert deliver(failed).json()["duplicate"] is True
    state = client.get(url(copay_agreement)).json()
    assert (state["paid"], state["waiting"], state["due"], state["can_pay"]) == ("0.00", "0.00", "20.00", True)
    connection.set_tenant(world.municipality)
    assert CoPayment.objects.get().status == "failed" and CoPayment.objects.get().amount == Decimal("20.00")
