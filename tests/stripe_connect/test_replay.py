"""Replay: 1 000 Stripe events delivered three times, shuffled, by 8 concurrent senders to a real HTTP server
(Django's threaded WSGI server, real PostgreSQL transactions, committed data) end in exactly the state one
ordered delivery leaves — every event handled once, the newest account state applied, paid stays paid.

The events: 45 connected accounts × 20 ``account.updated`` (pairs share a ``created`` second, so the
event-id tie-break is exercised too) and 60 co-payments' checkout events (40 completed and later also
expired, 20 only expired) in a municipality's schema.
"""

from __future__ import annotations

import http.client
import random
import threading
import time
from decimal import Decimal

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.db import connection, transaction

from portal.marketplace.agreements.models import Agreement, CoPayment
from portal.marketplace.catalogue.models import Provider
from portal.marketplace.stripe_connect.models import ConnectAccount, WebhookEvent
from portal.marketplace.stripe_connect.webhooks import event_receive
from portal.tenants.models import Municipality
from tests.conftest import MUNICIPALITY_A, host
from tests.factories import make_provider
from tests.stripe_standin import WEBHOOK_SECRET, StripeStandIn

SENDERS = 8


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def _events(standin, accounts, sessions) -> list[dict]:
    rng = random.Random(12)
    events, base = [], int(time.time()) - 10_000
    for account_id in accounts:
        for version in range(20):
            due = rng.choice([[], [], ["external_account"], ["tos_acceptance.date", "external_account"]])
            events.append(standin.account_update(account_id, details_submitted=rng.random() < 0.8,
                                                 payouts_enabled=rng.random() < 0.6, currently_due=due,
                                                 created=base + version // 2))
    for i, session_id in enumerate(sessions):
        session = {**standin.fixtures["checkout.session"], "id": session_id, "payment_status": "paid",
                   "metadata": {"schema_name": MUNICIPALITY_A}}
        if i < 40:
            events.append(standin.event("checkout.session.completed", session, created=base + 30))
        events.append(standin.event("checkout.session.expired", {**session, "payment_status": "unpaid"},
                                    created=base + 40))
    assert len(events) == 1000
    return events


def _state(accounts, sessions, municipality):
    rows = ConnectAccount.objects.filter(account_id__in=accounts).order_by("account_id")
    state = {"accounts": [(a.account_id, a.details_submitted, a.payouts_enabled, a.currently_due, a.state_created,
                           a.state_event_id) for a in rows]}
    connection.set_tenant(municipality)
    state["copayments"] = sorted(CoPayment.objects.filter(checkout_session_id__in=sessions)
                                 .values_list("checkout_session_id", "status", "settled_at"))
    connection.set_schema_to_public()
    state["inbox"] = WebhookEvent.objects.filter(processed_at__isnull=False, type__in=[
        "account.updated", "checkout.session.completed", "checkout.session.expired"]).count()
    return state


def _reset(accounts, sessions, municipality):
    WebhookEvent.objects.all().delete()
    ConnectAccount.objects.filter(account_id__in=accounts).update(details_submitted=False, payouts_enabled=False,
                                                                  currently_due=[], state_created=0,
                                                                  state_event_id="")
    connection.set_tenant(municipality)
    CoPayment.objects.filter(checkout_session_id__in=sessions).update(status="open", settled_at=None)
    connection.set_schema_to_public()


def _send_all(port: int, deliveries: list[tuple[bytes, str]]) -> list[tuple[int, bool]]:
    work = iter(deliveries)
    lock, answers, failures = threading.Lock(), [], []

    def sender():
        while True:
            with lock:
                item = next(work, None)
            if item is None:
                return
            payload, signature = item
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                conn.request("POST", "/stripe/webhook/", body=payload, headers={
                    "Host": host(None), "Content-Type": "application/json", "Stripe-Signature": signature})
                response = conn.getresponse()
                body = response.read()
                with lock:
                    answers.append((response.status, b'"duplicate": true' in body))
            except Exception as error:  # noqa: BLE001 — reported below
                failures.append(repr(error))
            finally:
                conn.close()

    threads = [threading.Thread(target=sender) for _ in range(SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures[:3]
    return answers


@pytest.mark.django_db
def test_two_states_of_the_same_second_settle_on_the_same_one_in_either_order(settings):
    """The tie-break (event id) makes arrival order irrelevant. (Also the first test of this module: it sets
    the session database up inside a normal test, as the replay below needs it.)"""
    standin = StripeStandIn()
    account = standin._account_create({})
    ConnectAccount.objects.create(provider=make_provider(), account_id=account["id"])
    a = standin.account_update(account["id"], details_submitted=True, payouts_enabled=True, created=1_800_000_000)
    b = standin.account_update(account["id"], details_submitted=True, payouts_enabled=False, created=1_800_000_000)
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    finals = []
    for order in ((a, b), (b, a)):
        WebhookEvent.objects.all().delete()
        ConnectAccount.objects.filter(account_id=account["id"]).update(state_created=0, state_event_id="")
        for event in order:
            payload, signature = StripeStandIn.sign(event)
            event_receive(payload=payload, signature=signature)
        account_row = ConnectAccount.objects.get(account_id=account["id"])
        finals.append((account_row.payouts_enabled, account_row.state_event_id))
    assert finals[0] == finals[1] == (max(a, b, key=lambda e: e["id"]) is a, max(a["id"], b["id"]))


def test_a_thousand_events_three_times_shuffled_from_8_senders_end_as_one_ordered_delivery(
        django_db_setup, django_db_blocker, settings):
    standin = StripeStandIn()  # its API is not served: only its objects and signed events are used
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    with django_db_blocker.unblock():
        municipality = Municipality.objects.get(code=MUNICIPALITY_A)
        providers = [make_provider(name="Replay") for _ in range(45)]
        accounts = []
        for provider in providers:
            account = standin._account_create({})
            ConnectAccount.objects.create(provider=provider, account_id=account["id"])
            accounts.append(account["id"])
        sessions = [f"cs_test_replay_{i:03d}_{time.time_ns()}" for i in range(60)]
        connection.set_tenant(municipality)
        agreement = Agreement.objects.order_by("pk").first()
        assert agreement is not None, "the demo data of the test municipality has agreements"
        CoPayment.objects.bulk_create([CoPayment(agreement=agreement, amount=Decimal("5.00"), checkout_session_id=s)
                                       for s in sessions])
        connection.set_schema_to_public()
        server = None
        try:
            events = _events(standin, accounts, sessions)
            t0 = time.monotonic()
            # One ordered delivery (oldest first), straight through the service: the reference state.
            # (In one transaction: a commit per event would only measure the disk's fsync.)
            with transaction.atomic():
                for event in sorted(events, key=lambda e: (e["created"], e["id"])):
                    payload, signature = StripeStandIn.sign(event)
                    event_receive(payload=payload, signature=signature)
            expected = _state(accounts, sessions, municipality)
            assert expected["inbox"] == 1000
            assert [s for _, s, _ in expected["copayments"]].count("paid") == 40
            _reset(accounts, sessions, municipality)

            server = ThreadedWSGIServer(("127.0.0.1", 0), _Quiet, allow_reuse_address=False)
            server.set_app(WSGIHandler())
            threading.Thread(target=server.serve_forever, daemon=True).start()
            deliveries = [StripeStandIn.sign(event) for event in events * 3]
            random.Random(7).shuffle(deliveries)
            print(f"\nordered delivery of 1 000 events in {time.monotonic() - t0:.1f} s")
            started = time.monotonic()
            answers = _send_all(server.server_address[1], deliveries)
            elapsed = time.monotonic() - started

            assert len(answers) == 3000 and {status for status, _ in answers} == {200}
            assert sum(1 for _, duplicate in answers if not duplicate) == 1000  # each event handled exactly once
            assert _state(accounts, sessions, municipality) == expected
            print(f"\n3 000 deliveries from {SENDERS} senders in {elapsed:.1f} s")
        finally:
            if server is not None:
                server.shutdown()
                server.server_close()
            connection.set_schema_to_public()
            WebhookEvent.objects.all().delete()
            connection.set_tenant(municipality)
            CoPayment.objects.filter(checkout_session_id__in=sessions).delete()
            connection.set_schema_to_public()
            ConnectAccount.objects.filter(account_id__in=accounts).delete()
            # The providers have nothing else pointing at them; a plain DELETE (the collector would look into
            # tenant tables from the public schema).
            Provider.objects.filter(pk__in=[p.pk for p in providers])._raw_delete(connection.alias)
