"""The invoicing pages for each role: behaviour, tenancy (the other municipality finds nothing), roles, queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from portal.marketplace.invoicing.invoices import invoice_create, invoice_submit
from portal.marketplace.invoicing.models import Invoice, Session
from portal.marketplace.invoicing.sessions import session_confirm, session_dispute, session_record
from portal.platform.core.models import AuditEvent
from portal.tenants.roles import Role
from tests.conftest import MUNICIPALITY_A, MUNICIPALITY_B, demo_user
from tests.factories import make_provider

from .conftest import _own_staff, record, today

pytestmark = pytest.mark.django_db


def submitted_invoice(world, agreement):
    for i in range(2):
        s = session_record(agreement=agreement, actor=world.staff, date=today(), units="1",
                           staff_name="Anna", start_time=dt.time(8 + 2 * i))
        session_confirm(session=s, actor=world.person_user)
    invoice = invoice_create(agreement=agreement, year=today().year, month=today().month,
                             actor=world.staff)
    return invoice_submit(invoice=invoice, actor=world.staff)


# ----------------------------------------------------------------------------- provider (national site)
def test_provider_hub_lists_work_from_the_index(world, agreement, client_for, django_capture_on_commit_callbacks,
                                                django_assert_max_num_queries):
    with django_capture_on_commit_callbacks(execute=True):
        record(agreement, world.staff)
    connection.set_schema_to_public()
    client = client_for(None, user=world.staff)
    with django_assert_max_num_queries(12):
        response = client.get("/sniedzejs/darbs/?kind=session")
    assert response.status_code == 200
    assert f"/sniedzejs/{MUNICIPALITY_A}/vienosanas/{agreement.pk}/" in response.content.decode()
    response = client.get(f"/sniedzejs/darbs/?municipality={MUNICIPALITY_B}&kind=session")
    assert f"/vienosanas/{agreement.pk}/" not in response.content.decode()
    assert f"/vienosanas/{agreement.pk}/" in client.get("/sniedzejs/darbs/?status=recorded").content.decode()
    assert f"/vienosanas/{agreement.pk}/" not in client.get(
        "/sniedzejs/darbs/?kind=session&status=confirmed").content.decode()


def test_provider_hub_is_for_provider_staff_only(world, client_for):
    connection.set_schema_to_public()
    assert client_for(None, user=demo_user(Role.MINISTRY_ANALYST)).get("/sniedzejs/darbs/").status_code == 403
    assert client_for(None).get("/sniedzejs/darbs/").status_code == 302
    assert client_for(MUNICIPALITY_A, user=world.staff).get("/sniedzejs/darbs/").status_code == 404


def test_provider_records_a_session_on_the_agreement_page(world, agreement, client_for,
                                                          django_assert_max_num_queries):
    connection.set_schema_to_public()
    client = client_for(None, user=world.staff)
    url = f"/sniedzejs/{MUNICIPALITY_A}/vienosanas/{agreement.pk}/"
    with django_assert_max_num_queries(20):
        assert client.get(url).status_code == 200
    bad = client.post(url, {"s-date": (today() + dt.timedelta(days=2)).isoformat(), "s-units": "1",
                            "s-staff_name": "Anna"})
    assert bad.status_code == 200 and "govuk-error-summary" in bad.content.decode()
    connection.set_tenant(world.municipality)
    assert Session.objects.filter(agreement=agreement).count() == 0
    connection.set_schema_to_public()
    ok = client.post(url, {"s-date": today().isoformat(), "s-units": "1.5", "s-staff_name": "Anna",
                           "s-goal_progress": "some", "s-note": "Labi"})
    assert ok.status_code == 302
    connection.set_tenant(world.municipality)
    assert Session.objects.get(agreement=agreement).units == Decimal("1.5")


def test_provider_pages_of_the_other_municipality_find_nothing(world, agreement, client_for):
    connection.set_schema_to_public()
    client = client_for(None, user=world.staff)
    assert client.get(f"/sniedzejs/{MUNICIPALITY_B}/vienosanas/{agreement.pk}/").status_code == 404
    assert client.get(f"/sniedzejs/nav-tadas/vienosanas/{agreement.pk}/").status_code == 404
    class Other:  # staff of another provider only
        provider = make_provider()
        municipality = world.municipality

    stranger = _own_staff(Other()).staff
    connection.set_schema_to_public()
    other = client_for(None, user=stranger)
    assert other.get(f"/sniedzejs/{MUNICIPALITY_A}/vienosanas/{agreement.pk}/").status_code == 404
    assert other.get("/sniedzejs/darbs/").status_code == 200


def test_bulk_and_csv_pages(world, agreement, client_for):
    connection.set_schema_to_public()
    client = client_for(None, user=world.staff)
    base = f"/sniedzejs/{MUNICIPALITY_A}/vienosanas/{agreement.pk}/nodarbibas/"
    assert client.get(base + "menesis/").status_code == 200
    month = f"{today().year}-{today().month:02d}"
    response = client.post(base + "menesis/", {"month": month, "weekdays": [str(today().weekday())],
                                               "units": "1", "staff_name": "Anna"})
    assert response.status_code == 302
    from django.core.files.uploadedfile import SimpleUploadedFile

    csv = f"date,units,staff\n{today() - dt.timedelta(days=1)},1,Anna\n".encode()
    response = client.post(base + "csv/", {"file": SimpleUploadedFile("s.csv", csv, "text/csv")})
    assert response.status_code == 302
    bad = client.post(base + "csv/", {"file": SimpleUploadedFile("s.csv", b"date,units,staff\nx,1,A\n",
                                                                 "text/csv")})
    assert bad.status_code == 200 and "govuk-error-message" in bad.content.decode()


def test_provider_invoice_page_submit_and_pdf(world, agreement, client_for, django_assert_max_num_queries):
    s = session_record(agreement=agreement, actor=world.staff, date=today(), units="1", staff_name="A")
    session_confirm(session=s, actor=world.person_user)
    connection.set_schema_to_public()
    client = client_for(None, user=world.staff)
    response = client.post(f"/sniedzejs/{MUNICIPALITY_A}/vienosanas/{agreement.pk}/rekins/",
                           {"m-month": f"{today().year}-{today().month:02d}"})
    assert response.status_code == 302
    url = response["Location"]
    with django_assert_max_num_queries(25):
        page = client.get(url)
    assert page.status_code == 200 and 'value="submit"' in page.content.decode()
    assert client.post(url, {"action": "submit"}).status_code == 302
    connection.set_tenant(world.municipality)
    invoice = Invoice.objects.get(agreement=agreement)
    assert invoice.status == "submitted"
    connection.set_schema_to_public()
    pdf = client.get(url + "pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_a_dirty_invoice_shows_problems_on_its_lines(world, agreement, client_for):
    s = session_record(agreement=agreement, actor=world.staff, date=today(), units="1", staff_name="A")
    session_dispute(session=s, reason="Nebija", actor=world.person_user)
    invoice = invoice_create(agreement=agreement, year=today().year, month=today().month,
                             actor=world.staff)
    connection.set_schema_to_public()
    client = client_for(None, user=world.staff)
    response = client.post(f"/sniedzejs/{MUNICIPALITY_A}/rekini/{invoice.pk}/", {"action": "submit"})
    assert response.status_code == 400
    assert 'data-code="line.disputed"' in response.content.decode()
    connection.set_tenant(world.municipality)
    assert Invoice.objects.get(pk=invoice.pk).status == "draft"


# ----------------------------------------------------------------------------- family (municipality site)
def test_the_person_confirms_and_disputes_on_the_page(world, agreement, client_for, django_assert_max_num_queries):
    s1, s2 = record(agreement, world.staff, days_ago=1), record(agreement, world.staff, days_ago=2)
    client = client_for(MUNICIPALITY_A, user=world.person_user)
    with django_assert_max_num_queries(12):
        listing = client.get("/nodarbibas/")
    assert listing.status_code == 200 and f"/nodarbibas/{s1.pk}/" in listing.content.decode()
    assert client.get(f"/nodarbibas/{s1.pk}/").status_code == 200
    assert client.post(f"/nodarbibas/{s1.pk}/", {"action": "confirm"}).status_code == 302
    empty = client.post(f"/nodarbibas/{s2.pk}/", {"action": "dispute", "reason": ""})
    assert empty.status_code == 400
    assert client.post(f"/nodarbibas/{s2.pk}/", {"action": "dispute", "reason": "Nenāca"}).status_code == 302
    connection.set_tenant(world.municipality)
    assert dict(Session.objects.filter(agreement=agreement).values_list("pk", "status")) == {s1.pk: "confirmed", s2.pk: "disputed"}


def test_family_pages_find_nothing_on_the_other_municipality(world, agreement, client_for):
    s = record(agreement, world.staff)
    person_b = demo_user(Role.PERSON, MUNICIPALITY_B)
    client = client_for(MUNICIPALITY_B, user=person_b)
    assert client.get(f"/nodarbibas/{s.pk}/").status_code == 404
    assert client.post(f"/nodarbibas/{s.pk}/", {"action": "confirm"}).status_code == 404
    connection.set_tenant(world.municipality)
    assert Session.objects.get(pk=s.pk).status == "recorded"


def test_support_person_sees_but_cannot_confirm(world, agreement, client_for):
    s = record(agreement, world.staff)
    client = client_for(MUNICIPALITY_A, user=world.supporter)
    assert client.get(f"/nodarbibas/{s.pk}/").status_code == 200
    client.post(f"/nodarbibas/{s.pk}/", {"action": "confirm"})
    connection.set_tenant(world.municipality)
    assert Session.objects.get(pk=s.pk).status == "recorded"


def test_family_pages_refuse_other_roles(world, client_for):
    officer = demo_user(Role.FINANCE_OFFICER, MUNICIPALITY_A)
    assert client_for(MUNICIPALITY_A, user=officer).get("/nodarbibas/").status_code == 403


# ----------------------------------------------------------------------------- finance officer
def test_finance_queue_and_approval(world, agreement, client_for, django_assert_max_num_queries):
    invoice = submitted_invoice(world, agreement)
    Invoice.objects.filter(pk=invoice.pk).update(submitted_at=invoice.submitted_at - dt.timedelta(days=14))
    officer = demo_user(Role.FINANCE_OFFICER, MUNICIPALITY_A)
    client = client_for(MUNICIPALITY_A, user=officer)
    with django_assert_max_num_queries(12):
        queue = client.get("/rekini/")
    body = queue.content.decode()
    assert queue.status_code == 200 and f"/rekini/{invoice.pk}/" in body and "portal-invoicing-overdue" in body
    with django_assert_max_num_queries(25):
        assert client.get(f"/rekini/{invoice.pk}/").status_code == 200
    assert client.get(f"/rekini/{invoice.pk}/pdf/").content.startswith(b"%PDF")
    assert client.post(f"/rekini/{invoice.pk}/", {"action": "approve"}).status_code == 302
    connection.set_tenant(world.municipality)
    assert Invoice.objects.get(pk=invoice.pk).status == "approved"


def test_finance_rejects_with_a_reason(world, agreement, client_for):
    invoice = submitted_invoice(world, agreement)
    client = client_for(MUNICIPALITY_A, user=demo_user(Role.FINANCE_OFFICER, MUNICIPALITY_A))
    assert client.post(f"/rekini/{invoice.pk}/", {"action": "reject", "reason": ""}).status_code == 400
    assert client.post(f"/rekini/{invoice.pk}/", {"action": "reject", "reason": "Kļūda"}).status_code == 302
    connection.set_tenant(world.municipality)
    assert Invoice.objects.get(pk=invoice.pk).rejection_reason == "Kļūda"


def test_only_the_finance_officer_decides_on_the_page(world, agreement, client_for):
    invoice = submitted_invoice(world, agreement)
    connection.set_tenant(world.municipality)
    audits = AuditEvent.objects.filter(object_type="invoicing.invoice").count()
    for user in (world.person_user, world.social_worker, world.admin):
        client = client_for(MUNICIPALITY_A, user=user)
        for data in ({"action": "approve"}, {"action": "reject", "reason": "Nē"}, {"action": "paid"}):
            assert client.post(f"/rekini/{invoice.pk}/", data).status_code == 403
    connection.set_tenant(world.municipality)
    assert Invoice.objects.get(pk=invoice.pk).status == "submitted"
    assert AuditEvent.objects.filter(object_type="invoicing.invoice").count() == audits


def test_finance_pages_tenancy_and_roles(world, agreement, client_for):
    invoice = submitted_invoice(world, agreement)
    officer_b = demo_user(Role.FINANCE_OFFICER, MUNICIPALITY_B)
    client_b = client_for(MUNICIPALITY_B, user=officer_b)
    assert client_b.get(f"/rekini/{invoice.pk}/").status_code == 404
    assert client_b.post(f"/rekini/{invoice.pk}/", {"action": "approve"}).status_code == 404
    assert client_b.get(f"/rekini/{invoice.pk}/pdf/").status_code == 404
    person = client_for(MUNICIPALITY_A, user=world.person_user)
    assert person.get("/rekini/").status_code == 403
    assert person.post(f"/rekini/{invoice.pk}/", {"action": "approve"}).status_code == 403
    connection.set_tenant(world.municipality)
    assert Invoice.objects.get(pk=invoice.pk).status == "submitted"
