"""Support plans: period, goals and shares, agreement by the right person, approval, versions, review."""

import datetime as dt
from decimal import Decimal

import pytest

from portal.budgets.people import services
from portal.budgets.people.errors import NotAllowed, PlanInvalid, PlanNotEditable, PlanStateConflict
from portal.budgets.people.models import Goal, SupportPlan
from portal.budgets.people.plans import add_months, validate_period
from portal.platform.core.models import AuditEvent
from portal.tenants.roles import Role

from .conftest import MUNICIPALITY_A, TODAY, demo_user, goals, sis_scores


@pytest.mark.parametrize("start,end,ok", [
    (dt.date(2018, 10, 1), dt.date(2019, 9, 30), True),  # the children's pilot: 12 months
    (dt.date(2026, 1, 1), dt.date(2026, 6, 30), True),  # 6 months
    (dt.date(2026, 1, 1), dt.date(2026, 6, 29), False),  # a day short of 6 months
    (dt.date(2026, 1, 1), dt.date(2027, 1, 1), False),  # a day over 12 months
    (dt.date(2026, 1, 31), dt.date(2026, 7, 30), True),  # month ends
])
def test_a_plan_runs_six_to_twelve_months(start, end, ok):
    if ok:
        validate_period(start, end)
    else:
        with pytest.raises(PlanInvalid):
            validate_period(start, end)


def test_add_months_clamps_to_month_end():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)


def test_full_cycle_draft_agree_approve_then_new_version_supersedes(draw_up_plan, worker):
    plan = draw_up_plan()
    assert plan.status == SupportPlan.Status.APPROVED and plan.approved_by == worker
    assert [g.share_percent for g in plan.goals.all()] == [Decimal("60.00"), Decimal("40.00")]
    start = add_months(plan.period_start, 12)
    new = services.plan_new_version(plan=plan, period_start=start, period_end=add_months(start, 6) - dt.timedelta(1),
                                    actor=worker)
    assert new.version == 2 and new.status == "draft" and new.goals.count() == 2
    services.plan_agree(plan=new, actor=worker, given_by_name=plan.person.full_name, capacity="self")
    services.plan_approve(plan=new, actor=worker)
    plan.refresh_from_db()
    assert plan.status == SupportPlan.Status.SUPERSEDED
    assert plan.goals.count() == 2  # the old version stays readable as it was


def test_shares_must_not_exceed_100_and_nothing_is_written(register_person, worker, in_a):
    person = register_person()
    services.assessment_create(person=person, scores=sis_scores(), assessed_on=TODAY,
                               valid_until=TODAY + dt.timedelta(400), actor=worker)
    before = (SupportPlan.objects.count(), Goal.objects.count(), AuditEvent.objects.count())
    with pytest.raises(PlanInvalid) as caught:
        services.plan_create(person=person, period_start=TODAY, period_end=add_months(TODAY, 12) - dt.timedelta(1),
                             goals=goals("70", "40"), actor=worker)
    assert caught.value.field == "goals"
    with pytest.raises(PlanInvalid) as caught:
        services.plan_create(person=person, period_start=TODAY, period_end=add_months(TODAY, 12) - dt.timedelta(1),
                             goals=[{"text": "", "service_types": ["respite-care"], "share_percent": "10"}],
                             actor=worker)
    assert caught.value.field == "goals-0-text"
    with pytest.raises(PlanInvalid) as caught:
        services.plan_create(person=person, period_start=TODAY, period_end=add_months(TODAY, 12) - dt.timedelta(1),
                             goals=goals("10", types=["no-such-type"]), actor=worker)
    assert caught.value.field == "goals-0-service_types"
    assert (SupportPlan.objects.count(), Goal.objects.count(), AuditEvent.objects.count()) == before


def test_a_plan_needs_a_valid_assessment(register_person, worker):
    person = register_person()
    with pytest.raises(PlanInvalid) as caught:
        services.plan_create(person=person, period_start=TODAY, period_end=add_months(TODAY, 12) - dt.timedelta(1),
                             goals=goals("100"), actor=worker)
    assert caught.value.field == "assessment"


def test_agreement_needs_shares_of_exactly_100(draw_up_plan, worker):
    plan = draw_up_plan(status="draft", shares=("50", "30"))
    with pytest.raises(PlanInvalid):
        services.plan_agree(plan=plan, actor=worker, given_by_name="X", capacity="self")
    plan.refresh_from_db()
    assert plan.status == "draft"


