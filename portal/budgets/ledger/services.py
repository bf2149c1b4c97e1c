"""Writes to budgets and the ledger. Money moves only through these functions.

Concurrency: a reservation is one conditional ``UPDATE … WHERE granted >=
reserved + spent + returned + amount`` on the category row (PostgreSQL
re-checks the condition after waiting for a concurrent writer's lock), posts
and voids lock the category row ``FOR NO KEY UPDATE``; the CHECK constraint
``ledger_category_not_overdrawn`` backs both. Lock order: budget, then its
categories by id. Idempotency keys are unique in the database; repeating a
call with the same key returns the entry written the first time.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.budgets.people.models import Goal, SupportPlan
from portal.platform.core.models import AuditEvent, audit
from portal.platform.core.money import ZERO, format_eur, to_money
from portal.platform.outbox.services import outbox_emit

from .errors import (BudgetClosed, ExceedsReservation, IdempotencyMismatch, InsufficientFunds, InvalidAmount,
                     NotAReservation, PlanNotGrantable, ReservationResolved)
from .methodology import budget_amount, funding_split, methodology_current, period_months
from .models import Budget, BudgetCategory, LedgerEntry

Kind = LedgerEntry.Kind


def _actor_or_none(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _amount(value) -> Decimal:
    try:
        amount = to_money(value)
    except (TypeError, ValueError):
        raise InvalidAmount(_("Enter an amount of money in euros, for example 120.50."), field="amount") from None
    if amount <= 0:
        raise InvalidAmount(_("The amount must be more than 0 EUR."), field="amount")
    if amount >= Decimal("10000000000"):
        raise InvalidAmount(_("The amount is too large."), field="amount")
    return amount


def _existing(idempotency_key: str, *, kind, category_id=None, amount=None, reservation_id=None):
    """The entry already written under this key, or None. A key reused for something else is refused."""
    entry = LedgerEntry.objects.filter(idempotency_key=idempotency_key).first()
    if entry is None:
        return None
    if (entry.kind != kind or (category_id is not None and entry.category_id != category_id)
            or (amount is not None and entry.amount != amount)
            or (reservation_id is not None and entry.reservation_id != reservation_id)):
        raise IdempotencyMismatch(_("This idempotency key was already used for a different movement of money."),
                                  field="idempotency_key")
    return entry


def _require_key(idempotency_key: str) -> str:
    key = (idempotency_key or "").strip()
    if not key or len(key) > 200:
        raise InvalidAmount(_("An idempotency key of 1 to 200 characters is required."), field="idempotency_key")
    return key


# --- grant -----------------------------------------------------------------------------------------------------

def plan_level(plan) -> int | None:
    """The support-need level the plan's budget is sized by (from its needs assessment), if known."""
    for source in (plan, getattr(plan, "assessment", None)):
        level = getattr(source, "level", None) if source is not None else None
        if level is None and source is not None:
            level = getattr(source, "support_level", None)
        if isinstance(level, int) or (isinstance(level, str) and level.isdigit()):
            return int(level)
    return None


def _plan_goals(plan):
    return list(Goal.objects.filter(plan=plan).prefetch_related("service_types").order_by("pk"))


def _allocate(total: Decimal, shares: list[Decimal]) -> list[Decimal]:
    """Split ``total`` by ``shares`` (summing to 100) in cents; the rounding rest goes to the largest share."""
    parts = [(total * share / Decimal(100)).quantize(Decimal("0.01")) for share in shares]
    if parts:
        largest = max(range(len(shares)), key=lambda i: shares[i])
        parts[largest] += total - sum(parts)
    return parts


