"""Agreement pages: each step as each role, tenancy (the other municipality finds nothing), role checks,
bad input writes nothing, and query budgets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from portal.budgets.ledger.models import BudgetCategory
from portal.marketplace.agreements.models import Agreement, MunicipalRules
from tests.conftest import MUNICIPALITY_A, MUNICIPALITY_B
from tests.factories import active, draft, sent

pytestmark = pytest.mark.django_db


def _agreement_missing_in_b(muni_b, agreement):
    connection.set_tenant(muni_b)
    missing = not Agreement.objects.filter(pk=agreement.pk).exists()
    return missing


def test_list_as_person_filters_and_paginates(world, client_for, django_assert_max_num_queries):
    mine = draft(world)
    client = client_for(MUNICIPALITY_A, user=world.person_user)
    with django_assert_max_num_queries(12):
        response = client.get("/vienosanas/")
    assert response.status_code == 200
    assert f"/vienosanas/{mine.pk}/" in response.content.decode()
    response = client.get("/vienosanas/?status=active")
    assert f"/vienosanas/{mine.pk}/" not in response.content.decode()
    assert client.get("/vienosanas/?status=draft&q=Persona").status_code == 200


def test_provider_list_links_back_to_the_national_site(world, client_for):
    mine = sent(world)
    response = client_for(MUNICIPALITY_A, user=world.staff).get("/vienosanas/")
    page = response.content.decode()
    assert response.status_code == 200 and f"/vienosanas/{mine.pk}/" in page
    assert 'href="/konts/pariet/?next=http%3A%2F%2Flocalhost%2Fvienosanas%2F"' in page  # signed in (ADR 0009)


def test_reading_lists_and_details_writes_nothing(world, client_for):
    """Expiry runs on a schedule (``agreements_expire``), never on a GET: an overdue request stays as it is."""
    from portal.marketplace.agreements.models import AgreementEvent

    agreement = sent(world)
    Agreement.objects.filter(pk=agreement.pk).update(respond_by=timezone.now() - dt.timedelta(minutes=5))
    events = AgreementEvent.objects.count()
    for user in (world.staff, world.person_user):
        client = client_for(MUNICIPALITY_A, user=user)
        for url in ("/vienosanas/", f"/vienosanas/{agreement.pk}/", "/api/v1/agreements/",
                    f"/api/v1/agreements/{agreement.pk}/"):
            assert client.get(url).status_code == 200, url
    connection.set_tenant(world.municipality)
    assert Agreement.objects.get(pk=agreement.pk).status == Agreement.Status.AWAITING_PROVIDER
    assert AgreementEvent.objects.count() == events


def test_person_does_not_see_someone_elses_agreement(world, client_for):
    child_agreement = draft(world, person=world.child, actor=world.representative)
    client = client_for(MUNICIPALITY_A, user=world.person_user)
    assert client.get(f"/vienosanas/{child_agreement.pk}/").status_code == 404
    assert f"/vienosanas/{child_agreement.pk}/" not in client.get("/vienosanas/").content.decode()


def test_other_municipality_finds_nothing(world, client_for, muni_b):
    agreement = draft(world)
    assert _agreement_missing_in_b(muni_b, agreement)
    for user in (world.person_user, world.staff):
        client = client_for(MUNICIPALITY_B, user=user)
        assert client.get(f"/vienosanas/{agreement.pk}/").status_code == 404
        assert client.post(f"/vienosanas/{agreement.pk}/apstiprinat/").status_code == 404
        assert client.post(f"/vienosanas/{agreement.pk}/pienemt/").status_code == 404
        assert client.get(f"/vienosanas/{agreement.pk}/atcelt/").status_code == 404
    connection.set_tenant(world.municipality)
    assert Agreement.objects.get(pk=agreement.pk).status == Agreement.Status.DRAFT


def test_new_agreement_page_shows_cost_before_sending(world, client_for, django_assert_max_num_queries):
    client = client_for(MUNICIPALITY_A, user=world.person_user)
    url = f"/vienosanas/jauna/{world.service.pk}/?person={world.adult.pk}"
    with django_assert_max_num_queries(20):
        response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert world.category.name in page
    assert "Stundu skaits nedēļā" in page and "četras stundas" in page  # the unit's own words
    end = world.budget.period_end
    response = client.post(url, {"person": world.adult.pk, "units_per_week": "4", "period_start": timezone.localdate(),
                                 "period_end": end, "action": "preview"})
    assert response.status_code == 200
    assert "1\xa0000,00\xa0EUR" in response.content.decode() or "1000" in response.content.decode()
    connection.set_tenant(world.municipality)
    assert not Agreement.objects.filter(person=world.adult).exists()  # a preview writes nothing


def test_new_agreement_saves_a_draft(world, client_for):
    client = client_for(MUNICIPALITY_A, user=world.supporter)
    url = f"/vienosanas/jauna/{world.service.pk}/?person={world.adult.pk}"
    response = client.post(url, {"person": world.adult.pk, "units_per_week": "2",
                                 "period_start": timezone.localdate(), "period_end": world.budget.period_end,
                                 "explanation": "Otrdienās", "action": "save"})
    assert response.status_code == 302
    connection.set_tenant(world.municipality)
    agreement = Agreement.objects.get(person=world.adult)
    assert agreement.prepared_by == world.supporter and agreement.explanation == "Otrdienās"


def test_new_agreement_bad_input_writes_nothing(world, client_for):
    client = client_for(MUNICIPALITY_A, user=world.person_user)
    url = f"/vienosanas/jauna/{world.service.pk}/?person={world.adult.pk}"
    response = client.post(url, {"person": world.adult.pk, "total_units": "500",
                                 "period_start": timezone.localdate(), "period_end": world.budget.period_end,
                                 "action": "save"})
    assert response.status_code == 400
    assert "govuk-error-summary" in response.content.decode()
    response = client.post(url, {"person": world.adult.pk, "units_per_week": "1",
                                 "period_start": world.budget.period_start - dt.timedelta(days=5),
                                 "period_end": world.budget.period_end, "action": "save"})
    assert response.status_code == 400
    connection.set_tenant(world.municipality)
    assert not Agreement.objects.filter(person=world.adult).exists()


def test_new_agreement_forbidden_for_staff_and_in_other_municipality(world, client_for):
    url = f"/vienosanas/jauna/{world.service.pk}/"
    assert client_for(MUNICIPALITY_A, user=world.social_worker).get(url).status_code == 403
    assert client_for(MUNICIPALITY_B, user=world.person_user).get(url).status_code == 403


def test_confirm_by_person_and_not_by_support_person(world, client_for):
    agreement = draft(world, actor=world.supporter)
    supporter = client_for(MUNICIPALITY_A, user=world.supporter)
    page = supporter.get(f"/vienosanas/{agreement.pk}/").content.decode()
    assert "apstiprinat" not in page
    supporter.post(f"/vienosanas/{agreement.pk}/apstiprinat/")
    connection.set_tenant(world.municipality)
    assert Agreement.objects.get(pk=agreement.pk).status == Agreement.Status.DRAFT
    person = client_for(MUNICIPALITY_A, user=world.person_user)
    assert person.post(f"/vienosanas/{agreement.pk}/apstiprinat/").status_code == 302
    connection.set_tenant(world.municipality)
    assert Agreement.objects.get(pk=agreement.pk).status == Agreement.Status.AWAITING_PROVIDER


def test_provider_accepts_on_the_municipal_site(world, client_for, django_assert_max_num_queries):
    agreement = sent(world)
    client = client_for(MUNICIPALITY_A, user=world.staff)
    with django_assert_max_num_queries(16):  # + the read audit row
        response = client.get(f"/vienosanas/{agreement.pk}/")
    assert response.status_code == 200 and "pienemt" in response.content.decode()
    assert client.post(f"/vienosanas/{agreement.pk}/pienemt/").status_code == 302
    connection.set_tenant(world.municipality)
    assert Agreement.objects.get(pk=agreement.pk).status == Agreement.Status.ACTIVE
    assert BudgetCategory.objects.get(pk=world.category.pk).reserved == agreement.total_amount


def test_provider_declines_with_a_reason(world, client_for):
    agreement = sent(world)
    client = client_for(MUNICIPALITY_A, user=world.staff)
    response = client.post(f"/vienosanas/{agreement.pk}/noraidit/", {"reason": ""})
    assert response.status_code == 400
    response = client.post(f"/vienosanas/{agreement.pk}/noraidit/", {"reason": "Nav vietu"})
    assert response.status_code == 302
    connection.set_tenant(world.municipality)
    assert Agreement.objects.get(pk=agreement.pk).decline_reason == "Nav vietu"
    assert client_for(MUNICIPALITY_A, user=world.person_user).get(
        f"/vienosanas/{agreement.pk}/noraidit/").status_code == 403


def test_municipality_approves_from_the_queue(world, client_for, django_assert_max_num_queries):
    MunicipalRules.objects.update_or_create(pk=1, defaults={"approval_service_types": ["respite-care"]})
    from portal.marketplace.agreements.services import agreement_accept

    agreement = agreement_accept(agreement=sent(world), actor=world.staff)
    client = client_for(MUNICIPALITY_A, user=world.admin)
    with django_assert_max_num_queries(12):
        response = client.get("/vienosanas/saskanosana/")
    assert f"/vienosanas/{agreement.pk}/" in response.content.decode()
    assert client_for(MUNICIPALITY_A, user=world.person_user).get("/vienosanas/saskanosana/").status_code == 403
    assert client_for(MUNICIPALITY_A, user=world.person_user).post(
        f"/vienosanas/{agreement.pk}/lemums/", {"decision": "approve"}).status_code == 403
    client.post(f"/vienosanas/{agreement.pk}/lemums/", {"decision": "approve"})
    connection.set_tenant(world.municipality)
    assert Agreement.objects.get(pk=agreement.pk).status == Agreement.Status.ACTIVE


def test_cancel_page_shows_terms_then_cancels(world, client_for):
    agreement = active(world, units_per_week=None, total_units="10")
    client = client_for(MUNICIPALITY_A, user=world.person_user)
    response = client.get(f"/vienosanas/{agreement.pk}/atcelt/")
    assert response.status_code == 200
    assert client_for(MUNICIPALITY_A, user=world.supporter).get(
        f"/vienosanas/{agreement.pk}/atcelt/").status_code == 403
    later = timezone.localdate() + dt.timedelta(days=10)
    response = client.post(f"/vienosanas/{agreement.pk}/atcelt/", {"effective": later, "action": "cancel"})
    assert response.status_code == 302
    connection.set_tenant(world.municipality)
    assert Agreement.objects.get(pk=agreement.pk).status == Agreement.Status.CANCELLED
    assert BudgetCategory.objects.get(pk=world.category.pk).reserved == Decimal("0")


def test_rules_page_for_the_admin_only(world, client_for, django_assert_max_num_queries):
    client = client_for(MUNICIPALITY_A, user=world.admin)
    with django_assert_max_num_queries(12):
        assert client.get("/vienosanas/noteikumi/").status_code == 200
    response = client.post("/vienosanas/noteikumi/", {
        "provider_response_days": "0", "cancellation_notice_hours": "24", "short_notice_billable_units": "1",
        "invoice_approval_days": "5"})
    assert response.status_code == 400
    connection.set_tenant(world.municipality)
    assert MunicipalRules.current().provider_response_days == 5
    response = client.post("/vienosanas/noteikumi/", {
        "provider_response_days": "7", "approval_service_types": ["home-care"], "approval_above_amount": "800",
        "cancellation_notice_hours": "24", "short_notice_billable_units": "1", "invoice_approval_days": "5"})
    assert response.status_code == 302
    connection.set_tenant(world.municipality)
    rules = MunicipalRules.current()
    assert rules.provider_response_days == 7 and rules.approval_service_types == ["home-care"]
    assert client_for(MUNICIPALITY_A, user=world.social_worker).get("/vienosanas/noteikumi/").status_code == 403


def test_provider_home_on_the_national_site(world, client_for):
    client = client_for(None, user=world.staff)
    response = client.get("/vienosanas/")
    assert response.status_code == 200
    assert "jelgava" in response.content.decode()
    assert client_for(None, user=world.admin).get("/vienosanas/").status_code == 403


def test_service_panel_tag_renders_for_the_person(world, rf):
    from django.template import Context, Template

    connection.set_tenant(world.municipality)
    request = rf.get("/")
    request.user = world.person_user
    html = Template("{% load agreements_tags %}{% service_budget_panel service %}").render(
        Context({"service": world.service, "request": request}))
    assert f"/vienosanas/jauna/{world.service.pk}/?person={world.adult.pk}" in html
    assert "100 stundas" in html  # 1 000 EUR available at 10 EUR an hour
    request.user = world.social_worker
    html = Template("{% load agreements_tags %}{% service_budget_panel service %}").render(
        Context({"service": world.service, "request": request}))
    assert "vienosanas/jauna" not in html


def test_pages_in_english(world, client_for):
    agreement = draft(world)
    response = client_for(MUNICIPALITY_A, user=world.person_user, language="en").get(f"/vienosanas/{agreement.pk}/")
    assert response.status_code == 200 and "What was agreed" in response.content.decode()


def test_service_page_offers_choosing_within_the_budget(world, client_for, django_assert_max_num_queries):
    from django.urls import reverse

    connection.set_tenant(world.municipality)
    url = reverse("catalogue:service", args=[world.service.pk])
    client = client_for(MUNICIPALITY_A, user=world.person_user)
    with django_assert_max_num_queries(40):
        response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert f"/vienosanas/jauna/{world.service.pk}/?person={world.adult.pk}" in page
    assert world.category.name in page
    anonymous = client_for(MUNICIPALITY_A).get(url).content.decode()
    assert "vienosanas/jauna" not in anonymous


def test_confirm_with_copayment_needs_the_box_ticked(world, client_for):
    from portal.marketplace.approvals.models import PriceCap

    PriceCap.objects.update_or_create(service_type=world.pricey.service_type, unit="hour",
                                      defaults={"amount": Decimal("20.00"), "over_cap_rule": "copay"})
    agreement = draft(world, service=world.pricey, units_per_week=None, total_units="4", accept_copayment=True)
    client = client_for(MUNICIPALITY_A, user=world.person_user)
    assert "copayment_shown" in client.get(f"/vienosanas/{agreement.pk}/").content.decode()
    client.post(f"/vienosanas/{agreement.pk}/apstiprinat/", {"copayment_shown": "1"})
    connection.set_tenant(world.municipality)
    assert Agreement.objects.get(pk=agreement.pk).status == Agreement.Status.DRAFT
    client.post(f"/vienosanas/{agreement.pk}/apstiprinat/", {"copayment_shown": "1", "accept_copayment": "on"})
    connection.set_tenant(world.municipality)
    assert Agreement.objects.get(pk=agreement.pk).status == Agreement.Status.AWAITING_PROVIDER
