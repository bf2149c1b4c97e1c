"""Separation of duties (issue 15): no self-grant, a money role needs a second administrator, no one decides
an invoice of a provider they work for. Refusals are 403 with stable codes and write nothing."""

from __future__ import annotations

import pytest
from django.db import connection

from portal.budgets.ledger.models import LedgerEntry
from portal.marketplace.invoicing.invoices import invoice_create, invoice_submit
from portal.marketplace.invoicing.models import Invoice
from portal.marketplace.invoicing.sessions import session_confirm
from portal.platform.accounts.models import User
from portal.tenants.models import Membership
from portal.tenants.roles import Role
from portal.tenants.services import membership_ensure
from portal.platform.core.errors import PermissionDenied
from tests.conftest import MUNICIPALITY_A, demo_user
from tests.factories import build_world
from tests.invoicing.conftest import _ids_beyond_the_demo, _own_staff, active_agreement, record, today

pytestmark = pytest.mark.django_db


def _grant(client, email, role, full_name="Jauns Darbinieks"):
    return client.post("/api/v1/memberships/", {"email": email, "full_name": full_name, "role": role},
                       content_type="application/json")


def test_no_one_grants_a_role_to_themselves(muni_a, client_for):
    admin = demo_user(Role.MUNICIPALITY_ADMIN, MUNICIPALITY_A)
    before = Membership.objects.count()
    for role in (Role.FINANCE_OFFICER, Role.SOCIAL_WORKER):
        response = _grant(client_for(MUNICIPALITY_A, user=admin), admin.email, role)
        assert response.status_code == 403 and response.json()["code"] == "self_grant"
    with pytest.raises(PermissionDenied) as refused:
        membership_ensure(user=admin, role=Role.FINANCE_OFFICER, municipality=muni_a, actor=admin)
    assert refused.value.code == "self_grant"
    assert Membership.objects.count() == before


def test_a_money_role_waits_for_a_second_administrator(muni_a, client_for):
    admin = demo_user(Role.MUNICIPALITY_ADMIN, MUNICIPALITY_A)
    second = User.objects.create(email="otrs.admins@example.lv", full_name="Otrs Admins")
    Membership.objects.create(user=second, role=Role.MUNICIPALITY_ADMIN, municipality=muni_a)
    granted = _grant(client_for(MUNICIPALITY_A, user=admin), "jauns.finansists@example.lv", Role.FINANCE_OFFICER)
    assert granted.status_code == 201 and granted.json()["pending"] is True
    newcomer = User.objects.get(email="jauns.finansists@example.lv")
    assert client_for(MUNICIPALITY_A, user=newcomer).get("/api/v1/invoices/").status_code == 403
    address = f"/api/v1/memberships/{granted.json()['id']}/confirm/"
    for who in (admin, newcomer):
        refused = client_for(MUNICIPALITY_A, user=who).post(address)
        assert refused.status_code == 403, who
    assert client_for(MUNICIPALITY_A, user=admin).post(address).json()["code"] == "four_eyes"
    assert Membership.objects.get(pk=granted.json()["id"]).pending is True
    confirmed = client_for(MUNICIPALITY_A, user=second).post(address)
    assert confirmed.status_code == 200 and confirmed.json()["pending"] is False
    assert client_for(MUNICIPALITY_A, user=newcomer).get("/api/v1/invoices/").status_code == 200
    # A role that moves no money is granted at once.
    other = _grant(client_for(MUNICIPALITY_A, user=admin), "jauns.socialais@example.lv", Role.SOCIAL_WORKER)
    assert other.status_code == 201 and other.json()["pending"] is False


def test_no_one_decides_an_invoice_of_a_provider_they_work_for(muni_a, client_for):
    _ids_beyond_the_demo(muni_a)
    world = _own_staff(build_world(muni_a))
    agreement = active_agreement(world)
    session_confirm(session=record(agreement, world.staff, days_ago=0), actor=world.person_user)
    invoice = invoice_submit(invoice=invoice_create(agreement=agreement, year=today().year, month=today().month,
                                                    actor=world.staff), actor=world.staff)
    connection.set_schema_to_public()
    Membership.objects.create(user=world.staff, role=Role.FINANCE_OFFICER, municipality=muni_a)
    connection.set_tenant(muni_a)
    posts = LedgerEntry.objects.filter(kind="post").count()
    client = client_for(MUNICIPALITY_A, user=world.staff)
    for action, body in (("approve", {}), ("reject", {"reason": "x"})):
        response = client.post(f"/api/v1/invoices/{invoice.pk}/{action}/", body, content_type="application/json")
        assert response.status_code == 403 and response.json()["code"] == "invoice.own_provider", action
    connection.set_tenant(muni_a)
    assert Invoice.objects.get(pk=invoice.pk).status == "submitted"
    assert LedgerEntry.objects.filter(kind="post").count() == posts


def test_above_the_municipalitys_amount_a_second_finance_officer_completes_the_approval(muni_a, client_for):
    from portal.marketplace.agreements.models import MunicipalRules

    _ids_beyond_the_demo(muni_a)
    world = _own_staff(build_world(muni_a))
    agreement = active_agreement(world)
    session_confirm(session=record(agreement, world.staff, days_ago=0), actor=world.person_user)
    invoice = invoice_submit(invoice=invoice_create(agreement=agreement, year=today().year, month=today().month,
                                                    actor=world.staff), actor=world.staff)
    rules = MunicipalRules.current()
    rules.second_approval_above = invoice.total - 1
    rules.save()
    connection.set_schema_to_public()
    second = User.objects.create(email="otrs.finansists@example.lv", full_name="Otrs Finansists")
    Membership.objects.create(user=second, role=Role.FINANCE_OFFICER, municipality=muni_a)
    connection.set_tenant(muni_a)
    posts = LedgerEntry.objects.filter(kind="post").count()
    first = client_for(MUNICIPALITY_A, user=demo_user(Role.FINANCE_OFFICER, MUNICIPALITY_A))
    address = f"/api/v1/invoices/{invoice.pk}/approve/"
    assert first.post(address).json()["status"] == "submitted"
    again = first.post(address)
    assert again.status_code == 403 and again.json()["code"] == "invoice.second_approver_needed"
    connection.set_tenant(muni_a)
    assert LedgerEntry.objects.filter(kind="post").count() == posts
    assert client_for(MUNICIPALITY_A, user=second).post(address).json()["status"] == "approved"
    assert client_for(MUNICIPALITY_A, user=second).post(address).status_code == 409
    connection.set_tenant(muni_a)
    assert LedgerEntry.objects.filter(kind="post").count() == posts + 1  # posted exactly once