def test_a_support_person_never_agrees_in_the_persons_place(draw_up_plan, worker, in_a):
    from portal.budgets.people.models import Relation

    plan = draw_up_plan(status="draft", shares=("100",))
    supporter = demo_user(Role.SUPPORT_PERSON, MUNICIPALITY_A)
    services.relation_add(person=plan.person, user=supporter, kind="support_person", basis="support_agreement",
                          valid_from=TODAY, may_see=["plan"], actor=worker)
    assert Relation.objects.filter(person=plan.person, user=supporter).exists()
    with pytest.raises(NotAllowed):
        services.plan_agree(plan=plan, actor=supporter)
    plan.refresh_from_db()
    assert plan.status == "draft" and plan.agreed_at is None


def test_the_person_agrees_themselves(register_person, draw_up_plan, worker):
    user = demo_user(Role.PERSON, MUNICIPALITY_A)
    person = register_person(user=user)
    plan = draw_up_plan(person=person, status="draft", shares=("100",))
    services.plan_agree(plan=plan, actor=user)
    plan.refresh_from_db()
    assert plan.status == "agreed" and plan.agreed_by == user and plan.agreed_capacity == "self"


def test_for_a_child_the_representative_agrees_not_self(draw_up_plan, worker):
    plan = draw_up_plan(child=True, status="draft", shares=("100",))
    with pytest.raises(PlanInvalid):
        services.plan_agree(plan=plan, actor=worker, given_by_name="Elīza", capacity="self")
    services.plan_agree(plan=plan, actor=worker, given_by_name="Māte", capacity="legal_representative")


def test_approval_requires_agreement_and_a_social_worker(draw_up_plan, worker):
    plan = draw_up_plan(status="draft", shares=("100",))
    with pytest.raises(PlanStateConflict):
        services.plan_approve(plan=plan, actor=worker)
    services.plan_agree(plan=plan, actor=worker, given_by_name="X", capacity="self")
    with pytest.raises(NotAllowed):
        services.plan_approve(plan=plan, actor=demo_user(Role.FINANCE_OFFICER, MUNICIPALITY_A))
    plan.refresh_from_db()
    assert plan.status == "agreed"


def test_an_approved_plan_cannot_be_edited(draw_up_plan, worker):
    plan = draw_up_plan()
    with pytest.raises(PlanNotEditable):
        services.plan_update(plan=plan, period_start=plan.period_start, period_end=plan.period_end,
                             goals=goals("100"), actor=worker)


def test_editing_an_agreed_plan_takes_the_agreement_back(draw_up_plan, worker):
    plan = draw_up_plan(status="agreed", shares=("100",))
    services.plan_update(plan=plan, period_start=plan.period_start, period_end=plan.period_end,
                         goals=goals("50", "50"), actor=worker)
    plan.refresh_from_db()
    assert plan.status == "draft" and plan.agreed_at is None and plan.goals.count() == 2


def test_review_records_each_goals_outcome(draw_up_plan, worker):
    plan = draw_up_plan()
    first, second = plan.goals.all()
    with pytest.raises(PlanInvalid):
        services.plan_review(plan=plan, outcomes={first.pk: ("achieved", "")}, actor=worker)
    assert not plan.goals.exclude(outcome="").exists()
    services.plan_review(plan=plan, outcomes={first.pk: ("achieved", "Dodas uz veikalu pats"),
                                              second.pk: ("partly", "")}, comment="Labs gads", actor=worker)
    first.refresh_from_db()
    plan.refresh_from_db()
    assert first.outcome == "achieved" and first.outcome_comment == "Dodas uz veikalu pats"
    assert plan.reviewed_by == worker and plan.review_comment == "Labs gads"


def test_only_one_plan_in_preparation_at_a_time(draw_up_plan, worker):
    plan = draw_up_plan(status="draft", shares=("100",))
    with pytest.raises(PlanStateConflict):
        services.plan_create(person=plan.person, period_start=plan.period_start, period_end=plan.period_end,
                             goals=goals("100"), actor=worker)


def test_approval_grants_the_budget_once(draw_up_plan, worker):
    from portal.budgets.ledger.models import Budget

    plan = draw_up_plan()
    budget = Budget.objects.get(plan=plan)
    assert budget.person_id == plan.person_id and budget.total > 0
    assert budget.categories.filter(goal__plan=plan).count() == plan.goals.count()

