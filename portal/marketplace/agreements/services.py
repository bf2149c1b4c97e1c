"""Writes for agreements: the lifecycle from a draft to an active agreement with its budget reserved.

draft ──(support person: send)──▶ awaiting_person ──┐
  └──────────(person / legal representative: confirm)──▶ awaiting_provider ──(provider: accept)──▶
      [awaiting_municipality ──(municipality: approve)──▶] active ──▶ completed / cancelled
awaiting_provider ──(provider: decline / deadline passes)──▶ declined / expired

Every transition locks the agreement row (SELECT … FOR UPDATE), checks who acts and in what status,
writes an AgreementEvent and an audit row, and runs in one transaction: a refusal writes nothing.
The reservation is made by ``ledger.services.funds_reserve`` with a key derived from the agreement, so
two agreements racing for the last euros cannot both win (the ledger locks the category row).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.budgets.ledger.errors import BudgetClosed
from portal.budgets.ledger.services import funds_reserve
from portal.budgets.people.models import Consent
from portal.budgets.people.selectors import consent_withdrawn
from portal.marketplace.approvals.selectors import is_service_approved
from portal.platform.core.errors import DomainError
from portal.platform.core.models import audit
from portal.tenants.access import current_municipality, roles_for
from portal.tenants.roles import Role

from . import access, selectors
from .cancellation import CancellationTerms, agreement_cancel, cancellation_terms  # noqa: F401 (part of the API)
from .errors import (
    AgreementInvalid,
    CopaymentNotAccepted,
    DeadlinePassed,
    ExceedsBudget,
    NoBudget,
    NotAllowed,
    OverCap,
    ServiceNotAvailable,
)
from .limits import check_period, check_respite
from .models import Agreement, AgreementEvent, MunicipalRules
from .pricing import MAX_UNITS, Quote, goal_agrees, quote
from .rules import municipal_rules_update  # noqa: F401 (part of the API)
from .transitions import (  # noqa: F401 (re-exported)
    S,
    _is_user,
    _lock,
    _money_text,
    _move,
    _require_status,
    _void_reservation,
    reserve_key,
)

# ----------------------------------------------------------------------------------------------- checks

def _decimal(value, *, field: str, label: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise AgreementInvalid(_("%(label)s must be a number.") % {"label": label}, field=field) from None
    if not number.is_finite() or number <= 0 or number > MAX_UNITS:
        raise AgreementInvalid(_("%(label)s must be more than 0 and at most %(max)s.") % {
            "label": label, "max": MAX_UNITS}, field=field)
    return number.quantize(Decimal("0.01"))


def validate_quote(q: Quote, *, accept_copayment: bool, goal=None) -> None:
    """Raise the first reason the quoted agreement may not be made (the same checks the page shows)."""
    if (q.budget is None and q.person.budgets.filter(status="closed").exists()) or (
            q.budget is not None and q.budget.status == "closed"):
        raise BudgetClosed(_("The support plan's period has ended and its budget is closed: no new agreements "
                             "can be made from it. Talk to your social worker about the next plan."),
                           field="service")
    if q.budget is None or q.category is None:
        raise NoBudget(_("The approved budget has no category for this kind of service. "
                         "Talk to your social worker about adding it to your support plan."), field="service")
    if q.period_start is None or q.period_end is None:
        raise AgreementInvalid(_("Enter when the agreement starts and ends."), field="period_start")
    if q.period_end < q.period_start:
        raise AgreementInvalid(_("The end date must be on or after the start date."), field="period_end")
    check_period(q)  # inside the plan's period; a support person up to 24 months
    if q.total_units <= 0:
        raise AgreementInvalid(_("Enter how many units a week, or how many units in total."), field="units_per_week")
    if q.total_units > MAX_UNITS:
        raise AgreementInvalid(_("That is more units than one agreement can hold."), field="total_units")
    if goal is not None and goal.plan_id != q.budget.plan_id:
        raise AgreementInvalid(_("Choose a goal from the current support plan."), field="goal")
    if goal is not None and not goal_agrees(goal, q.category, q.budget):
        raise AgreementInvalid(_("This service is paid from “%(category)s”, which does not serve this goal. "
                                 "Choose the goal it serves.") % {"category": q.category.name}, field="goal")
    if q.refused_over_cap:
        raise OverCap(_("The price is %(over)s per unit above the municipality's price cap of %(cap)s, and the "
                        "municipality does not allow paying the difference. Choose another provider or talk to "
                        "your social worker.") % {"over": _money_text(q.over_cap_per_unit),
                                                   "cap": _money_text(q.cap_amount)}, field="service")
    if q.over_cap and not accept_copayment:
        raise CopaymentNotAccepted(_("The price is above the municipality's cap. To go ahead, accept paying the "
                                     "difference yourself: %(total)s in total.") % {
            "total": _money_text(q.copayment_total)}, field="accept_copayment")
    if not q.fits:
        raise ExceedsBudget(_("This costs %(cost)s but only %(available)s is available in “%(category)s”.") % {
            "cost": _money_text(q.total_amount), "available": _money_text(q.available),
            "category": q.category.name}, field="units_per_week")


def requires_approval(*, service, total_amount, rules: MunicipalRules) -> bool:
    if service.service_type.code in (rules.approval_service_types or []):
        return True
    return rules.approval_above_amount is not None and total_amount > rules.approval_above_amount


# ------------------------------------------------------------------------------------------- creation

def agreement_start(*, actor, person_id, service_id, goal_id=None, units_per_week=None, total_units=None,
                    period_start: dt.date | None = None, period_end: dt.date | None = None,
                    accept_copayment: bool = False, explanation: str = "") -> Agreement:
    """Start an agreement from what a face received (ids and the person's numbers): the one way both the
    page and the API start one.

    Looks up the person through the checkpoint (Http404 if ``actor`` may not see them), the service among
    those approved here and the goal in the person's plan, quotes once and saves a draft. A refusal raises a
    DomainError and writes nothing; when the refusal is about the quote, ``error.params["quote"]`` holds the
    quote it was based on, so a page can show the cost beside the reason without quoting again.
    """
    person, service = selectors.start_choice(actor, person_id=person_id, service_id=service_id)
    goal = None
    if goal_id is not None:
        goal = selectors.goal_of(person, goal_id)
        if goal is None:
            raise AgreementInvalid(_("Choose a goal from the current support plan."), field="goal")
    capacity = _require_family(actor, person)
    return _draft_create(person=person, service=service, actor=actor, capacity=capacity,
                         units_per_week=units_per_week, total_units=total_units, period_start=period_start,
                         period_end=period_end, goal=goal, accept_copayment=accept_copayment,
                         explanation=explanation)


def agreement_draft_create(*, person, service, actor, units_per_week=None, total_units=None,
                           period_start: dt.date | None = None, period_end: dt.date | None = None, goal=None,
                           accept_copayment: bool = False, explanation: str = "") -> Agreement:
    """A person, their legal representative or support person prepares an agreement (status draft).

    For callers that already hold the objects (demo data, tests, benchmarks); the page and the API call
    ``agreement_start``.
    """
    capacity = _require_family(actor, person)
    if not is_service_approved(service):
        raise ServiceNotAvailable(_("This service is not approved in this municipality."), field="service")
    return _draft_create(person=person, service=service, actor=actor, capacity=capacity,
                         units_per_week=units_per_week, total_units=total_units, period_start=period_start,
                         period_end=period_end, goal=goal, accept_copayment=accept_copayment,
                         explanation=explanation)


def _require_family(actor, person) -> str:
    capacity = access.family_capacity(actor, person)
    if capacity is None:
        raise NotAllowed(_("Only the person, their legal representative or support person can start an agreement."))
    return capacity


def _draft_create(*, person, service, actor, capacity, units_per_week, total_units, period_start, period_end,
                  goal, accept_copayment, explanation) -> Agreement:
    """Check, quote once and save the draft of a service approved here."""
    if service.target_groups and person.target_group not in service.target_groups:
        raise ServiceNotAvailable(_("This service is not offered for this person's target group."), field="service")
    per_week = _decimal(units_per_week, field="units_per_week", label=_("Units a week"))
    units = _decimal(total_units, field="total_units", label=_("Units in total"))
    q = quote(person=person, service=service, units_per_week=per_week, total_units=units,
              period_start=period_start, period_end=period_end)
    if goal is None and q.category is not None:
        goal = q.category.goal
    try:
        validate_quote(q, accept_copayment=accept_copayment, goal=goal)
        check_respite(q)
    except DomainError as refusal:
        refusal.params["quote"] = q
        raise
    with transaction.atomic():
        agreement = Agreement.objects.create(
            person=person, service=service, provider_id=service.provider_id, goal=goal, category=q.category,
            unit=q.unit, unit_price=q.unit_price, copayment_per_unit=q.copayment_per_unit,
            units_per_week=per_week, total_units=q.total_units, total_amount=q.total_amount,
            period_start=q.period_start, period_end=q.period_end, status=S.DRAFT,
            explanation=(explanation or "").strip()[:4000], prepared_by=actor)
        AgreementEvent.objects.create(agreement=agreement, actor=actor, capacity=capacity, to_status=S.DRAFT)
        audit(actor=actor, action="create", obj=agreement, message="agreement.drafted", params={"person_id": person.pk})
    return agreement


def agreement_send_to_person(*, agreement, actor, explanation: str | None = None) -> Agreement:
    """The support person hands the prepared draft to the person to read and confirm."""
    with transaction.atomic():
        agreement = _lock(agreement)
        capacity = access.family_capacity(actor, agreement.person)
        if capacity is None:
            raise NotAllowed(_("You cannot act on this agreement."))
        _require_status(agreement, S.DRAFT)
        fields = []
        if explanation is not None:
            agreement.explanation = explanation.strip()[:4000]
            fields.append("explanation")
        return _move(agreement, S.AWAITING_PERSON, actor=actor, capacity=capacity, fields=fields)


def agreement_confirm(*, agreement, actor, accept_copayment: bool | None = None) -> Agreement:
    """The person (or a child's legal representative) decides: the request goes to the provider.

    A support person may prepare and explain, never decide.
    """
    with transaction.atomic():
        agreement = _lock(agreement)
        capacity = access.family_capacity(actor, agreement.person)
        if capacity == access.SUPPORT_PERSON:
            raise NotAllowed(_("Only the person can confirm the agreement. You can prepare it and explain it."))
        if capacity not in access.DECIDING_CAPACITIES:
            raise NotAllowed(_("You cannot confirm this agreement."))
        _require_status(agreement, S.DRAFT, S.AWAITING_PERSON)
        if consent_withdrawn(agreement.person, Consent.Kind.SHARE_WITH_PROVIDERS):
            raise NotAllowed(_("The person withdrew the consent to share data with providers: the request cannot "
                               "be sent. Record a new consent first."), code="consent.withdrawn")
        if accept_copayment is None:
            accept_copayment = agreement.copayment_per_unit > 0
        q = quote(person=agreement.person, service=agreement.service, total_units=agreement.total_units,
                  period_start=agreement.period_start, period_end=agreement.period_end,
                  budget=agreement.category.budget, category=agreement.category)
        validate_quote(q, accept_copayment=accept_copayment, goal=agreement.goal)
        check_respite(q, exclude_pk=agreement.pk, lock=True)
        if q.total_amount != agreement.total_amount or q.copayment_per_unit != agreement.copayment_per_unit:
            raise AgreementInvalid(_("The price has changed since the draft was made. Start a new agreement "
                                     "to see the new cost."), code="agreement.price_changed")
        rules = MunicipalRules.current()
        now = timezone.now()
        agreement.decided_by = actor
        agreement.decided_at = now
        agreement.decided_as = capacity
        agreement.sent_at = now
        agreement.respond_by = now + dt.timedelta(days=rules.provider_response_days)
        agreement.requires_approval = requires_approval(service=agreement.service,
                                                        total_amount=agreement.total_amount, rules=rules)
        return _move(agreement, S.AWAITING_PROVIDER, actor=actor, capacity=capacity, fields=[
            "decided_by", "decided_at", "decided_as", "sent_at", "respond_by", "requires_approval"])


# -------------------------------------------------------------------------------- provider and municipality

def _reserve_and_activate(agreement, *, actor, capacity) -> Agreement:
    entry = funds_reserve(category=agreement.category, amount=agreement.total_amount,
                          reference=f"agreement {agreement.pk}", idempotency_key=reserve_key(agreement), actor=actor)
    agreement.reservation = entry
    return _move(agreement, S.ACTIVE, actor=actor, capacity=capacity, fields=["reservation"])


def _expire_if_overdue(agreement, now) -> bool:
    if agreement.status == S.AWAITING_PROVIDER and agreement.respond_by and agreement.respond_by < now:
        _move(agreement, S.EXPIRED, actor=None, note="provider did not answer in time")
        return True
    return False


def agreement_accept(*, agreement, actor) -> Agreement:
    """The provider accepts: the budget is reserved (or the request waits for the municipality's approval).

    Raises ledger.errors.InsufficientFunds when another agreement took the money first; nothing is written.
    """
    with transaction.atomic():
        agreement = _lock(agreement)
        if access.capacity_for(actor, agreement) != access.PROVIDER:
            raise NotAllowed(_("Only the provider's staff can accept this request."))
        _require_status(agreement, S.AWAITING_PROVIDER)
        now = timezone.now()
        if agreement.respond_by and agreement.respond_by < now:
            raise DeadlinePassed(_("The deadline to answer passed on %(date)s; the request has expired.") % {
                "date": timezone.localtime(agreement.respond_by).strftime("%d.%m.%Y %H:%M")})
        agreement.provider_decided_by = actor
        agreement.provider_decided_at = now
        fields = ["provider_decided_by", "provider_decided_at"]
        if agreement.requires_approval:
            return _move(agreement, S.AWAITING_MUNICIPALITY, actor=actor, capacity=access.PROVIDER, fields=fields)
        agreement.save(update_fields=fields)
        return _reserve_and_activate(agreement, actor=actor, capacity=access.PROVIDER)


def agreement_decline(*, agreement, actor, reason: str) -> Agreement:
    """The provider declines the request, saying why (the family sees the reason)."""
    reason = (reason or "").strip()
    if not reason:
        raise AgreementInvalid(_("Say why you decline, so the family understands."), field="reason",
                               code="agreement.reason_required")
    with transaction.atomic():
        agreement = _lock(agreement)
        if access.capacity_for(actor, agreement) != access.PROVIDER:
            raise NotAllowed(_("Only the provider's staff can decline this request."))
        _require_status(agreement, S.AWAITING_PROVIDER)
        agreement.provider_decided_by = actor
        agreement.provider_decided_at = timezone.now()
        agreement.decline_reason = reason[:2000]
        _void_reservation(agreement, actor=actor)
        return _move(agreement, S.DECLINED, actor=actor, capacity=access.PROVIDER, note=reason[:2000],
                     fields=["provider_decided_by", "provider_decided_at", "decline_reason"])


def _require_municipal_approver(actor) -> None:
    if not roles_for(actor, current_municipality()) & {Role.MUNICIPALITY_ADMIN, Role.SOCIAL_WORKER}:
        raise NotAllowed(_("Only the municipality's administrator or a social worker can decide on approval."))


def agreement_approve(*, agreement, actor) -> Agreement:
    """The municipality approves an accepted agreement: the budget is reserved and it becomes active."""
    _require_municipal_approver(actor)
    with transaction.atomic():
        agreement = _lock(agreement)
        _require_status(agreement, S.AWAITING_MUNICIPALITY)
        agreement.approved_by = actor
        agreement.approved_at = timezone.now()
        agreement.save(update_fields=["approved_by", "approved_at"])
        return _reserve_and_activate(agreement, actor=actor, capacity=access.STAFF)


def agreement_reject(*, agreement, actor, reason: str) -> Agreement:
    """The municipality does not approve; the reason is shown to the family and the provider."""
    _require_municipal_approver(actor)
    reason = (reason or "").strip()
    if not reason:
        raise AgreementInvalid(_("Say why the municipality does not approve."), field="reason",
                               code="agreement.reason_required")
    with transaction.atomic():
        agreement = _lock(agreement)
        _require_status(agreement, S.AWAITING_MUNICIPALITY)
        agreement.approved_by = actor
        agreement.approved_at = timezone.now()
        agreement.decline_reason = reason[:2000]
        _void_reservation(agreement, actor=actor)
        return _move(agreement, S.DECLINED, actor=actor, capacity=access.STAFF, note=reason[:2000],
                     fields=["approved_by", "approved_at", "decline_reason"])


def agreement_complete(*, agreement, actor) -> Agreement:
    """Close an active agreement whose period is over and whose invoices are in: the unposted rest is voided."""
    with transaction.atomic():
        agreement = _lock(agreement)
        capacity = access.capacity_for(actor, agreement) if _is_user(actor) else ""
        if _is_user(actor) and capacity not in (access.STAFF, access.PROVIDER):
            raise NotAllowed(_("Only the municipality or the provider can complete an agreement."))
        _require_status(agreement, S.ACTIVE)
        _void_reservation(agreement, actor=actor)
        return _move(agreement, S.COMPLETED, actor=actor, capacity=capacity or "")


# ------------------------------------------------------------------------------------------------ expiry

def agreements_expire(*, now: dt.datetime | None = None) -> int:
    """Expire every request the provider did not answer by its deadline. Returns how many expired.

    Rows another transaction is working on are skipped (SKIP LOCKED): they are decided there.
    """
    now = now or timezone.now()
    count = 0
    with transaction.atomic():
        overdue = list(Agreement.objects.select_for_update(skip_locked=True)
                       .filter(status=S.AWAITING_PROVIDER, respond_by__lt=now).order_by("pk"))
        for agreement in overdue:
            _void_reservation(agreement, actor=None)
            if _expire_if_overdue(agreement, now):
                count += 1
    return count

