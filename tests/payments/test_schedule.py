"""The expected payment date: Stripe at once, the bank file by the municipality's payment run, Latvian public
holidays and weekends not business days; shown to the finance officer, the provider and in the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from portal.marketplace.payments import schedule, services
from portal.marketplace.payments.models import Payment, PaymentSettings
from tests.conftest import MUNICIPALITY_A

from .conftest import approved_invoice

D = dt.date


def rules(weekday=None, days=10):
    return PaymentSettings(payment_weekday=weekday, business_days_after_approval=days)


def test_business_days_skip_weekends_and_latvian_holidays():
    assert schedule.add_business_days(D(2026, 11, 17), 1) == D(2026, 11, 19)  # 18 November: Proclamation Day
    assert schedule.add_business_days(D(2026, 12, 23), 3) == D(2026, 12, 30)  # 24–26 Dec holidays, 27–28 weekend
    assert schedule.add_business_days(D(2026, 6, 19), 1) == D(2026, 6, 25)  # 22 (moved day off), 23, 24 June
    assert schedule.add_business_days(D(2026, 12, 1), 10) == D(2026, 12, 15)  # the default: two working weeks
    assert schedule.bank_run_date(D(2026, 11, 17), rules(weekday=2)) == D(2026, 11, 19)  # run moved off a holiday
    assert schedule.bank_run_date(D(2026, 11, 25), rules(weekday=2)) == D(2026, 12, 2)  # approved on the run's day
    assert schedule.bank_run_date(D(2026, 11, 27), rules(weekday=0)) == D(2026, 11, 30)
    assert schedule.bank_run_date(D(2026, 12, 1), rules(days=0)) == D(2026, 12, 1)


@pytest.mark.django_db
def test_expected_dates_by_rail_and_status(world, officer):
    invoice = approved_invoice(world)
    payment = services.payment_execute(payment_id=invoice.payment.pk)  # the bank rail: waiting for the run
    today = timezone.localdate()
    assert schedule.expected_date(payment) == schedule.add_business_days(today, 10)
    services.payment_settings_update(actor=officer, rail="bank_file", debtor_iban=PaymentSettings.current().debtor_iban,
                                     payment_weekday="1", business_days_after_approval="")
    assert schedule.expected_date(payment) == schedule.bank_run_date(today, PaymentSettings.current())
    stripe = Payment(rail="stripe", status="requested", requested_at=timezone.now())
    assert schedule.expected_date(stripe) == today  # at once when approved
    stripe.status, stripe.sent_at = "sent", timezone.now() - dt.timedelta(days=3)
    assert schedule.expected_date(stripe) == timezone.localdate(stripe.sent_at)
    stripe.status = "waiting"
    assert schedule.expected_date(stripe) is None  # not ready or balance low: no day can be promised
    paid = services.payment_mark_paid(invoice=invoice, actor=officer)
    assert schedule.expected_date(paid) == timezone.localdate(paid.settled_at)


@pytest.mark.django_db
def test_finance_sets_the_run_and_sees_expected_dates_provider_and_api_too(world, officer, client_for,
                                                                           django_assert_max_num_queries,
                                                                           django_capture_on_commit_callbacks):
    invoice = approved_invoice(world)
    services.payment_execute(payment_id=invoice.payment.pk)
    client = client_for(MUNICIPALITY_A, user=officer, language="en")
    before = PaymentSettings.current()
    form = {"rail": "bank_file", "debtor_name": before.debtor_name, "debtor_iban": before.debtor_iban,
            "debtor_bic": "", "payment_weekday": "", "business_days_after_approval": "61"}
    bad = client.post("/maksajumi/iestatijumi/", form)
    assert bad.status_code == 400 and 'id="id_business_days_after_approval-error"' in bad.content.decode()
    assert PaymentSettings.current().business_days_after_approval == 10
    bad = client.post("/maksajumi/iestatijumi/", {**form, "payment_weekday": "6", "business_days_after_approval": ""})
    assert bad.status_code == 400 and PaymentSettings.current().payment_weekday is None
    assert client.post("/maksajumi/iestatijumi/", {**form, "business_days_after_approval": "5"}).status_code == 302
    assert PaymentSettings.current().business_days_after_approval == 5
    expected = schedule.add_business_days(timezone.localdate(), 5)
    with django_assert_max_num_queries(20):
        page = client.get("/maksajumi/").content.decode()
    assert expected.strftime("%d.%m.%Y") in page and "5 business days after approval" in page
    api = client.get(f"/api/v1/payments/{invoice.payment.pk}/").json()
    assert api["expected_date"] == expected.isoformat()
    # the provider's page across municipalities reads the index, synced on the next change of the payment
    with django_capture_on_commit_callbacks(execute=True):
        services.payment_settle(idempotency_key=invoice.payment.idempotency_key, outcome="sent")
    provider = client_for(None, user=world.staff, language="en")
    body = provider.get("/sniedzejs/maksajumi/").content.decode()
    assert invoice.display_number in body and "at once when the invoice is approved" in body
    rows = provider.get("/api/v1/provider/payments/").json()["results"]
    assert [r["expected_date"] for r in rows if r["invoice_id"] == invoice.pk] == [expected.isoformat()]