def budget_grant(*, plan, actor, level: int | None = None) -> Budget:
    """Grant the individual budget of an approved support plan (idempotent: one budget per plan).

    The amount comes from the methodology table in force now (annual amount
    for the person's target group and support-need level, pro rata for the
    plan period); one category per goal, sized by the goal's share and
    covering its service types. Shares under 100 % leave a category "not
    assigned to a goal" for the rest; shares over 100 % are scaled down.
    """
    existing = Budget.objects.filter(plan=plan).first()
    if existing is not None:
        return existing
    person = plan.person
    methodology = methodology_current()
    months = period_months(plan.period_start, plan.period_end)
    # Half a month of slack either way: "6 to 12 months" is counted in whole months by people.
    slack = Decimal("0.5")
    if not methodology.min_period_months - slack <= months <= methodology.max_period_months + slack:
        raise PlanNotGrantable(_("The plan period must be from %(min)s to %(max)s months.") % {
            "min": methodology.min_period_months, "max": methodology.max_period_months}, field="period_end")
    level = level or plan_level(plan) or methodology.default_level
    amount = budget_amount(target_group=person.target_group, level=level, period_start=plan.period_start,
                           period_end=plan.period_end, methodology=methodology)
    goals = _plan_goals(plan)
    shares = [Decimal(g.share_percent or 0) for g in goals]
    share_sum = sum(shares, ZERO)
    rows: list[tuple] = []  # (goal, name, service types, share)
    if share_sum > 100:
        shares = [s * Decimal(100) / share_sum for s in shares]
        share_sum = Decimal(100)
    for goal, share in zip(goals, shares):
        if share > 0:
            rows.append((goal, (goal.text or "")[:300], list(goal.service_types.all()), share))
    if share_sum < 100:
        rows.append((None, _("Not assigned to a goal"), [], Decimal(100) - share_sum))
    granted = _allocate(amount.total, [r[3] for r in rows])
    try:
        with transaction.atomic():
            budget = Budget.objects.create(
                person=person, plan=plan, period_start=plan.period_start, period_end=plan.period_end,
                total=amount.total, target_group=person.target_group, level=level,
                annual_amount=amount.annual_amount, period_months=amount.months,
                funding=funding_split(amount.total), granted_by=_actor_or_none(actor))
            entries = []
            for (goal, name, service_types, share), money in zip(rows, granted):
                category = BudgetCategory.objects.create(
                    budget=budget, goal=goal, name=name, share_percent=share.quantize(Decimal("0.01")),
                    granted=money)
                if service_types:
                    category.service_types.set(service_types)
                entries.append(LedgerEntry(
                    budget=budget, category=category, kind=Kind.GRANT, amount=money,
                    reference=f"plan:{plan.pk}", idempotency_key=f"grant:{budget.pk}:{category.pk}",
                    actor=_actor_or_none(actor)))
            LedgerEntry.objects.bulk_create([e for e in entries if e.amount > 0])
            audit(actor=actor, action=AuditEvent.Action.CREATE, obj=budget,
                  message="budget.granted", params={"amount": str(amount.total), "plan": plan.pk})
            # A new version replaces the previous one: its budget closes in the same transaction, and the
            # worker carries its running agreements over (invoicing.tasks handles "budget.superseded").
            for previous in budgets_close_superseded(person=person, actor=actor):
                outbox_emit(kind="budget.superseded", payload={"budget_id": previous.pk, "successor_id": budget.pk})
    except IntegrityError:
        existing = Budget.objects.filter(plan=plan).first()
        if existing is None:
            raise
        return existing
    return budget


# --- reserve / post / void -------------------------------------------------------------------------------------

def funds_reserve(*, category: BudgetCategory, amount, reference: str, idempotency_key: str, actor) -> LedgerEntry:
    """Reserve ``amount`` of the category's available money (pending, e.g. for an agreement).

    Raises ``InsufficientFunds`` (nothing written) when less is available; the
    same idempotency key returns the entry written the first time.
    """
    amount = _amount(amount)
    key = _require_key(idempotency_key)
    # No read before the write: the unique key catches a repeat (the UPDATE is then rolled back), and a
    # refused UPDATE looks the key up before saying no, so a retry after the money ran out still gets
    # its entry back. One round trip fewer on the hot path.
    try:
        with transaction.atomic():
            updated = (BudgetCategory.objects
                       .filter(pk=category.pk, granted__gte=F("reserved") + F("spent") + F("returned") + Value(amount))
                       .update(reserved=F("reserved") + Value(amount)))
            if not updated:
                found = _existing(key, kind=Kind.RESERVE, category_id=category.pk, amount=amount)
                if found is not None:
                    return found
                _refuse_reservation(category, amount)
            return LedgerEntry.objects.create(
                budget_id=category.budget_id, category_id=category.pk, kind=Kind.RESERVE, amount=amount,
                reference=(reference or "")[:200], idempotency_key=key, actor=_actor_or_none(actor))
    except IntegrityError:
        # The key was used before (or by a concurrent call): everything above was rolled back.
        found = _existing(key, kind=Kind.RESERVE, category_id=category.pk, amount=amount)
        if found is None:
            raise
        return found


