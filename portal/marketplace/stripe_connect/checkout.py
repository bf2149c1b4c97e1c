"""Co-payments by card: a Stripe Checkout Session for the part above the cap the family agreed to pay.

The record (``agreements.CoPayment``) lives in the municipality's schema beside its agreement; the
session's metadata names that schema, so ``checkout.session.completed`` / ``.expired`` find it.
"""

from __future__ import annotations

from django.db import connection
from django.utils.translation import gettext as _

from portal.marketplace.agreements.access import DECIDING_CAPACITIES
from portal.marketplace.agreements.copayments import (PAYABLE_STATUSES, copayment_check, copayment_open,
                                                      copayment_summary)

from .client import cents, stripe_client, stripe_enabled, stripe_errors


def copayment_status(*, agreement, capacity: str | None) -> dict:
    """The agreement's co-payment for the page and the API: agreed total, paid, waiting, due, the list, and
    whether this user (``capacity``: agreements.access.capacity_for) can pay now — the person or the legal
    representative, on an active agreement, with something due and Stripe switched on."""
    state = copayment_summary(agreement)
    state["can_pay"] = (stripe_enabled() and state["due"] > 0 and agreement.status in PAYABLE_STATUSES
                        and capacity in DECIDING_CAPACITIES)
    return state


def copayment_checkout_start(*, agreement, actor, success_url: str, cancel_url: str) -> str:
    """Open a payment page for what the family still owes on ``agreement``; returns its address."""
    amount = copayment_check(agreement=agreement)
    tenant = connection.tenant
    client = stripe_client()
    with stripe_errors():
        session = client.v1.checkout.sessions.create(params={
            "mode": "payment", "success_url": success_url, "cancel_url": cancel_url,
            "client_reference_id": f"{tenant.schema_name}-agreement-{agreement.pk}",
            "line_items": [{"quantity": 1, "price_data": {
                "currency": "eur", "unit_amount": cents(amount),
                "product_data": {"name": _("Co-payment: %(service)s") % {"service": agreement.service.title}}}}],
            "metadata": {"schema_name": tenant.schema_name, "municipality": tenant.code,
                         "agreement_id": str(agreement.pk)},
        })
    copayment_open(agreement=agreement, amount=amount, checkout_session_id=session.id, actor=actor)
    return session.url


def platform_balance() -> list[tuple[str, int]]:
    """The platform's available Stripe balance, [(currency, cents)] (Balance API)."""
    client = stripe_client()
    with stripe_errors():
        balance = client.v1.balance.retrieve()
    return [(row.currency, row.amount) for row in balance.available]
