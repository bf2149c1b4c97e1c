"""Cancelling an agreement, and the notice rule both sides see before they cancel."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.budgets.ledger.services import funds_reserve, reservation_remaining
from portal.platform.core.money import ZERO, to_money

from . import access
from .errors import AgreementInvalid, NotAllowed
from .models import Agreement, MunicipalRules
from .transitions import S, _lock, _move, _require_status, _void_reservation

# Sent while an active agreement is cancelled: (sender=Agreement, agreement). Each receiver returns the budget
# share of work delivered on it but not yet invoiced, which stays reserved. The invoicing area answers
# (``invoicing.signals``): it sits above this one, so this area asks through the signal instead of importing it.
delivered_not_invoiced = Signal()


@dataclass(frozen=True)
class CancellationTerms:
    """What cancelling now would mean — shown to both sides before they cancel."""

    notice_hours: int
    effective: dt.date
    short_notice: bool
    billable_units: Decimal
    fee: Decimal
    releases: Decimal


def _uninvoiced_delivered_amount(agreement) -> Decimal:
    """Delivered but not yet invoiced, which stays reserved after a cancellation (the invoicing area's answer)."""
    answers = delivered_not_invoiced.send(sender=Agreement, agreement=agreement)
    return to_money(sum((amount or ZERO for _receiver, amount in answers), ZERO))


def cancellation_terms(agreement, *, effective: dt.date | None = None, by_provider: bool = False,
                       now: dt.datetime | None = None) -> CancellationTerms:
    """The notice rule: cancelling an active agreement with less notice than the municipality's rule before
    the service would take place lets the provider bill ``short_notice_billable_units`` units.
    A cancellation by the provider itself is never billable to the budget."""
    rules = MunicipalRules.current()
    now = now or timezone.now()
    today = timezone.localdate(now)
    effective = max(effective or today, today)
    remaining = ZERO
    if agreement.reservation_id and agreement.status == S.ACTIVE:
        remaining = to_money(reservation_remaining(agreement.reservation))
    first_affected = max(effective, agreement.period_start)
    starts = timezone.make_aware(dt.datetime.combine(first_affected, dt.time.min))
    short = (agreement.status == S.ACTIVE and not by_provider and first_affected <= agreement.period_end
             and starts < now + dt.timedelta(hours=rules.cancellation_notice_hours))
    units = min(rules.short_notice_billable_units, agreement.total_units) if short else ZERO
    fee = min(to_money(units * agreement.budget_unit_price), remaining)
    return CancellationTerms(notice_hours=rules.cancellation_notice_hours, effective=effective, short_notice=short,
                             billable_units=units, fee=fee, releases=max(ZERO, remaining - fee))


def agreement_cancel(*, agreement, actor, reason: str = "", effective: dt.date | None = None,
                     only_if_open: bool = False) -> Agreement:
    """Cancel: a draft or pending request by the family; an active agreement by the family or the provider.

    The unposted rest of the reservation is voided. After a short-notice cancellation by the family, the
    billable part (and what was delivered but not yet invoiced) is reserved again so the provider can invoice it.
    ``only_if_open``: withdrawing a request must not turn into cancelling an agreement the provider accepted
    meanwhile (which may be billable): refused with agreement.wrong_state instead.
    """
    with transaction.atomic():
        agreement = _lock(agreement)
        capacity = access.capacity_for(actor, agreement)
        if only_if_open:
            _require_status(agreement, S.DRAFT, S.AWAITING_PERSON, S.AWAITING_PROVIDER, S.AWAITING_MUNICIPALITY)
        if capacity in access.DECIDING_CAPACITIES:
            _require_status(agreement, S.DRAFT, S.AWAITING_PERSON, S.AWAITING_PROVIDER, S.AWAITING_MUNICIPALITY,
                            S.ACTIVE)
        elif capacity == access.SUPPORT_PERSON and agreement.prepared_by_id == actor.pk:
            _require_status(agreement, S.DRAFT, S.AWAITING_PERSON)  # withdraw their own draft
        elif capacity == access.PROVIDER:
            _require_status(agreement, S.ACTIVE)
            if not (reason or "").strip():
                raise AgreementInvalid(_("Say why you cancel, so the family understands."), field="reason",
                                       code="agreement.reason_required")
        else:
            raise NotAllowed(_("Only the person, their legal representative or the provider can cancel."))
        terms = cancellation_terms(agreement, effective=effective, by_provider=capacity == access.PROVIDER)
        keep = ZERO
        if agreement.status == S.ACTIVE:
            keep = min(terms.fee + _uninvoiced_delivered_amount(agreement), terms.fee + terms.releases)
        fields = ["cancelled_by", "cancelled_at", "cancel_effective", "cancel_reason", "cancellation_fee"]
        agreement.cancelled_by = actor
        agreement.cancelled_at = timezone.now()
        agreement.cancel_effective = terms.effective if agreement.status == S.ACTIVE else None
        agreement.cancel_reason = (reason or "").strip()[:2000]
        agreement.cancellation_fee = terms.fee
        old = agreement.reservation
        _void_reservation(agreement, actor=actor)
        if keep > 0:
            agreement.reservation = funds_reserve(
                category=agreement.category, amount=keep, reference=f"agreement {agreement.pk} after cancellation",
                idempotency_key=f"agreement:{agreement.pk}:after-cancel:{old.pk}", actor=actor)
            fields.append("reservation")
        return _move(agreement, S.CANCELLED, actor=actor, capacity=capacity, note=agreement.cancel_reason,
                     fields=fields)