def _refuse_reservation(category: BudgetCategory, amount: Decimal):
    current = BudgetCategory.objects.select_related("budget").get(pk=category.pk)
    if current.budget.status == Budget.Status.CLOSED:
        raise BudgetClosed(_("This budget is closed: its period has ended."))
    raise InsufficientFunds(
        _("Not enough money left for “%(category)s”: %(available)s is available, %(amount)s was asked for.") % {
            "category": current.name, "available": format_eur(current.available),
            "amount": format_eur(amount)},
        field="amount", available=current.available, requested=amount)


def _used(rows) -> Decimal:
    """What posts and voids took from a reservation; a refund (a cancelled payment) puts its post back."""
    return sum((-a if k == Kind.REFUND else a for k, a in rows), ZERO)


def reservation_remaining(reservation: LedgerEntry) -> Decimal:
    """What is still reserved and unposted (0 once released or closed)."""
    return reservation.amount - _used(reservation.resolutions.values_list("kind", "amount"))


def _reservation_state(reservation: LedgerEntry) -> tuple[Decimal, bool]:
    """(remaining, released?) read inside the category lock."""
    rows = list(LedgerEntry.objects.filter(reservation_id=reservation.pk).values_list("kind", "amount"))
    return reservation.amount - _used(rows), any(k == Kind.VOID for k, _a in rows)


def _check_reservation(reservation) -> LedgerEntry:
    if not isinstance(reservation, LedgerEntry) or reservation.kind != Kind.RESERVE:
        raise NotAReservation(_("Only a reservation can be posted or released."), field="reservation")
    return reservation


def reservation_post(*, reservation: LedgerEntry, amount, reference: str, idempotency_key: str,
                     actor) -> LedgerEntry:
    """Spend ``amount`` of a reservation (an approved invoice). Never more than what is still reserved."""
    _check_reservation(reservation)
    amount = _amount(amount)
    key = _require_key(idempotency_key)
    found = _existing(key, kind=Kind.POST, amount=amount, reservation_id=reservation.pk)
    if found is not None:
        return found
    try:
        with transaction.atomic():
            BudgetCategory.objects.select_for_update(no_key=True).only("pk").get(pk=reservation.category_id)
            remaining, released = _reservation_state(reservation)
            if released:
                raise ReservationResolved(_("This reservation was already released; nothing can be paid from it."))
            if amount > remaining:
                raise ExceedsReservation(
                    _("Only %(remaining)s of this reservation is left; %(amount)s cannot be paid from it.") % {
                        "remaining": format_eur(remaining), "amount": format_eur(amount)},
                    field="amount", remaining=remaining)
            BudgetCategory.objects.filter(pk=reservation.category_id).update(
                reserved=F("reserved") - Value(amount), spent=F("spent") + Value(amount))
            return LedgerEntry.objects.create(
                budget_id=reservation.budget_id, category_id=reservation.category_id, kind=Kind.POST,
                amount=amount, reservation=reservation, reference=(reference or "")[:200], idempotency_key=key,
                actor=_actor_or_none(actor))
    except IntegrityError:
        found = _existing(key, kind=Kind.POST, amount=amount, reservation_id=reservation.pk)
        if found is None:
            raise
        return found


