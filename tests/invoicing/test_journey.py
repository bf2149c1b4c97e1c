"""The whole journey, as its people would take it: search → agreement → acceptance → sessions →
confirmation → invoice → approval, with the ledger asserted at every step."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from portal.budgets.ledger.models import BudgetCategory, LedgerEntry
from portal.marketplace.agreements import services as agreements
from portal.marketplace.invoicing.models import Invoice, Session
from portal.tenants.roles import Role
from tests.conftest import MUNICIPALITY_A, demo_user
from tests.factories import build_world

from .conftest import today

pytestmark = pytest.mark.django_db
ZERO = Decimal("0.00")


def ledger(world):
    """(granted, reserved, spent, available) of the respite-care category, and the kinds of its entries."""
    connection.set_tenant(world.municipality)
    c = BudgetCategory.objects.get(pk=world.category.pk)
    kinds = list(LedgerEntry.objects.filter(category=c).order_by("id").values_list("kind", flat=True))
    return (c.granted, c.reserved, c.spent, c.available), kinds


def test_the_whole_journey(muni_a, client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # search indexes the new services on commit
        world = build_world(muni_a)
    assert ledger(world) == ((Decimal("1000.00"), ZERO, ZERO, Decimal("1000.00")), ["grant"])

    # 1. Search: the person finds the respite-care service on their municipality's site.
    person = client_for(MUNICIPALITY_A, user=world.person_user)
    found = person.get(reverse("search:search", urlconf="portal.platform.urls_tenant"),
                       {"q": world.service.title_lv})
    assert found.status_code == 200 and f"/{world.service.pk}/" in found.content.decode()

    # 2. Agreement: 2 hours a week from four weeks ago; confirmed by the person. Nothing reserved yet.
    connection.set_tenant(muni_a)
    draft = agreements.agreement_draft_create(
        person=world.adult, service=world.service, actor=world.person_user, units_per_week="2",
        period_start=today() - dt.timedelta(days=28), period_end=today() + dt.timedelta(days=27))
    sent = agreements.agreement_confirm(agreement=draft, actor=world.person_user)
    assert sent.status == "awaiting_provider" and sent.total_amount == Decimal("160.00")
    assert ledger(world)[0] == (Decimal("1000.00"), ZERO, ZERO, Decimal("1000.00"))

    # 3. Acceptance: the provider accepts; the budget is reserved.
    agreement = agreements.agreement_accept(agreement=sent, actor=world.staff)
    assert agreement.status == "active"
    assert ledger(world) == ((Decimal("1000.00"), Decimal("160.00"), ZERO, Decimal("840.00")), ["grant", "reserve"])

    # 4. Sessions: the provider's own system sends two sessions through the API (national site).
    connection.set_schema_to_public()
    provider = client_for(None, user=world.staff)
    day = today()
    rows = [{"date": str(day), "start_time": "09:00", "units": "2", "staff_name": "Anna Kalēja",
             "goal_progress": "some", "note": "Pastaiga"},
            {"date": str(day), "start_time": "14:00", "units": "1.5", "staff_name": "Anna Kalēja"}]
    response = provider.post(f"/api/v1/provider/{MUNICIPALITY_A}/agreements/{agreement.pk}/sessions/",
                             {"sessions": rows}, content_type="application/json")
    assert response.status_code == 201
    session_ids = [row["id"] for row in response.json()]
    assert ledger(world)[0][1:] == (Decimal("160.00"), ZERO, Decimal("840.00"))

    # 5. Confirmation: the person confirms both on their site.
    for sid in session_ids:
        assert person.post(f"/nodarbibas/{sid}/", {"action": "confirm"}).status_code == 302
    connection.set_tenant(muni_a)
    assert set(Session.objects.filter(pk__in=session_ids).values_list("status", flat=True)) == {"confirmed"}
    assert ledger(world)[0][1:] == (Decimal("160.00"), ZERO, Decimal("840.00"))

    # 6. Invoice: the provider prepares the month's invoice, every line checks clean, submits.
    connection.set_schema_to_public()
    created = provider.post(f"/sniedzejs/{MUNICIPALITY_A}/vienosanas/{agreement.pk}/rekins/",
                            {"m-month": f"{day.year}-{day.month:02d}"})
    assert created.status_code == 302
    invoice_url = created["Location"]
    assert provider.post(invoice_url, {"action": "submit"}).status_code == 302
    connection.set_tenant(muni_a)
    invoice = Invoice.objects.get(agreement=agreement)
    assert invoice.status == "submitted" and invoice.number and invoice.total == Decimal("35.00")
    assert ledger(world)[0][1:] == (Decimal("160.00"), ZERO, Decimal("840.00"))

    # 7. Approval: the finance officer approves; the amount is posted from the reservation, once.
    officer = client_for(MUNICIPALITY_A, user=demo_user(Role.FINANCE_OFFICER, MUNICIPALITY_A))
    assert officer.post(f"/rekini/{invoice.pk}/", {"action": "approve"}).status_code == 302
    assert ledger(world) == ((Decimal("1000.00"), Decimal("125.00"), Decimal("35.00"), Decimal("840.00")),
                             ["grant", "reserve", "post"])
    again = officer.post(f"/api/v1/invoices/{invoice.pk}/approve/")
    assert again.status_code == 409
    assert ledger(world)[1] == ["grant", "reserve", "post"]

    # The provider sees the invoice approved, with its timeline, from the national site.
    connection.set_schema_to_public()
    page = provider.get(invoice_url).content.decode()
    assert invoice.display_number in page and "<time" in page
