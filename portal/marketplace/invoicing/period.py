"""The budget period's end for agreements: completion on schedule and carry-over into a new plan's budget.

Both are jobs for a daily schedule, run per municipality schema with the day passed in (tests pass their own
``today``; nothing here reads the clock). Both are idempotent: a second run finds nothing left to do.

- ``agreements_complete_due``: an active agreement whose period has ended completes once its last invoice is
  decided (nothing delivered is left to bill) or ``BILLING_DEADLINE_DAYS`` after its end, whichever is first;
  the unposted rest of its reservation is voided (and returned, the budget being closed by then).
- ``agreements_carry_over``: when a new plan version's budget replaces the previous one, agreements that run
  on past the new budget's start keep their money: the unposted rest moves to the new budget's category for
  the same service type (a ``void`` on the old budget, a ``reserve`` on the new). An agreement whose service
  type has no category in the new budget, or does not fit in it, stays on the old budget's reservation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from portal.budgets.ledger.errors import BudgetClosed, InsufficientFunds
from portal.budgets.ledger.models import Budget
from portal.budgets.ledger.selectors import category_for
from portal.budgets.ledger.services import reservation_carry_over
from portal.marketplace.agreements.models import Agreement, AgreementEvent
from portal.marketplace.agreements.transitions import (
    S,
    _is_user,
    _move,
    _void_reservation,
)
from portal.marketplace.invoicing.models import (
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    Session,
    SessionStatus,
)
from portal.platform.core.models import audit

# After the period ends, the provider has this long to invoice what was delivered before the rest is released.
BILLING_DEADLINE_DAYS = 60


def _still_billing() -> Q:
    """An undecided invoice, or a delivered session that is on no live invoice line yet."""
    undecided = Invoice.objects.filter(agreement=OuterRef("pk"),
                                       status__in=[InvoiceStatus.DRAFT, InvoiceStatus.SUBMITTED])
    unbilled = (Session.objects.filter(agreement=OuterRef("pk"),
                                       status__in=[SessionStatus.RECORDED, SessionStatus.CONFIRMED])
                .exclude(Exists(InvoiceLine.objects.filter(session=OuterRef("pk"), live=True))))
    return Q(Exists(undecided)) | Q(Exists(unbilled))


def agreements_complete_due(*, today: dt.date) -> list[Agreement]:
    """Complete every active agreement whose period ended before ``today`` and that bills nothing more.

    Rows another transaction holds are skipped (SKIP LOCKED) and picked up on the next run.
    """
    ended = Agreement.objects.filter(status=S.ACTIVE, period_end__lt=today)
    deadline = today - dt.timedelta(days=BILLING_DEADLINE_DAYS)
    due_ids = list(ended.filter(Q(period_end__lt=deadline) | ~_still_billing()).order_by("pk")
                   .values_list("pk", flat=True))
    completed = []
    for pk in due_ids:
        with transaction.atomic():
            agreement = (Agreement.objects.select_for_update(skip_locked=True, of=("self",))
                         .filter(pk=pk, status=S.ACTIVE).first())
            if agreement is None:
                continue
            _void_reservation(agreement, actor=None)
            completed.append(_move(agreement, S.COMPLETED, actor=None, note="period ended"))
    return completed


@dataclass
class CarryOver:
    carried: list[Agreement] = field(default_factory=list)
    # (agreement, reason code) of those that stay on the previous budget.
    kept: list[tuple[Agreement, str]] = field(default_factory=list)


def agreements_carry_over(*, previous: Budget, budget: Budget, actor) -> CarryOver:
    """Move the active agreements of ``previous`` that run on past ``budget``'s start into ``budget``.

    Each agreement moves in its own transaction (one refusal does not hold back the others) and gets an
    AgreementEvent and an audit row naming both budgets.
    """
    result = CarryOver()
    running_on = (Agreement.objects.filter(category__budget=previous, status=S.ACTIVE, reservation__isnull=False,
                                           period_end__gte=budget.period_start)
                  .select_related("service__service_type").order_by("pk"))
    for agreement in running_on:
        category = category_for(budget, agreement.service.service_type)
        if category is None:
            result.kept.append((agreement, "no_category"))
            continue
        try:
            with transaction.atomic():
                locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
                if locked.status != S.ACTIVE or locked.category_id == category.pk:
                    continue
                entry = reservation_carry_over(
                    reservation=locked.reservation, to_category=category, reference=f"agreement {locked.pk}",
                    idempotency_key=f"agreement:{locked.pk}:carry:{budget.pk}", actor=actor)
                if entry is None:
                    result.kept.append((locked, "nothing_left"))
                    continue
                from_category = locked.category_id
                locked.category, locked.reservation, locked.goal = category, entry, category.goal
                locked.save(update_fields=["category", "reservation", "goal", "modified_at"])
                AgreementEvent.objects.create(agreement=locked, actor=actor if _is_user(actor) else None,
                                              from_status=locked.status, to_status=locked.status,
                                              note=f"carried over to budget {budget.pk}")
                audit(actor=actor, action="update", obj=locked,
                      summary=f"agreement carried over from budget {previous.pk} to budget {budget.pk}",
                      changes={"category": [from_category, category.pk]})
                result.carried.append(locked)
        except (InsufficientFunds, BudgetClosed) as refusal:
            result.kept.append((agreement, refusal.code))
    return result


def budgets_carry_over_due(*, actor=None) -> list[CarryOver]:
    """For every closed budget whose plan a newer approved version replaced: carry its running agreements
    over into the person's open budget of that version (a daily job; idempotent)."""
    results = []
    previous_budgets = (Budget.objects.filter(status=Budget.Status.CLOSED, plan__status="superseded",
                                              categories__agreements__status=S.ACTIVE)
                        .select_related("plan").distinct().order_by("pk"))
    for previous in previous_budgets:
        budget = (Budget.objects.filter(person_id=previous.person_id, status=Budget.Status.OPEN,
                                        plan__version__gt=previous.plan.version)
                  .order_by("-plan__version").first())
        if budget is not None:
            results.append(agreements_carry_over(previous=previous, budget=budget, actor=actor))
    return results
