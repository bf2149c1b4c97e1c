"""Pages and API: the finance officer's, the family's and the provider's views; tenancy, roles, bad input,
query counts."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.html import strip_tags

from portal.marketplace.payments import bankfile, services
from portal.marketplace.payments.models import MoneyEntry, Payment, PaymentBatch
from portal.tenants.roles import Role
from tests.conftest import MUNICIPALITY_A, MUNICIPALITY_B, demo_user

from .conftest import approved_invoice
from .test_bankfile import camt053

pytestmark = pytest.mark.django_db

FINANCE_PAGES = ["/maksajumi/", "/maksajumi/paketes/", "/maksajumi/izraksts/", "/maksajumi/saskanosana/",
                 "/maksajumi/finansejums/", "/maksajumi/iestatijumi/"]


@pytest.fixture
def exported(world, officer):
    invoice = approved_invoice(world)
    services.payment_execute(payment_id=invoice.payment.pk)
    batch = bankfile.batch_create(actor=officer, payment_ids=[invoice.payment.pk])
    bankfile.batch_export(batch=batch, actor=officer)
    return invoice, batch


def test_finance_pages_show_the_payment_and_batch(world, officer, exported, client_for,
                                                  django_assert_max_num_queries):
    invoice, batch = exported
    client = client_for(MUNICIPALITY_A, user=officer)
    for url in FINANCE_PAGES + [f"/maksajumi/paketes/{batch.pk}/"]:
        with django_assert_max_num_queries(20):
            response = client.get(url)
        assert response.status_code == 200, url
    assert invoice.display_number in client.get("/maksajumi/").content.decode()
    body = client.get(f"/maksajumi/paketes/{batch.pk}/").content.decode()
    assert invoice.display_number in body and "pain001.xml" in body  # exported: the file is a plain link
    file = client.get(f"/maksajumi/paketes/{batch.pk}/pain001.xml")
    assert file.status_code == 200 and file["Content-Type"] == "application/xml"
    bankfile.validate_pain001(file.content)
    response = client.post(f"/maksajumi/paketes/{batch.pk}/", {"action": "confirm"})
    assert response.status_code == 302
    assert Payment.objects.get(pk=invoice.payment.pk).status == "paid"


def test_the_other_municipalitys_host_finds_nothing(world, officer, exported, client_for):
    invoice, batch = exported
    other = client_for(MUNICIPALITY_B, user=demo_user(Role.FINANCE_OFFICER, MUNICIPALITY_B))
    for url in FINANCE_PAGES:
        response = other.get(url)
        assert response.status_code == 200 and invoice.display_number not in response.content.decode()
    assert other.get(f"/maksajumi/paketes/{batch.pk}/").status_code == 404
    assert other.get(f"/maksajumi/paketes/{batch.pk}/pain001.xml").status_code == 404
    assert other.post(f"/maksajumi/{invoice.payment.pk}/atkartot/").status_code == 404
    assert other.get(f"/api/v1/payments/{invoice.payment.pk}/").status_code == 404
    assert other.get(f"/api/v1/payments/batches/{batch.pk}/pain001.xml").status_code == 404
    assert other.post(f"/api/v1/payments/{invoice.payment.pk}/retry/").status_code == 404
    listed = other.get("/api/v1/payments/").json()["results"]
    assert invoice.payment.pk not in [p["id"] for p in listed]
    # A's finance officer on B's host holds no role there
    assert client_for(MUNICIPALITY_B, user=officer).get("/maksajumi/").status_code == 403


@pytest.mark.parametrize("role", [Role.SOCIAL_WORKER, Role.PERSON, Role.PROVIDER_STAFF, Role.MUNICIPALITY_ADMIN])
def test_other_roles_are_refused_the_finance_pages_and_endpoints(world, exported, client_for, role):
    _invoice, batch = exported
    client = client_for(MUNICIPALITY_A, user=demo_user(role, MUNICIPALITY_A))
    for url in FINANCE_PAGES + [f"/maksajumi/paketes/{batch.pk}/"]:
        assert client.get(url).status_code == 403, url
    assert client.get("/api/v1/payments/batches/").status_code == 403
    assert client.get(f"/api/v1/payments/batches/{batch.pk}/pain001.xml").status_code == 403
    assert client.post("/api/v1/payments/batches/", {}, content_type="application/json").status_code == 403


def test_api_batch_create_file_and_bad_iban(world, officer, client_for, django_assert_max_num_queries):
    from portal.marketplace.catalogue.models import Provider

    invoice = approved_invoice(world)
    services.payment_execute(payment_id=invoice.payment.pk)
    client = client_for(MUNICIPALITY_A, user=officer)
    Provider.objects.filter(pk=world.provider.pk).update(iban="LV00XXXX")
    before = PaymentBatch.objects.count(), list(Payment.objects.values_list("pk", "status", "batch_id"))
    refused = client.post("/api/v1/payments/batches/", {"payment_ids": [invoice.payment.pk]},
                          content_type="application/json")
    assert refused.status_code == 400 and refused.json()["code"] == "payment_batch.bad_iban"
    assert invoice.display_number in refused.json()["detail"]
    assert before == (PaymentBatch.objects.count(), list(Payment.objects.values_list("pk", "status", "batch_id")))
    Provider.objects.filter(pk=world.provider.pk).update(iban="LV48HABA0000435195001")
    created = client.post("/api/v1/payments/batches/", {"payment_ids": [invoice.payment.pk]},
                          content_type="application/json")
    assert created.status_code == 201 and created.json()["count"] == 1
    with django_assert_max_num_queries(15):
        file = client.get(f"/api/v1/payments/batches/{created.json()['id']}/pain001.xml")
    assert file.status_code == 200 and invoice.display_number.encode() in file.content
    with django_assert_max_num_queries(11):  # +1: the payment run for the expected dates
        listed = client.get("/api/v1/payments/?status=sent").json()
    assert invoice.payment.pk in [p["id"] for p in listed["results"]]
    assert client.get("/api/v1/payments/batches/").json()["count"] >= 1


def test_api_statement_refuses_a_wrong_format_and_imports_a_camt053(world, officer, exported, client_for):
    invoice, _batch = exported
    client = client_for(MUNICIPALITY_A, user=officer)
    entries = MoneyEntry.objects.count()
    bad = client.post("/api/v1/payments/statements/",
                      {"file": SimpleUploadedFile("x.xml", b"<Document xmlns='urn:other'/>")})
    assert bad.status_code == 400 and bad.json()["code"] == "statement.invalid"
    assert MoneyEntry.objects.count() == entries
    payment = Payment.objects.get(pk=invoice.payment.pk)
    good = client.post("/api/v1/payments/statements/", {"file": SimpleUploadedFile(
        "s.xml", camt053([(payment.reference, payment.amount, False), ("NOPE-1", "3.00", False)]))})
    assert good.status_code == 200
    assert [m["payment"] for m in good.json()["matched"]] == [payment.pk]
    assert [u["end_to_end_id"] for u in good.json()["unmatched"]] == ["NOPE-1"]


def test_statement_page_shows_the_error_next_to_the_file(world, officer, client_for):
    client = client_for(MUNICIPALITY_A, user=officer)
    response = client.post("/maksajumi/izraksts/", {"file": SimpleUploadedFile("x.txt", b"hello")})
    assert response.status_code == 400 and "govuk-error-message" in response.content.decode()


def test_funding_page_and_api(world, officer, client_for):
    client = client_for(MUNICIPALITY_A, user=officer)
    entries = MoneyEntry.objects.count()
    response = client.post("/maksajumi/finansejums/", {"amount": "abc"})
    assert response.status_code == 400 and MoneyEntry.objects.count() == entries
    assert client.post("/maksajumi/finansejums/", {"amount": "250.00"}).status_code == 302
    api = client.post("/api/v1/payments/funding/", {"amount": "-5"}, content_type="application/json")
    assert api.status_code == 400 and MoneyEntry.objects.count() == entries + 1
    data = client.post("/api/v1/payments/funding/", {"amount": "100.00"}, content_type="application/json").json()
    assert data["topped_up"] >= "350.00" or float(data["topped_up"]) >= 350


def test_retry_page_and_api(world, officer, client_for):
    invoice = approved_invoice(world)
    services.payment_execute(payment_id=invoice.payment.pk)
    client = client_for(MUNICIPALITY_A, user=officer)
    assert client.post(f"/maksajumi/{invoice.payment.pk}/atkartot/").status_code == 302
    assert Payment.objects.get(pk=invoice.payment.pk).status == "requested"
    again = client.post(f"/api/v1/payments/{invoice.payment.pk}/retry/")
    assert again.status_code == 409 and again.json()["code"] == "payment.wrong_status"


def test_the_person_sees_only_their_payments(world, officer, client_for, django_assert_max_num_queries):
    invoice = approved_invoice(world)
    mine = client_for(MUNICIPALITY_A, user=world.person_user)
    with django_assert_max_num_queries(15):
        body = mine.get("/budzets/samaksats/").content.decode()
    assert invoice.display_number in body
    assert invoice.payment.pk in [p["id"] for p in mine.get("/api/v1/payments/mine/").json()["results"]]
    other_family = client_for(MUNICIPALITY_A, user=world.representative)  # acts for the child, not the adult
    response = other_family.get("/budzets/samaksats/")
    assert response.status_code == 200 and invoice.display_number not in response.content.decode()
    assert client_for(MUNICIPALITY_B, user=demo_user(Role.PERSON, MUNICIPALITY_B)).get(
        "/api/v1/payments/mine/").status_code == 200
    assert client_for(MUNICIPALITY_A, user=officer).get("/budzets/samaksats/").status_code == 403


def test_the_provider_sees_its_payments_everywhere_and_no_one_elses(world, officer, client_for,
                                                                    django_capture_on_commit_callbacks,
                                                                    django_assert_max_num_queries):
    with django_capture_on_commit_callbacks(execute=True):
        invoice = approved_invoice(world)
    client = client_for(None, user=world.staff)
    with django_assert_max_num_queries(15):
        body = client.get("/sniedzejs/maksajumi/").content.decode()
    assert invoice.display_number in body
    rows = client.get("/api/v1/provider/payments/").json()["results"]
    assert [r["invoice_id"] for r in rows if r["invoice_number"] == invoice.display_number] == [invoice.pk]
    from tests.factories import make_provider, own_staff_user

    other = client_for(None, user=own_staff_user(make_provider(name="Cits SIA")))
    assert invoice.display_number not in other.get("/sniedzejs/maksajumi/").content.decode()
    assert client_for(MUNICIPALITY_A, user=world.staff).get("/sniedzejs/maksajumi/").status_code == 404


def test_the_endpoints_are_in_each_sites_openapi_schema(client_for):
    municipal = client_for(MUNICIPALITY_A).get("/api/schema/?format=json").json()["paths"]
    for path in ("/api/v1/payments/", "/api/v1/payments/{payment_id}/", "/api/v1/payments/{payment_id}/retry/",
                 "/api/v1/payments/batches/", "/api/v1/payments/batches/{batch_id}/pain001.xml",
                 "/api/v1/payments/statements/", "/api/v1/payments/funding/"):
        assert path in municipal, path
    national = client_for(None).get("/api/schema/?format=json").json()["paths"]
    assert "/api/v1/provider/payments/" in national and "/api/v1/payments/" not in national


def test_the_finance_dashboard_links_the_treasury_export_and_shows_the_alerts(officer, client_for,
                                                                            django_assert_max_num_queries):
    from portal.marketplace.payments.models import ReconciliationAlert

    ReconciliationAlert.objects.create(kind="unmatched", key="test:dashboard", detail="X-1 12.00 EUR")
    open_alerts = ReconciliationAlert.objects.filter(resolved_at__isnull=True).count()
    # Signing in (now two steps: the staff's second factor) is not the page's cost: the page is 10 queries —
    # host, session, user, roles; the to-do list (rules, waiting invoices); the payments card (alerts, funding).
    client = client_for(MUNICIPALITY_A, user=officer)
    with django_assert_max_num_queries(12):
        body = client.get("/panelis/").content.decode()
    assert "/maksajumi/paketes/" in body and "/maksajumi/finansejums/" in body
    assert f'data-reconciliation-alerts="{open_alerts}"' in body
    social = client_for(MUNICIPALITY_A, user=demo_user(Role.SOCIAL_WORKER, MUNICIPALITY_A)).get("/panelis/")
    assert "data-money" not in social.content.decode()


def test_api_cancel_then_confirm_is_refused(world, officer, exported, client_for):
    invoice, batch = exported
    client = client_for(MUNICIPALITY_A, user=officer)
    cancelled = client.post(f"/api/v1/payments/batches/{batch.pk}/cancel/")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    refused = client.post(f"/api/v1/payments/batches/{batch.pk}/confirm/")
    assert refused.status_code == 409 and refused.json()["code"] == "payment_batch.wrong_status"
    assert Payment.objects.get(pk=invoice.payment.pk).status == "waiting"


def test_a_draft_batch_is_exported_by_the_post_not_by_a_link(world, officer, client_for):
    invoice = approved_invoice(world)
    services.payment_execute(payment_id=invoice.payment.pk)
    batch = bankfile.batch_create(actor=officer, payment_ids=[invoice.payment.pk])
    client = client_for(MUNICIPALITY_A, user=officer)
    assert client.get(f"/maksajumi/paketes/{batch.pk}/pain001.xml").status_code == 302
    assert PaymentBatch.objects.get(pk=batch.pk).status == "draft"
    file = client.post(f"/maksajumi/paketes/{batch.pk}/", {"action": "export"})
    assert file.status_code == 200 and file["Content-Type"] == "application/xml"
    bankfile.validate_pain001(file.content)
    assert PaymentBatch.objects.get(pk=batch.pk).status == "exported"
    assert Payment.objects.get(pk=invoice.payment.pk).status == "sent"


def test_settings_page_changes_the_rail_and_refuses_a_bad_iban(world, officer, client_for):
    from portal.marketplace.payments.models import PaymentSettings

    client = client_for(MUNICIPALITY_A, user=officer)
    assert client.get("/maksajumi/iestatijumi/").status_code == 200
    bad = client.post("/maksajumi/iestatijumi/", {"rail": "stripe", "debtor_iban": "LV00TREL1"})
    assert bad.status_code == 400 and "govuk-error-message" in bad.content.decode()
    assert PaymentSettings.current().rail == "bank_file"
    ok = client.post("/maksajumi/iestatijumi/", {"rail": "stripe", "debtor_iban": "LV34 TREL 9999 9999 9999 9"})
    assert ok.status_code == 302
    assert (PaymentSettings.current().rail, PaymentSettings.current().debtor_iban) == ("stripe",
                                                                                       "LV34TREL9999999999999")
    assert client_for(MUNICIPALITY_A, user=world.social_worker).get("/maksajumi/iestatijumi/").status_code == 403


def test_the_finance_officers_invoices_and_payments_show_latvian_dates(world, officer, exported, client_for):
    """One date format per context (issue 10, "Language"): dd.mm.yyyy in the invoicing and payments tables,
    as on the family's and staff's pages, never the ISO form."""
    invoice, batch = exported
    client = client_for(MUNICIPALITY_A, user=officer, language="lv")
    pages = {"/rekini/?status=all": invoice.submitted_at, "/maksajumi/paketes/": batch.created_at,
             f"/rekini/{invoice.pk}/": None, "/maksajumi/": None}
    for url, when in pages.items():
        body = client.get(url).content.decode()
        text = strip_tags(body[body.find("<main"):body.find("</main>")])
        assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", text), url
        assert re.search(r"\b\d{2}\.\d{2}\.\d{4}\b", text), url
        if when:
            assert timezone.localtime(when).strftime("%d.%m.%Y") in text, url
