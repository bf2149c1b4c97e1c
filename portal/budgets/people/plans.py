"""Support plans: build (draft), the person's agreement, the social worker's approval (which grants the
budget), new versions on re-assessment, and the review of each goal's outcome.

Approval grants the budget in the same transaction, so this module (and ``services``, which re-exports
it) sits above the ledger; the rest of ``people`` sits below it (docs/architecture.md, Dependencies)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.budgets.ledger.services import budget_grant
from portal.marketplace.catalogue.models import ServiceType
from portal.platform.core.dates import add_months
from portal.platform.core.models import AuditEvent
from portal.platform.outbox.services import outbox_emit

from . import access
from .common import audit_person, require_consent, require_writer
from .eligibility import require_eligible
from .errors import NotAllowed, PlanInvalid, PlanNotEditable, PlanStateConflict
from .models import Assessment, Consent, Goal, Person, SupportPlan

MIN_MONTHS, MAX_MONTHS = 6, 12
MAX_GOALS = 10
HUNDRED = Decimal("100.00")


def validate_period(period_start, period_end) -> None:
    """A plan runs 6 to 12 months, both days included (1 Oct – 30 Sep is 12 months)."""
    if not isinstance(period_start, dt.date):
        raise PlanInvalid(_("Enter the start of the period."), field="period_start")
    if not isinstance(period_end, dt.date) or period_end <= period_start:
        raise PlanInvalid(_("The period must end after it starts."), field="period_end")
    shortest = add_months(period_start, MIN_MONTHS) - dt.timedelta(days=1)
    longest = add_months(period_start, MAX_MONTHS) - dt.timedelta(days=1)
    if not shortest <= period_end <= longest:
        raise PlanInvalid(_("A plan runs for 6 to 12 months: end it between %(a)s and %(b)s.") % {
            "a": shortest.strftime("%d.%m.%Y"), "b": longest.strftime("%d.%m.%Y")}, field="period_end")


def _clean_goals(goals, *, require_full: bool = False) -> list[dict]:
    """Each goal: text in the person's words, at least one service type, a share > 0; shares ≤ 100 %."""
    goals = [g for g in goals if (g.get("text") or "").strip() or g.get("service_types") or g.get("share_percent")]
    if not goals:
        raise PlanInvalid(_("Add at least one goal."), field="goals")
    if len(goals) > MAX_GOALS:
        raise PlanInvalid(_("A plan has at most %(n)s goals.") % {"n": MAX_GOALS}, field="goals")
    codes = {code for g in goals for code in (_code(t) for t in g.get("service_types") or ())}
    types = {t.code: t for t in ServiceType.objects.filter(code__in=codes)}
    cleaned, total = [], Decimal("0")
    for index, goal in enumerate(goals):
        text = (goal.get("text") or "").strip()
        if not text:
            raise PlanInvalid(_("Goal %(n)s: write the goal in the person's own words.") % {"n": index + 1},
                              field=f"goals-{index}-text")
        chosen = [_code(t) for t in goal.get("service_types") or ()]
        if not chosen:
            raise PlanInvalid(_("Goal %(n)s: choose at least one service type.") % {"n": index + 1},
                              field=f"goals-{index}-service_types")
        unknown = [c for c in chosen if c not in types]
        if unknown:
            raise PlanInvalid(_("Goal %(n)s: unknown service type.") % {"n": index + 1},
                              field=f"goals-{index}-service_types")
        try:
            share = Decimal(str(goal.get("share_percent"))).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            raise PlanInvalid(_("Goal %(n)s: enter the share as a number of per cent.") % {"n": index + 1},
                              field=f"goals-{index}-share_percent") from None
        if not Decimal("0") < share <= HUNDRED:
            raise PlanInvalid(_("Goal %(n)s: the share must be more than 0 and at most 100 %%.") % {"n": index + 1},
                              field=f"goals-{index}-share_percent")
        total += share
        cleaned.append({"text": text, "service_types": [types[c] for c in dict.fromkeys(chosen)],
                        "share_percent": share})
    if total > HUNDRED:
        raise PlanInvalid(_("The goals' shares add up to %(t)s %%; they may not exceed 100 %%.") % {"t": total},
                          field="goals")
    if require_full and total != HUNDRED:
        raise PlanInvalid(_("The goals' shares add up to %(t)s %%; they must add up to 100 %%.") % {"t": total},
                          field="goals")
    return cleaned


def _code(service_type) -> str:
    return service_type.code if isinstance(service_type, ServiceType) else str(service_type)


def _write_goals(plan: SupportPlan, goals: list[dict]) -> None:
    plan.goals.all().delete()
    for position, goal in enumerate(goals):
        created = Goal.objects.create(plan=plan, position=position, text=goal["text"],
                                      share_percent=goal["share_percent"])
        created.service_types.set(goal["service_types"])


