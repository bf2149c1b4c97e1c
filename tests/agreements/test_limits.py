"""Limits that follow from the kind of service: respite care is counted in days against the municipality's
yearly limit, and a support person for decision-making may run up to 24 months. The service, the API and
the page refuse alike, with the same stable code, and a refusal writes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from django.utils.html import escape

from portal.budgets.ledger.models import BudgetCategory, LedgerEntry
from portal.budgets.people.models import Goal
from portal.budgets.people.plans import add_months
from portal.marketplace.agreements import services
from portal.marketplace.agreements.errors import AgreementInvalid, PeriodTooLong, RespiteDaysExceeded
from portal.marketplace.agreements.limits import days_in_year, respite_days_booked
from portal.marketplace.agreements.models import Agreement, AgreementEvent, MunicipalRules
from portal.marketplace.catalogue import services as catalogue_services
from portal.marketplace.catalogue.errors import CatalogueInvalid
from portal.marketplace.catalogue.models import ServiceType
from portal.platform.core.models import AuditEvent
from tests.conftest import MUNICIPALITY_A
from tests.factories import approve, make_service

pytestmark = pytest.mark.django_db

API = "/api/v1/agreements/"


def _written():
    return Agreement.objects.count(), AgreementEvent.objects.count(), AuditEvent.objects.count()


def _api_and_page(world, client, service, **fields):
    """The same start through the API and through the page: (API response, page response)."""
    api = client.post(API, {"person": world.adult.pk, "service": service.pk, **{k: str(v) for k, v in fields.items()}},
                      content_type="application/json")
    page = client.post(f"/vienosanas/jauna/{service.pk}/?person={world.adult.pk}",
                       {"person": world.adult.pk, "action": "save", **fields})
    return api, page


def _limit(days):
    MunicipalRules.objects.update_or_create(pk=1, defaults={"respite_days_per_year": days})


@pytest.fixture
def respite(world):
    """A respite-care offer priced per day (20 EUR), approved here; the municipality allows 10 days a year."""
    service = make_service(world.provider, "respite-care", "20.00", unit="day")
    connection.set_tenant(world.municipality)
    approve(world.provider, service)
    _limit(10)
    return service


def _inside_one_year(world):
    """A period inside the plan and inside one calendar year, so the days are not split."""
    today = timezone.localdate()
    start = max(today, world.budget.period_start)
    end = min(world.budget.period_end, dt.date(start.year, 12, 31))
    return start, end


def _draft(world, service, units, *, person_user=None):
    start, end = _inside_one_year(world)
    return services.agreement_draft_create(person=world.adult, service=service, actor=person_user or world.person_user,
                                           total_units=units, period_start=start, period_end=end)


# ------------------------------------------------------------------------------------------ respite care
def test_days_are_spread_evenly_over_the_years_an_agreement_touches():
    assert days_in_year(Decimal(62), dt.date(2026, 12, 1), dt.date(2027, 1, 31), 2026) == Decimal(31)
    assert days_in_year(Decimal(62), dt.date(2026, 12, 1), dt.date(2027, 1, 31), 2027) == Decimal(31)
    assert days_in_year(Decimal(5), dt.date(2026, 3, 1), dt.date(2026, 3, 31), 2027) == 0


def test_respite_days_within_the_limit_are_agreed(world, respite):
    agreement = _draft(world, respite, "10")
    services.agreement_confirm(agreement=agreement, actor=world.person_user)
    assert respite_days_booked(world.adult.pk, agreement.period_start.year) == Decimal(10)


def test_respite_days_over_the_limit_are_refused_and_nothing_is_written(world, respite):
    services.agreement_confirm(agreement=_draft(world, respite, "6"), actor=world.person_user)
    before = _written()
    with pytest.raises(RespiteDaysExceeded) as caught:
        _draft(world, respite, "5")
    assert caught.value.code == "agreement.respite_days_exceeded"
    assert "10" in caught.value.message and "6" in caught.value.message
    assert _written() == before
    assert _draft(world, respite, "4").total_units == Decimal(4)  # exactly up to the limit


def test_drafts_hold_no_days_but_the_second_confirmation_is_refused(world, respite):
    first, second = _draft(world, respite, "6"), _draft(world, respite, "6")
    services.agreement_confirm(agreement=first, actor=world.person_user)
    with pytest.raises(RespiteDaysExceeded):
        services.agreement_confirm(agreement=second, actor=world.person_user)
    second.refresh_from_db()
    assert second.status == "draft"


def test_cancelled_or_declined_agreements_give_their_days_back(world, respite):
    agreement = services.agreement_confirm(agreement=_draft(world, respite, "8"), actor=world.person_user)
    services.agreement_decline(agreement=agreement, actor=world.staff, reason="Nav brīvu vietu")
    assert _draft(world, respite, "8").total_units == Decimal(8)


def test_without_a_limit_any_number_of_days_fits_the_budget_rule_only(world, respite):
    _limit(None)
    assert _draft(world, respite, "40").total_units == Decimal(40)


def test_with_a_limit_an_offer_not_priced_per_day_is_refused(world, respite):
    before = _written()
    with pytest.raises(AgreementInvalid) as caught:
        _draft(world, world.service, "2")  # the world's respite offer is an old one, per hour
    assert caught.value.code == "agreement.respite_not_in_days"
    assert _written() == before


def test_the_catalogue_lists_respite_care_per_day_only(world):
    from django_tenants.utils import schema_context

    with schema_context("public"):
        respite_type = ServiceType.objects.get(code="respite-care")
        with pytest.raises(CatalogueInvalid) as caught:
            catalogue_services.service_create(
                provider=world.provider, actor=world.staff, service_type=respite_type, title_lv="Atelpa",
                description_lv="Apraksts", target_groups=["adults"], delivery_modes=["home"], unit="hour",
                unit_price=Decimal("10.00"))
        assert caught.value.code == "catalogue.unit_not_allowed" and caught.value.field == "unit"
        created = catalogue_services.service_create(
            provider=world.provider, actor=world.staff, service_type=respite_type, title_lv="Atelpa",
            description_lv="Apraksts", target_groups=["adults"], delivery_modes=["home"],
            unit_price=Decimal("60.00"))
        assert created.unit == "day"


def test_the_api_and_the_page_refuse_days_over_the_limit_alike(world, respite, client_for):
    start, end = _inside_one_year(world)
    services.agreement_confirm(agreement=_draft(world, respite, "8"), actor=world.person_user)
    client = client_for(MUNICIPALITY_A, user=world.person_user)
    connection.set_tenant(world.municipality)
    before = _written()
    response, page = _api_and_page(world, client, respite, total_units="3", period_start=start, period_end=end)
    assert response.status_code == 400
    assert response.json()["code"] == "agreement.respite_days_exceeded"
    assert page.status_code == 400
    assert escape(response.json()["detail"]) in page.content.decode()
    connection.set_tenant(world.municipality)
    assert _written() == before


def test_the_administrator_sets_the_limit_on_the_rules_page(world, client_for):
    admin = client_for(MUNICIPALITY_A, user=world.admin)
    post = {"provider_response_days": "5", "cancellation_notice_hours": "24", "short_notice_billable_units": "1",
            "invoice_approval_days": "5", "respite_days_per_year": "30"}
    assert admin.post("/vienosanas/noteikumi/", post).status_code == 302
    connection.set_tenant(world.municipality)
    assert MunicipalRules.current().respite_days_per_year == 30
    assert 'value="30"' in admin.get("/vienosanas/noteikumi/").content.decode()
    assert admin.post("/vienosanas/noteikumi/", {**post, "respite_days_per_year": "400"}).status_code == 400
    connection.set_tenant(world.municipality)
    assert MunicipalRules.current().respite_days_per_year == 30
    services.municipal_rules_update(actor=world.admin, provider_response_days=5, approval_service_types=[],
                                    approval_above_amount=None, cancellation_notice_hours=24,
                                    short_notice_billable_units="1", invoice_approval_days=5)
    assert MunicipalRules.current().respite_days_per_year == 30  # left out: unchanged
    with pytest.raises(AgreementInvalid) as caught:
        services.municipal_rules_update(actor=world.admin, provider_response_days=5, approval_service_types=[],
                                        approval_above_amount=None, cancellation_notice_hours=24,
                                        short_notice_billable_units="1", invoice_approval_days=5,
                                        respite_days_per_year=0)
    assert caught.value.field == "respite_days_per_year"


# ------------------------------------------------------------------------------- support person, 24 months
@pytest.fixture
def decision_support(world):
    """A support-person offer (15 EUR an hour) and a category for it in the adult's budget."""
    service = make_service(world.provider, "decision-support", "15.00", groups=("adults",))
    connection.set_tenant(world.municipality)
    approve(world.provider, service)
    service_type = ServiceType.objects.get(code="decision-support")
    goal = Goal.objects.create(plan=world.budget.plan, text="Es gribu pats lemt", share_percent=Decimal("10"))
    goal.service_types.set([service_type])
    category = BudgetCategory.objects.create(budget=world.budget, goal=goal, name="Lēmumu pieņemšana",
                                             granted=Decimal("5000.00"))
    category.service_types.set([service_type])
    LedgerEntry.objects.create(budget=world.budget, category=category, kind="grant", amount=Decimal("5000.00"),
                               idempotency_key=f"test-grant:{category.pk}", reference="test")
    return service


