"""The budget period's end for agreements: completion on schedule and carry-over into a new plan's budget.

Both are jobs for a daily schedule, run per municipality schema with the day passed in (tests pass their own
``today``; nothing here reads the clock). Both are idempotent: a second run finds nothing left to do.

- ``agreements_complete_due``: an active agreement whose period has ended completes once its last invoice is
  decided (nothing delivered is left to bill) or ``BILLING_DEADLINE_DAYS`` after its end, whichever is first;
  the unposted rest of its reservation is voided (and returned, the budget being closed by then).
- carry-over: when a new plan version's budget replaces the previous one, the person is asked about each
  agreement that runs on past the new budget's start (``carry_overs_ask``). If they continue it, the unposted
  rest moves to the new budget's category for the same service type (a ``void`` on the old budget, a
  ``reserve`` on the new); an agreement whose service type has no category in the new budget, or does not fit
  in it, stays on the old budget's reservation. If they do not, it is cancelled from the new budget's start.
  Unanswered, it runs on from the old budget's reservation (``carry_over_decide``).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.budgets.ledger.errors import BudgetClosed, InsufficientFunds
from portal.budgets.ledger.models import Budget
from portal.budgets.ledger.selectors import category_for
from portal.budgets.ledger.services import reservation_carry_over
from portal.budgets.people.access import acting_capacity, may_decide_for
from portal.marketplace.agreements.access import agreements_for_user
from portal.marketplace.agreements.cancellation import agreement_cancel
from portal.marketplace.agreements.errors import NotAllowed, WrongState
from portal.marketplace.agreements.models import Agreement, AgreementEvent, CarryOver
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
from portal.platform.outbox.services import outbox_emit
from portal.tenants.access import current_municipality, roles_for

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


def _carry_one(agreement: Agreement, *, previous: Budget, budget: Budget, actor) -> str:
    """Move one agreement's unposted money into ``budget``'s category for its service type.

    Returns "" when it moved, else why it stays on ``previous`` (no_category, nothing_left, or the ledger's
    refusal code). Its own transaction: a refusal writes nothing.
    """
    category = category_for(budget, agreement.service.service_type)
    if category is None:
        return "no_category"
    try:
        with transaction.atomic():
            locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
            if locked.category_id == category.pk:
                return ""
            entry = reservation_carry_over(
                reservation=locked.reservation, to_category=category, reference=f"agreement {locked.pk}",
                idempotency_key=f"agreement:{locked.pk}:carry:{budget.pk}", actor=actor)
            if entry is None:
                return "nothing_left"
            from_category = locked.category_id
            locked.category, locked.reservation, locked.goal = category, entry, category.goal
            locked.save(update_fields=["category", "reservation", "goal", "modified_at"])
            AgreementEvent.objects.create(agreement=locked, actor=actor if _is_user(actor) else None,
                                          from_status=locked.status, to_status=locked.status,
                                          note=f"carried over to budget {budget.pk}")
            audit(actor=actor, action="update", obj=locked,
                  message="agreement.carried_over", params={"previous": previous.pk, "budget": budget.pk},
                  changes={"category": [from_category, category.pk]})
    except (InsufficientFunds, BudgetClosed) as refusal:
        return refusal.code
    return ""


def carry_overs_ask(*, previous: Budget, budget: Budget) -> list[CarryOver]:
    """Ask the person about each active agreement of ``previous`` that runs on past ``budget``'s start.

    One question per agreement and new budget (a second call asks nothing new); each new one is an outbox event
    (``agreement.carry_over_asked``) so the family can be told. Nothing moves until they answer.
    """
    running_on = (Agreement.objects.filter(category__budget=previous, status=S.ACTIVE, reservation__isnull=False,
                                           period_end__gte=budget.period_start).order_by("pk"))
    asked = []
    for agreement in running_on:
        with transaction.atomic():
            question, created = CarryOver.objects.get_or_create(
                agreement=agreement, budget=budget, defaults={"previous_budget": previous})
            if created:
                outbox_emit(kind="agreement.carry_over_asked",
                            payload={"carry_over_id": question.pk, "agreement_id": agreement.pk,
                                     "person_id": agreement.person_id})
                asked.append(question)
    return asked


def carry_over_decide(*, carry_over: CarryOver, carry_on: bool, actor) -> CarryOver:
    """The person or their legal representative answers: continue under the new plan, or not.

    Continue: the agreement's unposted money moves to the new budget (or, where it cannot, the agreement stays
    on the previous budget's reservation and the answer records why). Not: the agreement is cancelled from the
    new budget's start, under the municipality's notice rule. A support person helps but never answers.
    """
    with transaction.atomic():
        question = (CarryOver.objects.select_for_update().select_related("agreement__person", "budget")
                    .get(pk=carry_over.pk))
        agreement = question.agreement
        capacity = acting_capacity(actor, agreement.person)
        if not may_decide_for(actor, agreement.person):
            raise NotAllowed(_("Only the person or their legal representative can answer this."))
        if question.status != CarryOver.Status.ASKED or agreement.status != S.ACTIVE:
            raise WrongState(_("This has already been answered or the agreement has ended."),
                             code="carry_over.answered")
        if carry_on:
            reason = _carry_one(agreement, previous=question.previous_budget, budget=question.budget, actor=actor)
            question.status = CarryOver.Status.KEPT if reason else CarryOver.Status.CONTINUED
            question.kept_reason = reason
        else:
            agreement_cancel(agreement=agreement, actor=actor, effective=question.budget.period_start,
                             reason=_("Not continued under the new support plan."))
            question.status = CarryOver.Status.ENDED
        question.decided_by, question.decided_as, question.decided_at = actor, capacity or "", timezone.now()
        question.save(update_fields=["status", "kept_reason", "decided_by", "decided_as", "decided_at"])
        audit(actor=actor, action="update", obj=agreement,
              message="agreement.carry_over_answered",
              params={"budget": question.budget_id, "answer": str(question.status)},
              changes={"carry_over": ["asked", question.status]})
    return question


def carry_overs_ask_due() -> list[CarryOver]:
    """For every closed budget whose plan a newer approved version replaced: ask about its running agreements
    (a daily job that catches what the ``budget.superseded`` handler could not; idempotent)."""
    asked = []
    previous_budgets = (Budget.objects.filter(status=Budget.Status.CLOSED, plan__status="superseded",
                                              categories__agreements__status=S.ACTIVE)
                        .select_related("plan").distinct().order_by("pk"))
    for previous in previous_budgets:
        budget = (Budget.objects.filter(person_id=previous.person_id, status=Budget.Status.OPEN,
                                        plan__version__gt=previous.plan.version)
                  .order_by("-plan__version").first())
        if budget is not None:
            asked.extend(carry_overs_ask(previous=previous, budget=budget))
    return asked


def carry_overs_for_user(user):
    """The carry-over questions ``user`` may see here: staff all; the family those of their persons' agreements
    they may see. Not providers: what the family answers reaches them as the agreement's own change."""
    if not roles_for(user, current_municipality()):
        return CarryOver.objects.none()
    return (CarryOver.objects.filter(agreement__in=agreements_for_user(user))
            .select_related("agreement__service", "agreement__provider", "agreement__person", "budget")
            .order_by("-asked_at", "-pk"))


def carry_overs_to_answer(user) -> list[CarryOver]:
    """The questions waiting for ``user``'s answer: as the person or their legal representative."""
    waiting = carry_overs_for_user(user).filter(status=CarryOver.Status.ASKED, agreement__status=S.ACTIVE)
    return [question for question in waiting if may_decide_for(user, question.agreement.person)]
