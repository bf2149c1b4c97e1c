"""The Stripe client, configured from settings; ``None`` when Stripe is off (no secret key)."""

from __future__ import annotations

from contextlib import contextmanager

import stripe
from django.conf import settings
from django.utils.translation import gettext as _

from portal.platform.core.errors import DomainError


class StripeOff(DomainError):
    code = "stripe_off"
    status = 409


class StripeFailed(DomainError):
    code = "stripe_error"
    status = 502


@contextmanager
def stripe_errors():
    """Stripe's own exceptions (unreachable, refused) as a DomainError with Stripe's words."""
    try:
        yield
    except stripe.StripeError as error:
        raise StripeFailed(_("Stripe could not be reached or answered with an error: %(message)s")
                           % {"message": error.user_message or type(error).__name__}) from error


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