def post_refund(*, post: LedgerEntry, reference: str, idempotency_key: str, actor) -> LedgerEntry:
    """A paid invoice was cancelled: its post goes back into the reservation it came from (spent → reserved),
    so the corrected invoice can be posted from it again. Once per key; a released reservation is refused
    (its money already went back to the budget or was returned; nothing to put it back into)."""
    if not isinstance(post, LedgerEntry) or post.kind != Kind.POST:
        raise NotAReservation(_("Only a payment from a reservation can be refunded."), field="reservation")
    key = _require_key(idempotency_key)
    found = _existing(key, kind=Kind.REFUND, amount=post.amount, reservation_id=post.reservation_id)
    if found is not None:
        return found
    try:
        with transaction.atomic():
            BudgetCategory.objects.select_for_update(no_key=True).only("pk").get(pk=post.category_id)
            _remaining, released = _reservation_state(post.reservation)
            if released:
                raise ReservationResolved(_("The agreement's reservation was already released: the payment cannot "
                                            "be put back into it."))
            BudgetCategory.objects.filter(pk=post.category_id).update(
                spent=F("spent") - Value(post.amount), reserved=F("reserved") + Value(post.amount))
            return LedgerEntry.objects.create(
                budget_id=post.budget_id, category_id=post.category_id, kind=Kind.REFUND, amount=post.amount,
                reservation_id=post.reservation_id, reference=(reference or "")[:200], idempotency_key=key,
                actor=_actor_or_none(actor))
    except IntegrityError:
        found = _existing(key, kind=Kind.REFUND, amount=post.amount, reservation_id=post.reservation_id)
        if found is None:
            raise
        return found


def reservation_void(*, reservation: LedgerEntry, reference: str, idempotency_key: str, actor) -> LedgerEntry:
    """Release the unposted rest of a reservation back to available (at most once; may be 0)."""
    _check_reservation(reservation)
    key = _require_key(idempotency_key)
    found = _existing(key, kind=Kind.VOID, reservation_id=reservation.pk)
    if found is not None:
        return found
    try:
        with transaction.atomic():
            BudgetCategory.objects.select_for_update(no_key=True).only("pk").get(pk=reservation.category_id)
            return _void_locked(reservation, reference=reference, key=key, actor=actor)
    except IntegrityError:
        found = _existing(key, kind=Kind.VOID, reservation_id=reservation.pk)
        if found is None:
            raise
        return found


def _void_locked(reservation, *, reference, key, actor) -> LedgerEntry:
    remaining, released = _reservation_state(reservation)
    if released:
        raise ReservationResolved(_("This reservation was already released."))
    closed = Budget.objects.filter(pk=reservation.budget_id, status=Budget.Status.CLOSED).exists()
    if remaining:
        # Released money of a closed budget cannot be reserved again: it is returned in the same step.
        BudgetCategory.objects.filter(pk=reservation.category_id).update(
            reserved=F("reserved") - Value(remaining),
            **({"returned": F("returned") + Value(remaining)} if closed else {}))
    entry = LedgerEntry.objects.create(
        budget_id=reservation.budget_id, category_id=reservation.category_id, kind=Kind.VOID, amount=remaining,
        reservation=reservation, reference=(reference or "")[:200], idempotency_key=key,
        actor=_actor_or_none(actor))
    if closed and remaining:
        LedgerEntry.objects.create(
            budget_id=reservation.budget_id, category_id=reservation.category_id, kind=Kind.CLOSE,
            amount=remaining, reference=f"close:{reservation.budget_id}", idempotency_key=f"{key}:return",
            actor=_actor_or_none(actor))
    return entry


# --- close -----------------------------------------------------------------------------------------------------

