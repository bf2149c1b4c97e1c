"""Co-payments: the part above the cap the family agreed to pay, paid through a Stripe Checkout Session.

The session itself is opened by ``stripe_connect.checkout`` (it talks to Stripe); this module keeps the
record in the municipality's schema and its outcome from the webhook, idempotently.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.platform.core.errors import DomainError
from portal.platform.core.models import AuditEvent, audit

from .models import Agreement, AgreementStatus, CoPayment

PAYABLE_STATUSES = (AgreementStatus.ACTIVE,)


NOT_PAID = (CoPayment.Status.EXPIRED, CoPayment.Status.FAILED)
# Where each outcome may come from: paid wins whatever the order; "processing" (Checkout completed with a bank
# debit still running) only follows an open page; a failure or expiry ends an open or processing one.
SETTLE_FROM = {
    CoPayment.Status.PAID: {CoPayment.Status.OPEN, CoPayment.Status.PROCESSING, *NOT_PAID},
    CoPayment.Status.PROCESSING: {CoPayment.Status.OPEN},
    CoPayment.Status.FAILED: {CoPayment.Status.OPEN, CoPayment.Status.PROCESSING},
    CoPayment.Status.EXPIRED: {CoPayment.Status.OPEN, CoPayment.Status.PROCESSING},
}
COPAYMENT_MESSAGES = {CoPayment.Status.PAID: "copayment.paid", CoPayment.Status.PROCESSING: "copayment.processing",
                      CoPayment.Status.FAILED: "copayment.failed", CoPayment.Status.EXPIRED: "copayment.expired"}


def copayment_due(agreement: Agreement) -> Decimal:
    """What the family still has to pay: the co-payment total less what is paid, processing or on an open page."""
    taken = sum((c.amount for c in agreement.copayments.all() if c.status not in NOT_PAID), Decimal("0"))
    return max(agreement.copayment_total - taken, Decimal("0.00"))


def copayment_summary(agreement: Agreement) -> dict:
    """The co-payment's state on one agreement: agreed total, paid, waiting (open or processing), still due."""
    rows = list(agreement.copayments.all())
    paid = sum((c.amount for c in rows if c.status == CoPayment.Status.PAID), Decimal("0.00"))
    waiting = sum((c.amount for c in rows if c.status in (CoPayment.Status.OPEN, CoPayment.Status.PROCESSING)),
                  Decimal("0.00"))
    return {"total": agreement.copayment_total, "paid": paid, "waiting": waiting,
            "due": copayment_due(agreement), "copayments": rows}


def copayment_check(*, agreement: Agreement) -> Decimal:
    """The amount to pay now; refuses when nothing is due or the agreement is not active."""
    if agreement.status not in PAYABLE_STATUSES:
        raise DomainError(_("Co-payments are paid once the agreement is active."), code="copayment_not_active")
    due = copayment_due(agreement)
    if due <= 0:
        raise DomainError(_("There is no co-payment left to pay on this agreement."), code="copayment_nothing_due")
    return due


@transaction.atomic
def copayment_open(*, agreement: Agreement, amount: Decimal, checkout_session_id: str, actor) -> CoPayment:
    copayment = CoPayment.objects.create(agreement=agreement, amount=amount, checkout_session_id=checkout_session_id,
                                         opened_by=actor)
    audit(actor=actor, action=AuditEvent.Action.CREATE, obj=copayment,
          message="copayment.by_card", params={"amount": str(amount), "session": checkout_session_id})
    return copayment


@transaction.atomic
def copayment_settle(*, checkout_session_id: str, paid: bool | None = None, status: str | None = None,
                     at=None) -> CoPayment | None:
    """Mark the session's outcome (``status``, or ``paid`` for paid / expired): paid wins whatever the order, a
    transition ``SETTLE_FROM`` does not allow is ignored (idempotent; None if the session is unknown here)."""
    status = status or (CoPayment.Status.PAID if paid else CoPayment.Status.EXPIRED)
    copayment = CoPayment.objects.select_for_update().filter(checkout_session_id=checkout_session_id).first()
    if copayment is None or copayment.status not in SETTLE_FROM[status]:
        return copayment
    copayment.status = status
    copayment.settled_at = None if status == CoPayment.Status.PROCESSING else (at or timezone.now())
    copayment.save(update_fields=["status", "settled_at"])
    audit(actor=None, action=AuditEvent.Action.UPDATE, obj=copayment, changes={"status": status},
          message=COPAYMENT_MESSAGES[status], params={"session": checkout_session_id})
    return copayment
