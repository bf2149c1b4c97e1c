"""A paid invoice cancelled afterwards: the invoice rejected with the reason, its budget share back in the
agreement's reservation, the payment reversed (Stripe, once per key) or to be recovered (bank), and the money
entries paid → payable → funding balancing to the cent."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from portal.budgets.ledger.models import BudgetCategory, LedgerEntry
from portal.budgets.ledger.services import reservation_remaining
from portal.marketplace.invoicing.invoices import invoice_approve, invoice_create, invoice_submit
from portal.marketplace.invoicing.models import Invoice
from portal.marketplace.payments import services
from portal.marketplace.payments.errors import PaymentWrongStatus, ReversalInvalid, ReversalRefused
from portal.marketplace.payments.models import Account, MoneyEntry, Payment, PaymentSettings
from portal.marketplace.stripe_connect.models import ConnectAccount
from portal.tenants.roles import Role
from tests.conftest import MUNICIPALITY_A, MUNICIPALITY_B, demo_user
from tests.invoicing.conftest import today
from tests.stripe_connect.conftest import deliver, standin  # noqa: F401 - fixtures

from .conftest import approved_invoice

pytestmark = pytest.mark.django_db


def balances():
    return {a: services.account_balance(a) for a in Account.values}


def paid_by_bank(world, officer):
    invoice = approved_invoice(world)
    services.payment_mark_paid(invoice=invoice, actor=officer)
    return Payment.objects.select_related("invoice__agreement").get(invoice=invoice)


def paid_by_stripe(world, standin):  # noqa: F811
    rules = PaymentSettings.current()
    rules.rail = "stripe"
    rules.save()
    account = standin._account_create({"email": "x@example.lv"})
    account["payouts_enabled"] = True
    ConnectAccount.objects.create(provider=world.provider, account_id=account["id"], details_submitted=True,
                                  payouts_enabled=True)
    invoice = approved_invoice(world)
    payment = services.payment_execute(payment_id=invoice.payment.pk)
    assert payment.status == "sent" and payment.reference.startswith("tr_")
    return services.payment_settle(idempotency_key=payment.idempotency_key, outcome="paid")


def test_bank_payment_cancelled_is_to_recover_then_recovered_with_entries_that_balance(world, officer):
    payment = paid_by_bank(world, officer)
    invoice, reservation = payment.invoice, payment.invoice.agreement.reservation
    category = BudgetCategory.objects.get(pk=reservation.category_id)
    before_remaining, spent_before = reservation_remaining(reservation), category.spent
    funding_before = services.account_balance(Account.FUNDING)

    payment = services.payment_reverse(payment=payment, reason="Sessions invoiced twice", actor=officer)
    assert payment.status == "to_recover" and payment.reversal_reason == "Sessions invoiced twice"
    invoice.refresh_from_db()
    assert invoice.status == "rejected" and invoice.rejection_reason == "Sessions invoiced twice"
    assert not invoice.lines.filter(live=True).exists()  # the sessions may be invoiced again, corrected
    # the budget share is back in the agreement's reservation, through the ledger (one refund entry)
    refund = LedgerEntry.objects.get(kind="refund", reservation=reservation)
    assert refund.amount == invoice.budget_amount
    category.refresh_from_db()
    assert category.spent == spent_before - invoice.budget_amount
    assert reservation_remaining(reservation) == before_remaining + invoice.budget_amount
    # bank: the money is with the provider until recovered — nothing on the money side yet
    assert not payment.entries.filter(kind="reverse").exists()
    with pytest.raises(PaymentWrongStatus):
        services.payment_reverse(payment=payment, reason="again", actor=officer)

    payment = services.payment_recovered(payment=payment, actor=officer)
    assert payment.status == "reversed"
    assert list(payment.entries.filter(kind="reverse").values_list("debit", "credit", "amount")) == [
        ("payable", "paid", payment.amount), ("funding", "payable", payment.amount)]
    assert services.account_balance(Account.FUNDING) == funding_before + payment.amount
    totals = balances()
    assert sum(totals.values()) == 0 and totals["paid"] == 0 and totals["payable"] == 0
    with pytest.raises(PaymentWrongStatus):
        services.payment_recovered(payment=payment, actor=officer)

    # the corrected invoice: the same sessions, posted from the reservation again, paid once more
    again = invoice_create(agreement=invoice.agreement, year=today().year, month=today().month, actor=world.staff)
    again = invoice_approve(invoice=invoice_submit(invoice=again, actor=world.staff), actor=officer)
    assert again.status == "approved" and again.budget_amount == invoice.budget_amount
    assert Payment.objects.filter(invoice=again).count() == 1


def test_refused_reversals_write_nothing(world, officer):
    payment = paid_by_bank(world, officer)
    counts = (MoneyEntry.objects.count(), LedgerEntry.objects.count())
    with pytest.raises(ReversalInvalid) as error:
        services.payment_reverse(payment=payment, reason="  ", actor=officer)
    assert error.value.code == "payment_reversal.invalid" and error.value.field == "reason"
    social_worker = demo_user(Role.SOCIAL_WORKER, world.municipality.code)
    with pytest.raises(Exception) as refused:
        services.payment_reverse(payment=payment, reason="x", actor=social_worker)
    assert refused.value.code == "payment.not_finance_officer"
    assert (MoneyEntry.objects.count(), LedgerEntry.objects.count()) == counts
    assert Payment.objects.get(pk=payment.pk).status == "paid"
    assert Invoice.objects.get(pk=payment.invoice_id).status == "paid"


def test_stripe_reversal_is_one_reversal_whatever_is_retried(world, officer, standin, deliver):  # noqa: F811
    payment = paid_by_stripe(world, standin)
    transfer_id = payment.reference
    funding_before = services.account_balance(Account.FUNDING)

    # a first attempt whose transaction is rolled back after Stripe reversed (e.g. the commit failed)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.payment_reverse(payment=payment, reason="Wrong month", actor=officer)
        raise RuntimeError("the commit never happened")
    assert Payment.objects.get(pk=payment.pk).status == "paid"
    # the retry: Stripe replays the first reversal under the payment's reversal key — still one reversal
    payment = services.payment_reverse(payment=payment, reason="Wrong month", actor=officer)
    transfer = standin.transfers[transfer_id]
    assert len(transfer["reversals"]["data"]) == 1 and transfer["amount_reversed"] == transfer["amount"]
    assert standin.count("POST", f"/v1/transfers/{transfer_id}/reversals") == 2
    assert payment.status == "reversed" and payment.reversal_reference == transfer["reversals"]["data"][0]["id"]
    assert services.account_balance(Account.FUNDING) == funding_before + payment.amount
    assert sum(balances().values()) == 0 and balances()["paid"] == 0
    # Stripe's transfer.reversed arrives: the reversal is already ours, nothing changes
    for event in [e for e in standin.events if e["type"] == "transfer.reversed"]:
        assert deliver(event).status_code == 200
    connection.set_tenant(world.municipality)
    payment.refresh_from_db()
    assert payment.status == "reversed" and Invoice.objects.get(pk=payment.invoice_id).status == "rejected"
    assert payment.entries.filter(kind="reverse").count() == 2 and not payment.entries.filter(kind="return").exists()


def test_stripe_refusing_the_reversal_writes_nothing(world, officer, standin):  # noqa: F811
    payment = paid_by_stripe(world, standin)
    standin.transfers[payment.reference]["amount_reversed"] = standin.transfers[payment.reference]["amount"]
    counts = (MoneyEntry.objects.count(), LedgerEntry.objects.count())
    with pytest.raises(ReversalRefused) as error:
        services.payment_reverse(payment=payment, reason="Wrong month", actor=officer)
    assert error.value.code == "payment_reversal.refused" and "unreversed" in error.value.message
    assert (MoneyEntry.objects.count(), LedgerEntry.objects.count()) == counts
    assert Invoice.objects.get(pk=payment.invoice_id).status == "paid"


def test_page_and_api(world, officer, client_for, django_assert_max_num_queries):
    payment = paid_by_bank(world, officer)
    client = client_for(MUNICIPALITY_A, user=officer, language="en")
    assert f"/maksajumi/{payment.pk}/atsaukt/" in client.get("/maksajumi/").content.decode()
    with django_assert_max_num_queries(20):
        page = client.get(f"/maksajumi/{payment.pk}/atsaukt/")
    assert page.status_code == 200 and "recovered from the provider" in page.content.decode()
    bad = client.post(f"/maksajumi/{payment.pk}/atsaukt/", {"reason": ""})
    assert bad.status_code == 400 and 'id="id_reason-error"' in bad.content.decode()
    assert Payment.objects.get(pk=payment.pk).status == "paid"
    # the API: bad input is a stable code and writes nothing
    response = client.post(f"/api/v1/payments/{payment.pk}/reverse/", {"reason": ""}, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "payment_reversal.invalid"
    assert Payment.objects.get(pk=payment.pk).status == "paid"
    # another municipality's host finds nothing; other roles are refused
    other = client_for(MUNICIPALITY_B, user=demo_user(Role.FINANCE_OFFICER, MUNICIPALITY_B))
    assert other.get(f"/maksajumi/{payment.pk}/atsaukt/").status_code == 404
    assert other.post(f"/api/v1/payments/{payment.pk}/reverse/", {"reason": "x"},
                      content_type="application/json").status_code == 404
    worker = client_for(MUNICIPALITY_A, user=demo_user(Role.SOCIAL_WORKER, MUNICIPALITY_A))
    assert worker.post(f"/maksajumi/{payment.pk}/atsaukt/", {"reason": "x"}).status_code == 403
    assert worker.post(f"/api/v1/payments/{payment.pk}/reverse/", {"reason": "x"},
                       content_type="application/json").status_code == 403
    # the page does it
    response = client.post(f"/maksajumi/{payment.pk}/atsaukt/", {"reason": "Invoiced twice"})
    assert response.status_code == 302 and Payment.objects.get(pk=payment.pk).status == "to_recover"
    # recovered through the API
    response = client.post(f"/api/v1/payments/{payment.pk}/recovered/")
    assert response.status_code == 200 and response.json()["status"] == "reversed"
    assert response.json()["reversal_reason"] == "Invoiced twice"
    again = client.post(f"/api/v1/payments/{payment.pk}/reverse/", {"reason": "x"}, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "payment.wrong_status"


def test_recovered_on_the_page_flashes_the_domain_error_then_the_outcome(world, officer, client_for):
    payment = paid_by_bank(world, officer)
    client = client_for(MUNICIPALITY_A, user=officer, language="en")
    # not yet cancelled: the domain error is flashed and nothing changes
    response = client.post(f"/maksajumi/{payment.pk}/atgutsts/")
    assert response.status_code == 302 and response["Location"] == "/maksajumi/"
    assert Payment.objects.get(pk=payment.pk).status == "paid"
    listed = client.get("/maksajumi/").content.decode()
    assert "there is nothing to recover." in listed and "recorded as recovered" not in listed
    services.payment_reverse(payment=payment, reason="Invoiced twice", actor=officer)
    response = client.post(f"/maksajumi/{payment.pk}/atgutsts/")
    assert response.status_code == 302 and Payment.objects.get(pk=payment.pk).status == "reversed"
    assert "The money is recorded as recovered and back in the funding." in client.get("/maksajumi/").content.decode()