def _assessment_for(person: Person, assessment, period_start) -> Assessment:
    if assessment is None:
        assessment = person.assessments.order_by("-assessed_on", "-id").first()
    if assessment is None or assessment.person_id != person.pk:
        raise PlanInvalid(_("Record a needs assessment before the plan."), field="assessment")
    if isinstance(period_start, dt.date) and assessment.valid_until < period_start:
        raise PlanInvalid(_("The needs assessment is no longer valid when the plan starts: reassess first."),
                          field="assessment")
    return assessment


def _goal_snapshot(goals: list[dict]) -> list:
    return [[g["text"][:80], [t.code for t in g["service_types"]], str(g["share_percent"])] for g in goals]


def plan_create(*, person: Person, period_start: dt.date, period_end: dt.date, goals, assessment=None,
                actor, request=None) -> SupportPlan:
    """Start a new plan version (draft) for the person. Refused while the person's consent to process their
    data for the individual budget is withdrawn."""
    require_writer(actor)
    require_eligible(person)
    require_consent(person, Consent.Kind.DATA_PROCESSING, _(
        "The person withdrew the consent to process their data for the individual budget: no new plan can be "
        "started. Record a new consent first."))
    if person.plans.filter(status__in=[SupportPlan.Status.DRAFT, SupportPlan.Status.AGREED]).exists():
        raise PlanStateConflict(_("This person already has a plan being prepared: finish that one."),
                                field="period_start")
    validate_period(period_start, period_end)
    assessment = _assessment_for(person, assessment, period_start)
    cleaned = _clean_goals(goals)
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()  # serialise version numbers
        version = (person.plans.aggregate(v=Max("version"))["v"] or 0) + 1
        plan = SupportPlan.objects.create(person=person, version=version, assessment=assessment,
                                          period_start=period_start, period_end=period_end, created_by=actor)
        _write_goals(plan, cleaned)
        audit_person(actor=actor, action=AuditEvent.Action.CREATE, person=person, obj=plan,
                     message="person.plan_drafted", params={"version": version},
                     changes={"period": [str(period_start), str(period_end)], "goals": _goal_snapshot(cleaned)},
                     request=request)
    return plan


def plan_update(*, plan: SupportPlan, period_start: dt.date, period_end: dt.date, goals, actor,
                request=None) -> SupportPlan:
    """Change a plan being prepared. A change after the person agreed takes the agreement back."""
    require_writer(actor)
    if plan.status not in (SupportPlan.Status.DRAFT, SupportPlan.Status.AGREED):
        raise PlanNotEditable(_("An approved plan cannot be changed: make a new version."))
    validate_period(period_start, period_end)
    _assessment_for(plan.person, plan.assessment, period_start)
    cleaned = _clean_goals(goals)
    with transaction.atomic():
        plan.period_start, plan.period_end = period_start, period_end
        plan.status = SupportPlan.Status.DRAFT
        plan.agreed_by, plan.agreed_by_name, plan.agreed_capacity, plan.agreed_at = None, "", "", None
        plan.save(update_fields=["period_start", "period_end", "status", "agreed_by", "agreed_by_name",
                                 "agreed_capacity", "agreed_at"])
        _write_goals(plan, cleaned)
        audit_person(actor=actor, action=AuditEvent.Action.UPDATE, person=plan.person, obj=plan,
                     message="person.plan_changed", params={"version": plan.version},
                     changes={"period": [str(period_start), str(period_end)], "goals": _goal_snapshot(cleaned)},
                     request=request)
    return plan


def _current_goals(plan: SupportPlan) -> list[dict]:
    return [{"text": g.text, "service_types": list(g.service_types.all()), "share_percent": g.share_percent}
            for g in plan.goals.prefetch_related("service_types")]


def plan_agree(*, plan: SupportPlan, actor, given_by_name: str = "", capacity: str = "",
               request=None) -> SupportPlan:
    """Record the agreement of the person (or a child's legal representative). The person or representative
    may agree themselves; a social worker may record an agreement given in person or on paper. A support
    person never decides in the person's place."""
    person = plan.person
    acting = access.acting_capacity(actor, person)
    if acting == access.SUPPORT_PERSON:
        raise NotAllowed(_("A support person helps the person decide, but only the person can agree."))
    if acting in (access.SELF, access.LEGAL_REPRESENTATIVE):
        capacity, given_by_name = acting, actor.full_name
    elif access.may_write(actor):
        given_by_name = (given_by_name or "").strip()
        if not given_by_name:
            raise PlanInvalid(_("Enter who agreed to the plan."), field="given_by_name")
    else:
        raise NotAllowed(_("Only the person, their legal representative or a social worker may record this."))
    expected = access.LEGAL_REPRESENTATIVE if person.is_child else access.SELF
    if capacity != expected:
        raise PlanInvalid(_("For a child the legal representative agrees; an adult agrees themselves."),
                          field="capacity")
    if plan.status != SupportPlan.Status.DRAFT:
        raise PlanStateConflict(_("Only a draft plan can be agreed."))
    _clean_goals(_current_goals(plan), require_full=True)
    with transaction.atomic():
        updated = SupportPlan.objects.filter(pk=plan.pk, status=SupportPlan.Status.DRAFT).update(
            status=SupportPlan.Status.AGREED, agreed_by=actor if acting != access.STAFF else None,
            agreed_by_name=given_by_name, agreed_capacity=capacity, agreed_at=timezone.now())
        if not updated:
            raise PlanStateConflict(_("Only a draft plan can be agreed."))
        plan.refresh_from_db()
        audit_person(actor=actor, action=AuditEvent.Action.UPDATE, person=person, obj=plan,
                     message="person.plan_agreed", params={"version": plan.version, "capacity": capacity},
                     changes={"agreed_by": given_by_name}, request=request)
    return plan