def _support_draft(world, service, end, start=None):
    return services.agreement_draft_create(person=world.adult, service=service, actor=world.person_user,
                                           total_units="100", period_start=start or timezone.localdate(),
                                           period_end=end)


def test_a_support_person_may_run_24_months_but_not_a_day_more(world, decision_support):
    start = timezone.localdate()
    last = add_months(start, 24) - dt.timedelta(days=1)
    assert last > world.budget.period_end  # longer than the plan's period
    agreement = _support_draft(world, decision_support, last)
    assert (agreement.period_start, agreement.period_end) == (start, last)
    before = _written()
    with pytest.raises(PeriodTooLong) as caught:
        _support_draft(world, decision_support, last + dt.timedelta(days=1))
    assert caught.value.code == "agreement.period_too_long" and caught.value.field == "period_end"
    assert last.strftime("%d.%m.%Y") in caught.value.message
    assert _written() == before


def test_a_support_person_starts_inside_the_plan_period(world, decision_support):
    start = world.budget.period_end + dt.timedelta(days=1)
    with pytest.raises(AgreementInvalid) as caught:
        _support_draft(world, decision_support, start + dt.timedelta(days=30), start=start)
    assert caught.value.field == "period_start"


def test_other_services_stay_inside_the_plan_period(world):
    start = timezone.localdate()
    with pytest.raises(AgreementInvalid) as caught:
        services.agreement_draft_create(person=world.adult, service=world.pricey, actor=world.person_user,
                                        total_units="2", period_start=start,
                                        period_end=world.budget.period_end + dt.timedelta(days=1))
    assert caught.value.code == "agreement.invalid" and caught.value.field == "period_start"


def test_the_api_and_the_page_refuse_a_support_person_over_24_months_alike(world, decision_support, client_for):
    start = timezone.localdate()
    too_late = add_months(start, 24)
    client = client_for(MUNICIPALITY_A, user=world.person_user)
    connection.set_tenant(world.municipality)
    before = _written()
    response, page = _api_and_page(world, client, decision_support, total_units="100", period_start=start,
                                   period_end=too_late)
    assert response.status_code == 400
    assert response.json()["code"] == "agreement.period_too_long" and response.json()["field"] == "period_end"
    assert page.status_code == 400
    assert 'id="id_period_end-error"' in page.content.decode()
    connection.set_tenant(world.municipality)
    assert _written() == before
    ok = client.post(API, {"person": world.adult.pk, "service": decision_support.pk, "total_units": "100",
                           "period_start": start.isoformat(),
                           "period_end": (too_late - dt.timedelta(days=1)).isoformat()},
                     content_type="application/json")
    assert ok.status_code == 201, ok.content
