"""The rails a payment can travel on, and the contract every rail keeps.

A rail is ``execute(order) -> RailOutcome``. It is called by the worker after the approval's commit, with
the payment row locked, and again on every retry with the same ``idempotency_key`` — so a rail that talks to
the outside world (Stripe) passes that key on, and a retry never makes a second transfer. ``"sent"`` means
the money is on its way (``reference``: the transfer or end-to-end id); ``"waiting"`` means nothing was sent
and ``reason`` says why in words; ``"failed"`` the rail refused for good (a retry may be tried by a person).

The bank-file rail registers itself (``bankfile.register``); the Stripe rail registers from its own app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class PaymentOrder:
    payment_id: int
    idempotency_key: str
    municipality_code: str
    schema_name: str
    provider_id: int
    invoice_id: int
    invoice_number: str
    amount: Decimal
    currency: str = "EUR"


@dataclass(frozen=True)
class RailOutcome:
    status: str  # "sent" | "waiting" | "failed"
    reference: str = ""
    reason: str = ""


OUTCOMES = ("sent", "waiting", "failed")

RAILS: dict[str, Callable[[PaymentOrder], RailOutcome]] = {}


def register_rail(name: str, execute: Callable[[PaymentOrder], RailOutcome]) -> None:
    """Make ``name`` a rail (registering again replaces it: app reloads, tests)."""
    RAILS[name] = execute
