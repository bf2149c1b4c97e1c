"""The agreement lifecycle through its services: each step, who may take it, and that a refusal writes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from portal.budgets.ledger.errors import InsufficientFunds
from portal.budgets.ledger.models import BudgetCategory, LedgerEntry
from portal.marketplace.agreements import services
from portal.marketplace.agreements.errors import (
    AgreementInvalid,
    CopaymentNotAccepted,
    DeadlinePassed,
    ExceedsBudget,
    NotAllowed,
    OverCap,
    WrongState,
)
from portal.marketplace.agreements.models import Agreement, AgreementEvent, MunicipalRules
from portal.marketplace.agreements.pricing import units_for
from portal.platform.core.models import AuditEvent
from tests.factories import active, draft, sent

pytestmark = pytest.mark.django_db


def counts():
    return (Agreement.objects.count(), AgreementEvent.objects.count(), LedgerEntry.objects.count(),
            AuditEvent.objects.count())


def category(world, which="category"):
    return BudgetCategory.objects.get(pk=getattr(world, which).pk)


def test_draft_computes_units_cost_and_category(world):
    agreement = draft(world, units_per_week="4")
    expected_units = units_for(Decimal("4"), agreement.period_start, agreement.period_end)
    assert agreement.status == Agreement.Status.DRAFT
    assert agreement.total_units == expected_units
    assert agreement.total_amount == expected_units * Decimal("10.00")
    assert agreement.category_id == world.category.pk
    assert agreement.goal_id == world.goal.pk
    assert agreement.period_end == world.budget.period_end
    assert agreement.prepared_by == world.person_user
    assert category(world).reserved == 0  # a draft reserves nothing


def test_units_per_week_over_a_period():
    assert units_for(Decimal("4"), dt.date(2026, 1, 1), dt.date(2026, 3, 31)) == 51  # 90 days ≈ 12.86 weeks


def test_period_outside_the_plan_is_refused_and_nothing_written(world):
    before = counts()
    with pytest.raises(AgreementInvalid) as error:
        draft(world, period_start=world.budget.period_start - dt.timedelta(days=1),
              period_end=world.budget.period_end)
    assert error.value.field == "period_start"
    assert counts() == before


def test_more_than_the_budget_is_refused_with_what_is_available(world):
    before = counts()
    with pytest.raises(ExceedsBudget) as error:
        draft(world, units_per_week=None, total_units="101")  # 1010 EUR > 1000 EUR
    assert "1" in error.value.message and error.value.code == "agreement.exceeds_budget"
    assert counts() == before


def test_support_person_prepares_but_only_the_person_confirms(world):
    agreement = draft(world, actor=world.supporter, explanation="Divas stundas nedēļā, otrdienās.")
    services.agreement_send_to_person(agreement=agreement, actor=world.supporter)
    before = counts()
    with pytest.raises(NotAllowed) as error:
        services.agreement_confirm(agreement=agreement, actor=world.supporter)
    assert error.value.code == "agreement.not_allowed"
    assert counts() == before
    agreement = services.agreement_confirm(agreement=agreement, actor=world.person_user)
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.AWAITING_PROVIDER
    assert agreement.prepared_by == world.supporter
    assert agreement.decided_by == world.person_user and agreement.decided_as == "self"
    assert agreement.respond_by > timezone.now() + dt.timedelta(days=4)
    assert list(agreement.events.values_list("to_status", "capacity")) == [
        ("draft", "support_person"), ("awaiting_person", "support_person"), ("awaiting_provider", "self")]


def test_legal_representative_confirms_for_a_child(world):
    agreement = draft(world, person=world.child, actor=world.representative)
    with pytest.raises(NotAllowed):
        services.agreement_confirm(agreement=agreement, actor=world.person_user)
    agreement = services.agreement_confirm(agreement=agreement, actor=world.representative)
    assert agreement.decided_as == "legal_representative"
    assert agreement.category_id == world.child_category.pk


def test_someone_unrelated_cannot_start_an_agreement(world):
    before = counts()
    with pytest.raises(NotAllowed):
        draft(world, person=world.child, actor=world.supporter)
    with pytest.raises(NotAllowed):
        draft(world, actor=world.social_worker)
    assert counts() == before


def test_provider_accepts_and_the_budget_is_reserved(world):
    agreement = active(world, units_per_week=None, total_units="30")
    assert agreement.status == Agreement.Status.ACTIVE
    assert agreement.reservation.kind == "reserve" and agreement.reservation.amount == Decimal("300.00")
    assert agreement.reservation.idempotency_key == f"agreement:{agreement.pk}:reserve"
    assert category(world).reserved == Decimal("300.00")
    assert agreement.provider_decided_by == world.staff


def test_only_the_providers_staff_can_accept(world):
    agreement = sent(world)
    before = counts()
    for outsider in (world.person_user, world.social_worker, world.admin):
        with pytest.raises(NotAllowed):
            services.agreement_accept(agreement=agreement, actor=outsider)
    assert counts() == before


def test_provider_declines_with_a_reason(world):
    agreement = sent(world)
    before = counts()
    with pytest.raises(AgreementInvalid) as error:
        services.agreement_decline(agreement=agreement, actor=world.staff, reason="  ")
    assert error.value.code == "agreement.reason_required"
    assert counts() == before
    agreement = services.agreement_decline(agreement=agreement, actor=world.staff, reason="Nav brīvu vietu.")
    assert agreement.status == Agreement.Status.DECLINED and agreement.decline_reason == "Nav brīvu vietu."
    with pytest.raises(WrongState):
        services.agreement_accept(agreement=agreement, actor=world.staff)


def test_overdue_requests_expire_and_cannot_be_accepted(world):
    agreement = sent(world)
    Agreement.objects.filter(pk=agreement.pk).update(respond_by=timezone.now() - dt.timedelta(minutes=1))
    agreement.refresh_from_db()
    with pytest.raises(DeadlinePassed):
        services.agreement_accept(agreement=agreement, actor=world.staff)
    assert services.agreements_expire() == 1
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.EXPIRED
    assert services.agreements_expire() == 0
    assert category(world).reserved == 0


def test_expire_command_runs_in_every_municipality(world):
    from io import StringIO

    from django.core.management import call_command

    agreement = sent(world)
    Agreement.objects.filter(pk=agreement.pk).update(respond_by=timezone.now() - dt.timedelta(hours=1))
    out = StringIO()
    call_command("expire_agreements", stdout=out)
    connection.set_tenant(world.municipality)
    assert Agreement.objects.get(pk=agreement.pk).status == Agreement.Status.EXPIRED
    assert "jelgava: 1 expired" in out.getvalue()


def test_municipality_approval_for_some_service_types(world):
    MunicipalRules.objects.update_or_create(pk=1, defaults={"approval_service_types": ["respite-care"]})
    agreement = services.agreement_accept(agreement=sent(world), actor=world.staff)
    assert agreement.status == Agreement.Status.AWAITING_MUNICIPALITY
    assert category(world).reserved == 0
    with pytest.raises(NotAllowed):
        services.agreement_approve(agreement=agreement, actor=world.person_user)
    agreement = services.agreement_approve(agreement=agreement, actor=world.admin)
    assert agreement.status == Agreement.Status.ACTIVE and agreement.approved_by == world.admin
    assert category(world).reserved == agreement.total_amount


def test_municipality_approval_above_an_amount_and_rejection(world):
    MunicipalRules.objects.update_or_create(pk=1, defaults={"approval_above_amount": Decimal("100.00")})
    small = services.agreement_accept(agreement=sent(world, units_per_week=None, total_units="5"), actor=world.staff)
    assert small.status == Agreement.Status.ACTIVE
    big = services.agreement_accept(agreement=sent(world, units_per_week=None, total_units="20"), actor=world.staff)
    assert big.status == Agreement.Status.AWAITING_MUNICIPALITY
    big = services.agreement_reject(agreement=big, actor=world.social_worker, reason="Pārāk dārgi.")
    assert big.status == Agreement.Status.DECLINED and big.reservation_id is None


def _cap(world, amount, rule):
    from portal.marketplace.approvals.models import PriceCap

    PriceCap.objects.update_or_create(service_type=world.pricey.service_type, unit="hour",
                                      defaults={"amount": Decimal(amount), "over_cap_rule": rule})


def test_price_above_cap_refused_when_the_rule_says_so(world):
    _cap(world, "20.00", "refuse")
    before = counts()
    with pytest.raises(OverCap) as error:
        draft(world, service=world.pricey, units_per_week="1")
    assert error.value.code == "agreement.over_cap"
    assert counts() == before


def test_price_above_cap_with_copayment_accepted(world):
    _cap(world, "20.00", "copay")
    before = counts()
    with pytest.raises(CopaymentNotAccepted):
        draft(world, service=world.pricey, units_per_week=None, total_units="10")
    assert counts() == before
    agreement = draft(world, service=world.pricey, units_per_week=None, total_units="10", accept_copayment=True)
    assert agreement.copayment_per_unit == Decimal("5.00")
    assert agreement.total_amount == Decimal("200.00")  # the budget pays the cap, the family 50.00
    assert agreement.copayment_total == Decimal("50.00")


def test_insufficient_funds_at_acceptance_writes_nothing(world):
    first = sent(world, units_per_week=None, total_units="60")
    second = sent(world, units_per_week=None, total_units="60")
    services.agreement_accept(agreement=first, actor=world.staff)
    before = counts()
    with pytest.raises(InsufficientFunds) as error:
        services.agreement_accept(agreement=second, actor=world.staff)
    assert error.value.code == "budget.insufficient_funds"
    assert counts() == before
    second.refresh_from_db()
    assert second.status == Agreement.Status.AWAITING_PROVIDER


def test_cancel_with_notice_releases_everything(world):
    agreement = active(world, units_per_week=None, total_units="30")
    terms = services.cancellation_terms(agreement, effective=timezone.localdate() + dt.timedelta(days=7))
    assert not terms.short_notice and terms.fee == 0
    agreement = services.agreement_cancel(agreement=agreement, actor=world.person_user, reason="Pārceļos.",
                                          effective=timezone.localdate() + dt.timedelta(days=7))
    assert agreement.status == Agreement.Status.CANCELLED and agreement.cancellation_fee == 0
    assert category(world).reserved == 0


def test_short_notice_cancellation_keeps_the_billable_part_reserved(world):
    MunicipalRules.objects.update_or_create(pk=1, defaults={"cancellation_notice_hours": 48,
                                                            "short_notice_billable_units": Decimal("2")})
    agreement = active(world, units_per_week=None, total_units="30")
    terms = services.cancellation_terms(agreement)
    assert terms.short_notice and terms.fee == Decimal("20.00") and terms.releases == Decimal("280.00")
    agreement = services.agreement_cancel(agreement=agreement, actor=world.person_user)
    assert agreement.cancellation_fee == Decimal("20.00")
    assert agreement.reservation.amount == Decimal("20.00")
    assert category(world).reserved == Decimal("20.00")


def test_provider_cancels_active_with_reason_and_no_fee(world):
    agreement = active(world)
    with pytest.raises(AgreementInvalid):
        services.agreement_cancel(agreement=agreement, actor=world.staff, reason="")
    agreement = services.agreement_cancel(agreement=agreement, actor=world.staff, reason="Darbinieks slims.")
    assert agreement.cancellation_fee == 0 and category(world).reserved == 0


def test_support_person_cannot_cancel_an_active_agreement(world):
    agreement = active(world)
    with pytest.raises(NotAllowed):
        services.agreement_cancel(agreement=agreement, actor=world.supporter)


def test_complete_voids_the_rest(world):
    agreement = active(world)
    agreement = services.agreement_complete(agreement=agreement, actor=world.social_worker)
    assert agreement.status == Agreement.Status.COMPLETED and category(world).reserved == 0


def test_rules_update_by_admin_only(world):
    kwargs = dict(provider_response_days=3, approval_service_types=["home-care"], approval_above_amount="500",
                  cancellation_notice_hours=24, short_notice_billable_units="1", invoice_approval_days=5)
    with pytest.raises(NotAllowed):
        services.municipal_rules_update(actor=world.social_worker, **kwargs)
    with pytest.raises(AgreementInvalid):
        services.municipal_rules_update(actor=world.admin, **{**kwargs, "provider_response_days": 0})
    rules = services.municipal_rules_update(actor=world.admin, **kwargs)
    assert rules.provider_response_days == 3 and rules.approval_above_amount == Decimal("500.00")
    assert MunicipalRules.current().approval_service_types == ["home-care"]


def test_support_person_sees_agreements_only_when_allowed_or_prepared_by_them(world):
    from portal.budgets.people.models import Relation
    from portal.marketplace.agreements.access import agreements_for_user

    by_person = draft(world)
    by_supporter = draft(world, actor=world.supporter)
    assert {by_person.pk, by_supporter.pk} <= set(agreements_for_user(world.supporter).values_list("pk", flat=True))
    Relation.objects.filter(person=world.adult, user=world.supporter).update(may_see=["plan"])
    visible = set(agreements_for_user(world.supporter).values_list("pk", flat=True))
    assert by_supporter.pk in visible and by_person.pk not in visible


def test_demo_has_agreements_in_every_state(in_a):
    statuses = set(Agreement.objects.values_list("status", flat=True))
    assert {"draft", "awaiting_person", "awaiting_provider", "awaiting_municipality", "active", "declined",
            "expired", "cancelled", "completed"} <= statuses
    for agreement in Agreement.objects.filter(status="active"):
        assert agreement.reservation_id is not None
    assert Agreement.objects.filter(prepared_by__email__startswith="atbalsta.persona").exists()
