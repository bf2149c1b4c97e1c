"""The Stripe stand-in (tests/stripe_standin.py) on 127.0.0.1 and the settings that point the portal at it."""

from __future__ import annotations

import pytest

from tests.factories import World, build_world
from tests.stripe_standin import API_KEY, WEBHOOK_SECRET, StripeStandIn


@pytest.fixture
def standin(settings):
    server = StripeStandIn().start()
    settings.STRIPE_SECRET_KEY = API_KEY
    settings.STRIPE_API_BASE = server.base
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    yield server
    server.stop()


@pytest.fixture
def world(muni_a) -> World:
    return build_world(muni_a)


@pytest.fixture
def deliver(client_for):
    """deliver(event) → the response of POST /stripe/webhook/ on the national site, signed by default."""
    client = client_for(None)

    def post(event: dict, *, signature: str | None = "sign", timestamp: int | None = None):
        payload, header = StripeStandIn.sign(event, timestamp=timestamp)
        headers = {} if signature is None else {"HTTP_STRIPE_SIGNATURE": header if signature == "sign" else signature}
        return client.post("/stripe/webhook/", payload, content_type="application/json", **headers)

    return post
