"""The Stripe client, configured from settings; ``None`` when Stripe is off (no secret key)."""

from __future__ import annotations

import stripe
from django.conf import settings

from portal.platform.core.errors import DomainError
from django.utils.translation import gettext as _


class StripeOff(DomainError):
    code = "stripe_off"
    status = 409


def stripe_enabled() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


def stripe_client() -> stripe.StripeClient:
    """A client on ``STRIPE_API_BASE`` (the real API, or a stand-in in tests); refuses when Stripe is off."""
    if not stripe_enabled():
        raise StripeOff(_("Payments through Stripe are switched off on this portal."))
    # No library retries: a retry is ours to make, with the same idempotency key (transfers.py).
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, base_addresses={"api": settings.STRIPE_API_BASE},
                               max_network_retries=0)


def cents(amount) -> int:
    """Stripe counts in the currency's smallest unit: euro cents."""
    return int((amount * 100).to_integral_value())
