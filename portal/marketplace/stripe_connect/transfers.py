"""The Stripe rail: a payment becomes one Transfer to the provider's connected account.

The payments app (``portal.marketplace.payments``, tenant) owns the payment record and calls the rail
registered under ``"stripe"`` with a ``PaymentOrder``; this module answers with a ``RailOutcome``:
``sent`` with the transfer id, or ``waiting`` with the reason in words. The Stripe idempotency key is
the payment's own key, reused on every retry, so a retry — after a timeout, a crash, a replayed task —
returns the first transfer and never makes a second one.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol

import stripe
from django.utils.translation import gettext as _

from portal.marketplace.payments.rails import RailOutcome, ReversalOrder, register_rail

from .accounts import readiness_text
from .client import StripeOff, cents, stripe_client
from .models import ConnectAccount


class PaymentOrderLike(Protocol):
    """What the rail needs of ``payments.rails.PaymentOrder`` (duck-typed: any object with these)."""

    payment_id: int
    idempotency_key: str
    municipality_code: str
    schema_name: str
    provider_id: int
    invoice_id: int
    invoice_number: str
    amount: Decimal
    currency: str


def balance_low() -> str:
    return _("The platform's Stripe balance is too low for this transfer; it is retried after a top-up.")


def transfer_metadata(order: PaymentOrderLike) -> dict[str, str]:
    """What a webhook needs to find the payment again: the municipality's schema, the key, the invoice."""
    return {"schema_name": order.schema_name, "municipality": order.municipality_code,
            "payment_key": order.idempotency_key, "payment_id": str(order.payment_id),
            "invoice_id": str(order.invoice_id), "invoice_number": order.invoice_number}


def transfer_group(order: PaymentOrderLike) -> str:
    return f"{order.schema_name}-invoice-{order.invoice_id}"


def transfer_execute(order: PaymentOrderLike) -> RailOutcome:
    """One transfer for ``order``, or the reason it waits. Safe to call again: the same key, the same transfer."""
    account = ConnectAccount.objects.filter(provider_id=order.provider_id).first()
    if account is None or not account.is_ready:
        return RailOutcome("waiting", reason=readiness_text(account))
    currency, amount = (order.currency or "EUR").lower(), cents(order.amount)
    try:
        client = stripe_client()
        # Stripe keeps the first answer for a key, errors included: a balance_insufficient under the payment's
        # key would be replayed on every retry for 24 hours. So the balance is checked first (no key spent).
        available = sum(row.amount for row in client.v1.balance.retrieve().available if row.currency == currency)
        if available < amount:
            return RailOutcome("waiting", reason=balance_low())
        transfer = client.v1.transfers.create(params={
            "amount": amount, "currency": currency,
            "destination": account.account_id, "transfer_group": transfer_group(order),
            "description": _("Invoice %(number)s") % {"number": order.invoice_number},
            "metadata": transfer_metadata(order),
        }, options={"idempotency_key": order.idempotency_key})
    except StripeOff as error:
        return RailOutcome("waiting", reason=error.message)
    except stripe.IdempotencyError as error:
        # The same key with other parameters: the payment changed after its transfer was requested.
        return RailOutcome("failed", reason=_("Stripe refused a changed repeat of this payment: %(message)s")
                           % {"message": error.user_message or str(error)})
    except stripe.InvalidRequestError as error:
        if error.code == "balance_insufficient":  # spent between the check and the transfer
            return RailOutcome("waiting", reason=balance_low())
        return RailOutcome("waiting", reason=_("Stripe refused the transfer: %(message)s")
                           % {"message": error.user_message or str(error)})
    except stripe.StripeError as error:  # connection, rate limit, Stripe's own errors: try again later
        return RailOutcome("waiting", reason=_("Stripe could not be reached or answered with an error: %(message)s")
                           % {"message": error.user_message or type(error).__name__})
    return RailOutcome("sent", reference=transfer.id)


def transfer_reverse(*, transfer_id: str, amount: Decimal, idempotency_key: str) -> RailOutcome:
    """A rejected or corrected invoice after payment: reverse (part of) its transfer, once per key."""
    try:
        reversal = stripe_client().v1.transfers.reversals.create(
            transfer_id, params={"amount": cents(amount)}, options={"idempotency_key": idempotency_key})
    except StripeOff as error:
        return RailOutcome("waiting", reason=error.message)
    except stripe.StripeError as error:
        return RailOutcome("waiting", reason=_("Stripe refused the reversal: %(message)s")
                           % {"message": error.user_message or str(error)})
    return RailOutcome("sent", reference=reversal.id)


def reversal_execute(order: ReversalOrder) -> RailOutcome:
    """The payments core's reversal of a paid payment: the whole transfer, under the reversal's own key."""
    return transfer_reverse(transfer_id=order.reference, amount=order.amount, idempotency_key=order.idempotency_key)


def register() -> None:
    """Register the Stripe rail with the payments core (called from AppConfig.ready): a municipality whose
    rules choose Stripe has its payments executed by ``transfer_execute`` and reversed by ``reversal_execute``."""
    register_rail("stripe", transfer_execute, reversal_execute)
