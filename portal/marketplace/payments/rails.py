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
    # "waiting" as the rail's normal queue (the bank file: the next batch), not a problem anyone is told about.
    queued: bool = False


@dataclass(frozen=True)
class ReversalOrder:
    """Take a paid payment back (its invoice was cancelled). ``idempotency_key`` is derived from the payment,
    the same on every attempt, so a retried reversal reverses once."""

    payment_id: int
    idempotency_key: str
    reference: str  # what the rail sent: the transfer id
    amount: Decimal
    currency: str = "EUR"


OUTCOMES = ("sent", "waiting", "failed")

RAILS: dict[str, Callable[[PaymentOrder], RailOutcome]] = {}


# A rail that can take money back by itself (Stripe: a transfer reversal) registers here; a payment on a rail
# without one (the bank file) is left "to be recovered" by the finance officer.
REVERSALS: dict[str, Callable[[ReversalOrder], RailOutcome]] = {}


def register_rail(name: str, execute: Callable[[PaymentOrder], RailOutcome],
                  reverse: Callable[[ReversalOrder], RailOutcome] | None = None) -> None:
    """Make ``name`` a rail (registering again replaces it: app reloads, tests)."""
    RAILS[name] = execute
    if reverse is not None:
        REVERSALS[name] = reverse
