"""The machinery every agreement transition shares: row lock, status check, event + audit + outbox event,
and releasing a reservation. Used by ``services`` and ``cancellation``; not an API of its own."""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from portal.budgets.ledger.errors import ReservationResolved
from portal.budgets.ledger.services import reservation_void
from portal.platform.core.models import audit
from portal.platform.core.money import format_eur
from portal.platform.outbox.services import outbox_emit

from .errors import WrongState
from .models import Agreement, AgreementEvent, AgreementStatus

S = AgreementStatus


def reserve_key(agreement) -> str:
    return f"agreement:{agreement.pk}:reserve"


def _money_text(amount) -> str:
    return format_eur(amount, (get_language() or "lv")[:2])


def _lock(agreement) -> Agreement:
    return Agreement.objects.select_for_update().get(pk=agreement.pk)


def _require_status(agreement, *statuses) -> None:
    if agreement.status not in statuses:
        raise WrongState(_("This agreement is now “%(status)s”; that step is no longer possible.") % {
            "status": agreement.get_status_display()})


def _move(agreement, to_status, *, actor, capacity="", note="", fields=()) -> Agreement:
    from_status = agreement.status
    agreement.status = to_status
    agreement.save(update_fields=["status", "modified_at", *fields])
    AgreementEvent.objects.create(agreement=agreement, actor=actor if _is_user(actor) else None,
                                  capacity=capacity, from_status=from_status, to_status=to_status, note=note)
    audit(actor=actor, action="update", obj=agreement, message="agreement.status_changed",
          params={"before": str(from_status), "after": str(to_status)},
          changes={"status": [from_status, to_status]})
    outbox_emit(kind="agreement.status_changed",
                payload={"agreement_id": agreement.pk, "from_status": from_status, "to_status": to_status})
    return agreement


def _is_user(actor) -> bool:
    return getattr(actor, "is_authenticated", False)


def _void_reservation(agreement, *, actor) -> None:
    if agreement.reservation_id is None:
        return
    try:
        reservation_void(reservation=agreement.reservation, reference=f"agreement {agreement.pk}",
                         idempotency_key=f"agreement:{agreement.pk}:void:{agreement.reservation_id}", actor=actor)
    except ReservationResolved:
        pass  # already released, e.g. when the budget was closed at the end of its period
