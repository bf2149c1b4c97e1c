"""Errors of the ledger, with stable codes the API returns and forms show."""

from portal.platform.core.errors import Conflict, NotFound, ValidationFailed


class InsufficientFunds(ValidationFailed):
    """Not enough money available in the category: nothing was written; the message says what is available."""

    code = "budget.insufficient_funds"


class InvalidAmount(ValidationFailed):
    code = "budget.invalid_amount"


class BudgetClosed(Conflict):
    code = "budget.closed"


class ReservationResolved(Conflict):
    """The reservation was already released (voided) or closed: it cannot be posted or released again."""

    code = "budget.reservation_resolved"


class ExceedsReservation(ValidationFailed):
    code = "budget.exceeds_reservation"


class IdempotencyMismatch(Conflict):
    """The idempotency key was already used for a different movement."""

    code = "budget.idempotency_mismatch"


class NotAReservation(ValidationFailed):
    code = "budget.not_a_reservation"


class PlanNotGrantable(ValidationFailed):
    code = "budget.plan_not_grantable"


class MethodologyInvalid(ValidationFailed):
    code = "budget.methodology_invalid"


class BudgetNotFound(NotFound):
    code = "budget.not_found"
