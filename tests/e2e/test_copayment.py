"""The co-payment button in a real browser: the person opens the agreement page with Stripe switched on (the
local stand-in, tests/stripe_standin.py), presses "pay by card", lands on the stand-in's payment page (the
redirect passes the Content-Security-Policy's form-action), and once the signed ``checkout.session.completed``
is delivered the agreement page shows the co-payment paid.

The portal here is Django's threaded WSGI server in this process on the test database (committed rows, cleaned
up after), not the demo server the other browser tests share: those run without Stripe."""

from __future__ import annotations

import copy
import http.client
import threading
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.db import connection

from portal.marketplace.agreements.models import Agreement, AgreementStatus, CoPayment
from portal.marketplace.stripe_connect.models import WebhookEvent
from portal.tenants.models import Municipality
from portal.tenants.roles import Role
from tests.conftest import MUNICIPALITY_A, HostClient, demo_user, host, pass_second_step
from tests.stripe_standin import API_KEY, WEBHOOK_SECRET, StripeStandIn

pytestmark = pytest.mark.browser


class _Quiet(WSGIRequestHandler):
    protocol_version = "HTTP/1.0"  # one request per connection: its thread closes its database connection

    def log_message(self, *args):
        pass


def _deliver(port: int, event: dict) -> int:
    payload, signature = StripeStandIn.sign(event)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", "/stripe/webhook/", body=payload, headers={
            "Host": host(None), "Content-Type": "application/json", "Stripe-Signature": signature})
        return conn.getresponse().status
    finally:
        conn.close()


def test_the_person_pays_the_copayment_by_card_and_sees_it_paid(django_db_setup, django_db_blocker, browser,
                                                                  settings, monkeypatch):
    # Playwright's sync API keeps an event loop in this thread; the ORM calls below are plain synchronous ones.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    standin = StripeStandIn().start()
    settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE = API_KEY, standin.base
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    policy = copy.deepcopy(django_settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"].append(standin.base)  # the stand-in plays checkout.stripe.com
    settings.CONTENT_SECURITY_POLICY = policy
    server, agreement, before = None, None, None
    with django_db_blocker.unblock():
        municipality = Municipality.objects.get(code=MUNICIPALITY_A)
        person_user = demo_user(Role.PERSON, MUNICIPALITY_A)
        connection.set_tenant(municipality)
        agreement = (Agreement.objects.filter(person__user=person_user, status=AgreementStatus.ACTIVE,
                                              total_units__gt=0).order_by("pk").first())
        assert agreement is not None, "the demo person of the test municipality has an active agreement"
        before = agreement.copayment_per_unit
        Agreement.objects.filter(pk=agreement.pk).update(copayment_per_unit=Decimal("1.50"))
        connection.set_schema_to_public()
        client = HostClient(host(MUNICIPALITY_A))
        client.force_login(person_user)
        pass_second_step(client, person_user)
        cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
        context = browser.new_context(locale="lv-LV")
        try:
            server = ThreadedWSGIServer(("127.0.0.1", 0), _Quiet, allow_reuse_address=False)
            server.set_app(WSGIHandler())
            threading.Thread(target=server.serve_forever, daemon=True).start()
            port = server.server_address[1]
            base = f"http://{host(MUNICIPALITY_A)}:{port}"
            context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie,
                                  "url": f"{base}/"}])
            page = context.new_page()
            page.goto(f"{base}/vienosanas/{agreement.pk}/")
            page.get_by_role("button", name="Maksāt līdzmaksājumu ar karti").click()
            page.wait_for_url(f"{standin.base}/c/pay/**")
            assert page.get_by_role("heading", name="Checkout stand-in").is_visible()
            session_id = page.locator("#session").inner_text()
            session = standin.sessions[session_id]
            assert session["metadata"] == {"schema_name": municipality.schema_name, "municipality": MUNICIPALITY_A,
                                           "agreement_id": str(agreement.pk)}
            assert session["success_url"] == f"{base}/vienosanas/{agreement.pk}/"

            assert _deliver(port, standin.session_finish(session_id, paid=True)) == 200
            page.goto(session["success_url"])  # where Stripe sends the person back
            copayments = page.get_by_role("region", name="Līdzmaksājumi")
            assert copayments.get_by_text("Apmaksāts", exact=True).is_visible()
            assert page.get_by_role("button", name="Maksāt līdzmaksājumu ar karti").count() == 0
            connection.set_tenant(municipality)
            assert CoPayment.objects.get(checkout_session_id=session_id).status == "paid"
        finally:
            context.close()
            if server is not None:
                server.shutdown()
                server.server_close()
            standin.stop()
            connection.set_tenant(municipality)
            CoPayment.objects.filter(agreement=agreement).delete()
            Agreement.objects.filter(pk=agreement.pk).update(copayment_per_unit=before)
            connection.set_schema_to_public()
            WebhookEvent.objects.filter(schema_name=municipality.schema_name, type="checkout.session.completed").delete()
            # The server's threads returned their connections to the pool; close it, or the test database
            # cannot be dropped at the end of the session (a new pool opens on the next query). This thread's
            # own connection goes back first: closing the pool leaves a connection still checked out open,
            # and it was the one session left when pytest-django dropped the database.
            connection.close()
            if hasattr(connection, "close_pool"):
                connection.close_pool()