def plan_approve(*, plan: SupportPlan, actor, request=None) -> SupportPlan:
    """The social worker approves the agreed plan: the previous approved version is superseded and the
    budget is granted (``ledger.services.budget_grant``) in the same transaction."""
    require_writer(actor)
    if plan.status != SupportPlan.Status.AGREED:
        raise PlanStateConflict(_("Only a plan the person agreed to can be approved."))
    require_eligible(plan.person)
    require_consent(plan.person, Consent.Kind.DATA_PROCESSING, _(
        "The person withdrew the consent to process their data for the individual budget: the plan cannot be "
        "approved and no budget granted. Record a new consent first."))
    _assessment_for(plan.person, plan.assessment, plan.period_start)
    _clean_goals(_current_goals(plan), require_full=True)
    with transaction.atomic():
        locked = SupportPlan.objects.select_for_update().get(pk=plan.pk)
        if locked.status != SupportPlan.Status.AGREED:
            raise PlanStateConflict(_("Only a plan the person agreed to can be approved."))
        previous = list(SupportPlan.objects.filter(person=plan.person, status=SupportPlan.Status.APPROVED))
        SupportPlan.objects.filter(pk__in=[p.pk for p in previous]).update(status=SupportPlan.Status.SUPERSEDED)
        locked.status = SupportPlan.Status.APPROVED
        locked.approved_by, locked.approved_at = actor, timezone.now()
        locked.save(update_fields=["status", "approved_by", "approved_at"])
        audit_person(actor=actor, action=AuditEvent.Action.UPDATE, person=plan.person, obj=locked,
                     message="person.plan_approved", params={"version": locked.version},
                     changes={"superseded": [p.version for p in previous]}, request=request)
        budget_grant(plan=locked, actor=actor)
        outbox_emit(kind="plan.approved", payload={"plan_id": locked.pk, "person_id": plan.person_id})
    plan.refresh_from_db()
    return plan


def plan_new_version(*, plan: SupportPlan, period_start: dt.date, period_end: dt.date, assessment=None,
                     actor, request=None) -> SupportPlan:
    """Start the next version from this one (after a re-assessment): goals are copied into a draft; the
    old version stays readable as it was."""
    require_writer(actor)
    goals = [{**g, "service_types": [t.code for t in g["service_types"]]} for g in _current_goals(plan)]
    return plan_create(person=plan.person, period_start=period_start, period_end=period_end, goals=goals,
                       assessment=assessment, actor=actor, request=request)


def plan_review(*, plan: SupportPlan, outcomes: dict, comment: str = "", actor, request=None) -> SupportPlan:
    """Record each goal's outcome (achieved / partly / not) with a comment. A plan whose period ended
    ("review due") is closed by its review."""
    require_writer(actor)
    if plan.status not in (SupportPlan.Status.APPROVED, SupportPlan.Status.SUPERSEDED, SupportPlan.Status.CLOSED,
                           SupportPlan.Status.REVIEW_DUE):
        raise PlanStateConflict(_("Only an approved plan can be reviewed."))
    goals = list(plan.goals.all())
    for index, goal in enumerate(goals):
        outcome, _comment = outcomes.get(goal.pk, ("", ""))
        if outcome not in Goal.Outcome.values:
            raise PlanInvalid(_("Goal %(n)s: choose the outcome.") % {"n": index + 1},
                              field=f"goals-{index}-outcome")
    with transaction.atomic():
        for goal in goals:
            outcome, goal_comment = outcomes[goal.pk]
            goal.outcome, goal.outcome_comment = outcome, (goal_comment or "").strip()
            goal.save(update_fields=["outcome", "outcome_comment"])
        plan.reviewed_by, plan.reviewed_at, plan.review_comment = actor, timezone.now(), (comment or "").strip()
        if plan.status == SupportPlan.Status.REVIEW_DUE:
            plan.status = SupportPlan.Status.CLOSED
        plan.save(update_fields=["reviewed_by", "reviewed_at", "review_comment", "status"])
        audit_person(actor=actor, action=AuditEvent.Action.UPDATE, person=plan.person, obj=plan,
                     message="person.plan_reviewed", params={"version": plan.version},
                     changes={"outcomes": {str(g.pk): g.outcome for g in goals}}, request=request)
        outbox_emit(kind="plan.reviewed", payload={"plan_id": plan.pk})
    return plan