def budget_close(*, budget: Budget, actor, release_reservations: bool = True) -> Budget:
    """Close the budget: no reservation is made from it afterwards and what is unused is returned
    (``close`` entries, one per category). Idempotent.

    ``release_reservations`` voids every open reservation first (their money is returned too). At the end of
    a period the reservations of agreements that still bill are kept instead: they are posted as invoices
    are approved, and what is voided later is returned on the spot (``_void_locked``).
    """
    with transaction.atomic():
        budget = Budget.objects.select_for_update(no_key=True).get(pk=budget.pk)
        if budget.status == Budget.Status.CLOSED:
            return budget
        categories = list(BudgetCategory.objects.select_for_update(no_key=True).filter(budget=budget).order_by("pk"))
        if release_reservations:
            open_reservations = (LedgerEntry.objects.filter(budget=budget, kind=Kind.RESERVE)
                                 .exclude(resolutions__kind=Kind.VOID).order_by("pk"))
            for reservation in open_reservations:
                _void_locked(reservation, reference=f"close:{budget.pk}",
                             key=f"close:{budget.pk}:void:{reservation.pk}", actor=actor)
        for category in categories:
            category.refresh_from_db(fields=["granted", "reserved", "spent", "returned"])
            rest = category.available
            if rest:
                BudgetCategory.objects.filter(pk=category.pk).update(returned=F("returned") + Value(rest))
            LedgerEntry.objects.create(
                budget=budget, category=category, kind=Kind.CLOSE, amount=rest, reference=f"close:{budget.pk}",
                idempotency_key=f"close:{budget.pk}:{category.pk}", actor=_actor_or_none(actor))
        budget.status = Budget.Status.CLOSED
        budget.closed_at = timezone.now()
        budget.save(update_fields=["status", "closed_at"])
        audit(actor=actor, action=AuditEvent.Action.UPDATE, obj=budget, message="budget.closed")
    return budget


def budgets_close_due(*, today, actor=None) -> list[Budget]:
    """Period end (a daily job): close every open budget whose period ended before ``today``.

    What is neither spent nor reserved is returned; reservations of agreements stay until the agreement
    completes (``agreements_complete_due``), so invoices for sessions already delivered can still be paid.
    The plan goes to "review due". Idempotent: a second run finds nothing open and changes nothing.
    Returns the budgets it closed.
    """
    closed = []
    due = Budget.objects.filter(status=Budget.Status.OPEN, period_end__lt=today).order_by("pk")
    for budget in due.iterator():
        with transaction.atomic():
            budget = budget_close(budget=budget, actor=actor, release_reservations=False)
            SupportPlan.objects.filter(pk=budget.plan_id, status=SupportPlan.Status.APPROVED).update(
                status=SupportPlan.Status.REVIEW_DUE)
        closed.append(budget)
    return closed


def budgets_close_superseded(*, person, actor) -> list[Budget]:
    """A new plan version was approved: close the person's open budgets whose plan it superseded.

    Reservations stay with their agreements (``reservation_carry_over`` moves the ones that run on into
    the new budget); the rest is returned. Idempotent.
    """
    superseded = (Budget.objects.filter(person=person, status=Budget.Status.OPEN,
                                        plan__status=SupportPlan.Status.SUPERSEDED).order_by("pk"))
    return [budget_close(budget=budget, actor=actor, release_reservations=False) for budget in superseded]


# --- carry over ------------------------------------------------------------------------------------------------

def reservation_carry_over(*, reservation: LedgerEntry, to_category: BudgetCategory, reference: str,
                           idempotency_key: str, actor) -> LedgerEntry | None:
    """Move what is still reserved and unposted of ``reservation`` into another budget's category.

    Two entries, one on each budget, in one transaction: a ``void`` of the rest on the old budget (returned
    at once if that budget is closed) and a ``reserve`` of the same amount on ``to_category``. Refused with
    ``InsufficientFunds`` or ``BudgetClosed`` (nothing written) when the new category cannot hold it.
    Returns the new reservation, or None when nothing was left to carry. Idempotent per key.
    """
    _check_reservation(reservation)
    key = _require_key(idempotency_key)
    found = LedgerEntry.objects.filter(idempotency_key=f"{key}:reserve").first()
    if found is not None:
        return found
    with transaction.atomic():
        BudgetCategory.objects.select_for_update(no_key=True).only("pk").get(pk=reservation.category_id)
        remaining, released = _reservation_state(reservation)
        if released:
            raise ReservationResolved(_("This reservation was already released."))
        if not remaining:
            return None
        new = funds_reserve(category=to_category, amount=remaining, reference=reference,
                            idempotency_key=f"{key}:reserve", actor=actor)
        _void_locked(reservation, reference=reference, key=f"{key}:void", actor=actor)
    return new
