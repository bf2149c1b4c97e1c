"""The invoicing API: bulk sessions from a provider's system, family decisions, finance approval;
tenancy and roles on every endpoint; nothing written on refusal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from portal.api.errors import exception_handler
from portal.budgets.ledger.models import LedgerEntry
from portal.marketplace.invoicing.errors import NotFinanceOfficer
from portal.marketplace.invoicing.invoices import invoice_create, invoice_submit
from portal.marketplace.invoicing.models import Invoice, Session
from portal.marketplace.invoicing.sessions import session_confirm
from portal.platform.core.models import AuditEvent
from portal.tenants.roles import Role
from tests.conftest import MUNICIPALITY_A, MUNICIPALITY_B, demo_user

from .conftest import record, today

pytestmark = pytest.mark.django_db


def national(client_for, user):
    connection.set_schema_to_public()
    return client_for(None, user=user)


def test_bulk_sessions_from_the_providers_system(world, agreement, client_for, django_assert_max_num_queries):
    client = national(client_for, world.staff)
    url = f"/api/v1/provider/{MUNICIPALITY_A}/agreements/{agreement.pk}/sessions/"
    d = today() - dt.timedelta(days=1)
    body = {"sessions": [{"date": str(d), "units": "1", "staff_name": "Anna", "external_id": "a"},
                         {"date": str(d - dt.timedelta(days=1)), "units": "2", "staff_name": "Anna",
                          "start_time": "10:00", "goal_progress": "good"}]}
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert [row["units"] for row in response.json()] == ["1.00", "2.00"]
    again = client.post(url, {"sessions": body["sessions"][:1]}, content_type="application/json")
    assert again.status_code == 201 and again.json()[0]["id"] == response.json()[0]["id"]
    # + the read audit in the municipality: its schema, the persons, the provider's name, one row
    with django_assert_max_num_queries(18):
        listing = client.get(url)
    assert listing.json()["count"] == 2


def test_a_bad_row_refuses_the_whole_batch(world, agreement, client_for):
    client = national(client_for, world.staff)
    url = f"/api/v1/provider/{MUNICIPALITY_A}/agreements/{agreement.pk}/sessions/"
    body = {"sessions": [{"date": str(today()), "units": "1", "staff_name": "Anna"},
                         {"date": str(today() + dt.timedelta(days=5)), "units": "1", "staff_name": "Anna"}]}
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "session.invalid"
    assert client.post(url, {"sessions": []}, content_type="application/json").status_code == 400
    connection.set_tenant(world.municipality)
    assert Session.objects.filter(agreement=agreement).count() == 0


def test_provider_endpoints_tenancy_and_roles(world, agreement, client_for):
    client = national(client_for, world.staff)
    assert client.get(f"/api/v1/provider/{MUNICIPALITY_B}/agreements/{agreement.pk}/sessions/").status_code == 404
    analyst = national(client_for, demo_user(Role.MINISTRY_ANALYST))
    assert analyst.get(f"/api/v1/provider/{MUNICIPALITY_A}/agreements/{agreement.pk}/sessions/").status_code == 403
    assert analyst.get("/api/v1/provider/work/").status_code == 403
    on_tenant = client_for(MUNICIPALITY_A, user=world.staff)
    assert on_tenant.get("/api/v1/provider/work/").status_code == 404


def test_provider_invoice_flow_and_work_index(world, agreement, client_for, django_capture_on_commit_callbacks,
                                              django_assert_max_num_queries):
    s = record(agreement, world.staff, days_ago=0)
    session_confirm(session=s, actor=world.person_user)
    client = national(client_for, world.staff)
    month = f"{today().year}-{today().month:02d}"
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(f"/api/v1/provider/{MUNICIPALITY_A}/agreements/{agreement.pk}/invoices/",
                              {"month": month}, content_type="application/json")
        assert created.status_code == 201 and created.json()["clean"] is True
        invoice_id = created.json()["id"]
        submitted = client.post(f"/api/v1/provider/{MUNICIPALITY_A}/invoices/{invoice_id}/submit/")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert client.post(f"/api/v1/provider/{MUNICIPALITY_A}/invoices/{invoice_id}/submit/").json()["code"] == \
        "invoice.wrong_status"
    assert client.get(f"/api/v1/provider/{MUNICIPALITY_B}/invoices/{invoice_id}/").status_code == 404
    with django_assert_max_num_queries(8):
        work = client.get("/api/v1/provider/work/?kind=invoice")
    assert [row["status"] for row in work.json()["results"]] == ["submitted"]


def test_family_confirms_and_disputes_by_api(world, agreement, client_for, django_assert_max_num_queries):
    s1, s2 = record(agreement, world.staff, days_ago=1), record(agreement, world.staff, days_ago=2)
    client = client_for(MUNICIPALITY_A, user=world.person_user)
    with django_assert_max_num_queries(10):
        ids = {row["id"] for row in client.get("/api/v1/sessions/?status=recorded").json()["results"]}
    assert {s1.pk, s2.pk} <= ids
    assert client.post(f"/api/v1/sessions/{s1.pk}/confirm/").json()["status"] == "confirmed"
    refused = client.post(f"/api/v1/sessions/{s2.pk}/dispute/", {"reason": ""}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["code"] == "session.invalid"
    ok = client.post(f"/api/v1/sessions/{s2.pk}/dispute/", {"reason": "Ne"}, content_type="application/json")
    assert ok.json()["status"] == "disputed"
    other = client_for(MUNICIPALITY_B, user=demo_user(Role.PERSON, MUNICIPALITY_B))
    assert other.post(f"/api/v1/sessions/{s1.pk}/confirm/").status_code == 404
    assert s1.pk not in {row["id"] for row in other.get("/api/v1/sessions/").json()["results"]}
    officer = client_for(MUNICIPALITY_A, user=demo_user(Role.FINANCE_OFFICER, MUNICIPALITY_A))
    assert officer.get("/api/v1/sessions/").status_code == 403


def test_support_person_cannot_confirm_by_api(world, agreement, client_for):
    s = record(agreement, world.staff)
    response = client_for(MUNICIPALITY_A, user=world.supporter).post(f"/api/v1/sessions/{s.pk}/confirm/")
    assert response.status_code == 403 and response.json()["code"] == "session.not_allowed"
    connection.set_tenant(world.municipality)
    assert Session.objects.get(pk=s.pk).status == "recorded"


def _submitted(world, agreement):
    s = record(agreement, world.staff, days_ago=0)
    session_confirm(session=s, actor=world.person_user)
    invoice = invoice_create(agreement=agreement, year=today().year, month=today().month,
                             actor=world.staff)
    return invoice_submit(invoice=invoice, actor=world.staff)


def test_finance_approves_and_rejects_by_api(world, agreement, client_for, django_assert_max_num_queries):
    invoice = _submitted(world, agreement)
    officer = client_for(MUNICIPALITY_A, user=demo_user(Role.FINANCE_OFFICER, MUNICIPALITY_A))
    with django_assert_max_num_queries(8):
        assert invoice.pk in {row["id"] for row in officer.get("/api/v1/invoices/").json()["results"]}
    detail = officer.get(f"/api/v1/invoices/{invoice.pk}/").json()
    assert detail["clean"] is True and len(detail["lines"]) == 1
    refused = officer.post(f"/api/v1/invoices/{invoice.pk}/reject/", {"reason": ""},
                           content_type="application/json")
    assert refused.status_code == 400
    posts = LedgerEntry.objects.filter(kind="post").count()
    assert officer.post(f"/api/v1/invoices/{invoice.pk}/approve/").json()["status"] == "approved"
    assert officer.post(f"/api/v1/invoices/{invoice.pk}/approve/").status_code == 409
    connection.set_tenant(world.municipality)
    assert LedgerEntry.objects.filter(kind="post").count() == posts + 1


def test_finance_endpoints_tenancy_and_roles(world, agreement, client_for):
    invoice = _submitted(world, agreement)
    officer_b = client_for(MUNICIPALITY_B, user=demo_user(Role.FINANCE_OFFICER, MUNICIPALITY_B))
    assert officer_b.get(f"/api/v1/invoices/{invoice.pk}/").status_code == 404
    assert officer_b.post(f"/api/v1/invoices/{invoice.pk}/approve/").status_code == 404
    assert officer_b.post(f"/api/v1/invoices/{invoice.pk}/reject/", {"reason": "x"},
                          content_type="application/json").status_code == 404
    person = client_for(MUNICIPALITY_A, user=world.person_user)
    assert person.get("/api/v1/invoices/").status_code == 403
    assert person.post(f"/api/v1/invoices/{invoice.pk}/approve/").status_code == 403
    connection.set_tenant(world.municipality)
    assert Invoice.objects.get(pk=invoice.pk).status == "submitted"


def test_only_the_finance_officer_approves_or_rejects_by_api(world, agreement, client_for):
    invoice = _submitted(world, agreement)
    connection.set_tenant(world.municipality)
    def writes():
        return (LedgerEntry.objects.filter(kind="post").count(),
                AuditEvent.objects.filter(object_type="invoicing.invoice").count())

    before = writes()
    for user in (world.person_user, world.social_worker, world.admin, world.staff):
        client = client_for(MUNICIPALITY_A, user=user)
        approve = client.post(f"/api/v1/invoices/{invoice.pk}/approve/")
        reject = client.post(f"/api/v1/invoices/{invoice.pk}/reject/", {"reason": "Nē"},
                             content_type="application/json")
        for response in (approve, reject):
            assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    connection.set_tenant(world.municipality)
    assert Invoice.objects.get(pk=invoice.pk).status == "submitted"
    assert writes() == before


def test_the_services_refusal_of_a_non_finance_actor_is_a_403_with_its_code():
    response = exception_handler(NotFinanceOfficer("Only the municipality's finance officer can approve invoices."),
                                 {})
    assert response.status_code == 403
    assert response.data == {"code": "invoice.not_finance_officer",
                             "detail": "Only the municipality's finance officer can approve invoices."}


def test_endpoints_are_in_the_schema_without_warnings():
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    tenant = SchemaGenerator(urlconf="portal.platform.urls_tenant").get_schema(request=None, public=True)
    public = SchemaGenerator(urlconf="portal.platform.urls_public").get_schema(request=None, public=True)
    assert "/api/v1/provider/work/" in public["paths"]
    assert "/api/v1/provider/{code}/agreements/{agreement_id}/sessions/" in public["paths"]
    assert "/api/v1/invoices/{invoice_id}/approve/" in tenant["paths"]
    assert "/api/v1/sessions/{session_id}/dispute/" in tenant["paths"]
    assert not GENERATOR_STATS._warn_cache and not GENERATOR_STATS._error_cache
