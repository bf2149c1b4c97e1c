"""The webhook inbox: verify, store once by event id, run the handler once, in the right schema.

Processing is inline, in the transaction that stores the event: the handlers are a few row updates,
so the acknowledgement stays fast (figures in docs/subsystems/stripe.md), and the public schema has no
outbox to hand them to. If a handler fails the transaction rolls back, the event is not stored, and
the 500 makes Stripe deliver it again. A duplicate (same event id, even at the same moment) waits on
the unique index, finds the row, and changes nothing. Every handler is order-independent:
``account.updated`` applies only a newer state, a paid co-payment stays paid, and ``payment_settle``
is idempotent by the payment's key.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context

from portal.marketplace.agreements.copayments import copayment_settle
from portal.marketplace.payments.services import payment_settle
from portal.platform.core.errors import DomainError
from portal.tenants.models import Municipality

from .accounts import account_state_apply
from .models import WebhookEvent


class WebhookRefused(DomainError):
    code = "webhook_signature"
    status = 400


HANDLERS: dict[str, Callable[[dict, dict], str]] = {}


def handles(*types: str):
    def decorator(function):
        for event_type in types:
            HANDLERS[event_type] = function
        return function

    return decorator


def event_verify(*, payload: bytes, signature: str | None) -> dict:
    """The event in ``payload`` if its ``Stripe-Signature`` is right and fresh (5 minutes); else WebhookRefused."""
    if not settings.STRIPE_WEBHOOK_SECRET:
        raise WebhookRefused(_("Stripe webhooks are switched off on this portal."))
    try:
        stripe.Webhook.construct_event(payload.decode("utf-8"), signature or "", settings.STRIPE_WEBHOOK_SECRET)
        event = json.loads(payload)
    except (stripe.SignatureVerificationError, ValueError, UnicodeDecodeError):
        raise WebhookRefused(_("The Stripe signature is missing, wrong or too old.")) from None
    if not isinstance(event, dict) or not event.get("id") or not event.get("type"):
        raise WebhookRefused(_("This is not a Stripe event."))
    return event


def event_receive(*, payload: bytes, signature: str | None) -> tuple[WebhookEvent, bool]:
    """Verify and store the event, and run its handler the first time it arrives: (event, first time?)."""
    event = event_verify(payload=payload, signature=signature)
    obj = (event.get("data") or {}).get("object") or {}
    metadata = obj.get("metadata") or {}
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = WebhookEvent.objects.create(event_id=event["id"], type=event["type"],
                                                  created=int(event.get("created") or 0),
                                                  schema_name=str(metadata.get("schema_name", ""))[:63])
        except IntegrityError:  # delivered before (or at this very moment, and that one committed first)
            return WebhookEvent.objects.get(event_id=event["id"]), False
        handler = HANDLERS.get(event["type"])
        row.outcome = handler(event, obj)[:255] if handler else "ignored"
        row.processed_at = timezone.now()
        row.save(update_fields=["outcome", "processed_at"])
    return row, True


def _when(event: dict) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(event.get("created") or 0), tz=dt.UTC)


def _in_municipality(obj: dict, work: Callable[[], str]) -> str:
    schema = (obj.get("metadata") or {}).get("schema_name")
    municipality = Municipality.objects.filter(schema_name=schema).first() if schema else None
    if municipality is None:
        return "no municipality in the metadata"
    with tenant_context(municipality):
        return work()


@handles("account.updated")
def _account_updated(event: dict, account: dict) -> str:
    return account_state_apply(
        account_id=account.get("id", ""), details_submitted=bool(account.get("details_submitted")),
        payouts_enabled=bool(account.get("payouts_enabled")),
        currently_due=list((account.get("requirements") or {}).get("currently_due") or []),
        created=int(event.get("created") or 0), event_id=event["id"])


def _checkout_outcome(event_type: str, session: dict) -> str:
    """The co-payment's status an event means. A completed session whose payment is still ``unpaid`` was paid
    by a delayed method (SEPA debit): it is processing until ``async_payment_succeeded`` or ``…_failed``."""
    if event_type == "checkout.session.completed":
        return "processing" if session.get("payment_status") == "unpaid" else "paid"
    return {"checkout.session.async_payment_succeeded": "paid", "checkout.session.async_payment_failed": "failed",
            "checkout.session.expired": "expired"}[event_type]


@handles("checkout.session.completed", "checkout.session.expired", "checkout.session.async_payment_succeeded",
         "checkout.session.async_payment_failed")
def _checkout_session(event: dict, session: dict) -> str:
    status = _checkout_outcome(event["type"], session)
    at = _when(event)

    def settle() -> str:
        copayment = copayment_settle(checkout_session_id=session.get("id", ""), status=status, at=at)
        return f"co-payment {copayment.status}" if copayment else "unknown checkout session"

    return _in_municipality(session, settle)


TRANSFER_OUTCOMES = {"transfer.created": "paid", "transfer.reversed": "returned"}


@handles(*TRANSFER_OUTCOMES)
def _transfer(event: dict, transfer: dict) -> str:
    key = (transfer.get("metadata") or {}).get("payment_key")
    if not key:
        return "no payment key in the metadata"
    at = _when(event)

    def settle() -> str:
        payment_settle(idempotency_key=key, outcome=TRANSFER_OUTCOMES[event["type"]], reference=transfer.get("id", ""),
                       reason=_("Stripe reversed the transfer.") if event["type"] == "transfer.reversed" else "",
                       at=at)
        return TRANSFER_OUTCOMES[event["type"]]

    return _in_municipality(transfer, settle)
