"""Bank-file batches (pain.001.001.09 against the XSD sepaxml ships) and camt.053 statements."""

from __future__ import annotations

from decimal import Decimal

import pytest
from lxml import etree

from portal.marketplace.catalogue.models import Provider
from portal.marketplace.payments import bankfile, services, statements
from portal.marketplace.payments.errors import (
    BadIban,
    BatchWrongStatus,
    NotFinanceOfficer,
    NothingToBatch,
    StatementInvalid,
)
from portal.marketplace.payments.models import Account, MoneyEntry, Payment, PaymentBatch, ReconciliationAlert
from portal.marketplace.payments.reconciliation import reconcile

from .conftest import approved_invoice

pytestmark = pytest.mark.django_db
NS = {"p": bankfile.NS}


def waiting(world, n=2):
    invoices = [approved_invoice(world) for _ in range(n)]
    for invoice in invoices:
        services.payment_execute(payment_id=invoice.payment.pk)
    return invoices


def camt053(lines, *, version="08"):
    entries = "".join(f"""
      <Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{'CRDT' if returned else 'DBIT'}</CdtDbtInd>
        {'<RvslInd>true</RvslInd>' if returned else ''}<Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>2026-12-01</Dt></BookgDt>
        <NtryDtls><TxDtls><Refs><EndToEndId>{e2e}</EndToEndId></Refs><Amt Ccy="EUR">{amount}</Amt>
        </TxDtls></NtryDtls></Ntry>""" for e2e, amount, returned in lines)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version}"><BkToCstmrStmt>
  <GrpHdr><MsgId>S1</MsgId><CreDtTm>2026-12-01T10:00:00</CreDtTm></GrpHdr>
  <Stmt><Id>STMT-1</Id>{entries}</Stmt></BkToCstmrStmt></Document>""".encode()


def test_a_batch_holds_each_waiting_invoice_once_and_validates(world, officer):
    invoices = waiting(world)
    with pytest.raises(NotFinanceOfficer):
        bankfile.batch_create(actor=world.staff)
    batch = bankfile.batch_create(actor=officer, payment_ids=[i.payment.pk for i in invoices])
    data = bankfile.batch_export(batch=batch, actor=officer)
    bankfile.validate_pain001(data)
    document = etree.fromstring(data)
    ids = [e.text for e in document.iterfind(".//p:CdtTrfTxInf/p:PmtId/p:EndToEndId", NS)]
    assert sorted(ids) == sorted(i.display_number for i in invoices)
    assert document.findtext(".//p:GrpHdr/p:NbOfTxs", namespaces=NS) == "2"
    assert Decimal(document.findtext(".//p:GrpHdr/p:CtrlSum", namespaces=NS)) == batch.total
    assert etree.QName(document).namespace == "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"
    batch.refresh_from_db()
    assert batch.status == "exported"
    assert set(Payment.objects.filter(batch=batch).values_list("status", flat=True)) == {"sent"}
    assert bankfile.batch_export(batch=batch, actor=officer) == data  # the same file again, nothing new
    with pytest.raises(NothingToBatch):
        bankfile.batch_create(actor=officer, payment_ids=[i.payment.pk for i in invoices])
    bankfile.batch_confirm(batch=batch, actor=officer)
    assert set(Payment.objects.filter(batch=batch).values_list("status", flat=True)) == {"paid"}
    with pytest.raises(BatchWrongStatus):
        bankfile.batch_cancel(batch=batch, actor=officer)
    assert sum(services.account_balance(a) for a in Account.values) == Decimal("0.00")


def test_cancel_puts_the_payments_back_to_waiting(world, officer):
    invoices = waiting(world, 1)
    batch = bankfile.batch_create(actor=officer, payment_ids=[invoices[0].payment.pk])
    bankfile.batch_export(batch=batch, actor=officer)
    bankfile.batch_cancel(batch=batch, actor=officer)
    payment = Payment.objects.get(pk=invoices[0].payment.pk)
    assert payment.status == "waiting" and payment.batch is None and payment.reference == ""
    with pytest.raises(BatchWrongStatus):
        bankfile.batch_export(batch=batch, actor=officer)


def test_a_provider_without_a_valid_iban_is_refused_naming_the_invoice_and_nothing_is_written(world, officer):
    invoices = waiting(world)
    Provider.objects.filter(pk=world.provider.pk).update(iban="LV00BANK0000000000000")
    before = (PaymentBatch.objects.count(), MoneyEntry.objects.count(),
              list(Payment.objects.order_by("pk").values_list("status", "batch_id")))
    with pytest.raises(BadIban) as refused:
        bankfile.batch_create(actor=officer, payment_ids=[i.payment.pk for i in invoices])
    assert refused.value.code == "payment_batch.bad_iban"
    assert all(i.display_number in refused.value.message for i in invoices)
    assert before == (PaymentBatch.objects.count(), MoneyEntry.objects.count(),
                      list(Payment.objects.order_by("pk").values_list("status", "batch_id")))


def test_statement_matches_lists_unmatched_and_returned(world, officer):
    first, second = waiting(world)
    batch = bankfile.batch_create(actor=officer, payment_ids=[first.payment.pk, second.payment.pk])
    bankfile.batch_export(batch=batch, actor=officer)
    a, b = Payment.objects.get(pk=first.payment.pk), Payment.objects.get(pk=second.payment.pk)
    data = camt053([(a.reference, a.amount, False), (b.reference, b.amount, False), ("SBS-0-99999", "12.00", False)])
    result = statements.statement_import(data=data, actor=officer)
    assert [line.payment.pk for line in result.matched] == [a.pk, b.pk]
    assert [line.end_to_end_id for line in result.unmatched] == ["SBS-0-99999"]
    assert ReconciliationAlert.objects.filter(kind="unmatched", resolved_at__isnull=True).count() == 1
    first.refresh_from_db()
    assert first.status == "paid"
    again = statements.statement_import(data=data, actor=officer)  # the same statement twice: no new entries
    assert MoneyEntry.objects.filter(kind="pay").count() == 2 and len(again.matched) == 2
    returned = statements.statement_import(data=camt053([(a.reference, a.amount, True)]), actor=officer)
    assert [line.payment.pk for line in returned.returned] == [a.pk]
    assert Payment.objects.get(pk=a.pk).status == "returned"


@pytest.mark.parametrize("data", [b"", b"not xml", b"<?xml version='1.0'?><x/>",
                                  b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"/>'])
def test_a_statement_in_the_wrong_format_is_refused_and_changes_nothing(world, officer, data):
    invoices = waiting(world, 1)
    before = list(Payment.objects.values_list("pk", "status")), MoneyEntry.objects.count()
    with pytest.raises(StatementInvalid) as refused:
        statements.statement_import(data=data, actor=officer)
    assert refused.value.code == "statement.invalid" and refused.value.field == "file"
    assert before == (list(Payment.objects.values_list("pk", "status")), MoneyEntry.objects.count())
    assert invoices[0].payment.pk


def test_reconciliation_lists_paid_not_approved_and_overdrawn(world, officer):
    from portal.marketplace.invoicing.models import Invoice

    invoice = approved_invoice(world)
    services.payment_mark_paid(invoice=invoice, actor=officer)
    Invoice.objects.filter(pk=invoice.pk).update(status="rejected")
    result = reconcile()
    kinds = set(ReconciliationAlert.objects.filter(resolved_at__isnull=True).values_list("kind", flat=True))
    assert "paid_not_approved" in kinds and result["new"] >= 1
    assert ("overdrawn" in kinds) == (services.account_balance(Account.FUNDING) < 0)
    Invoice.objects.filter(pk=invoice.pk).update(status="paid")
    assert reconcile()["resolved"] >= 1
    assert not ReconciliationAlert.objects.filter(kind="paid_not_approved", resolved_at__isnull=True).exists()


def test_the_demo_loader_leaves_a_confirmed_an_exported_batch_and_a_waiting_payment(world, muni_a):
    from portal.demo import payments as demo

    for _ in range(4):
        approved_invoice(world)
    demo.load(muni_a, None)
    assert sorted(PaymentBatch.objects.values_list("status", flat=True)) == ["confirmed", "exported"]
    assert Payment.objects.filter(status="waiting", batch__isnull=True).exists()
    assert Payment.objects.filter(status="paid").exists() and Payment.objects.filter(status="sent").exists()
    assert sum(services.account_balance(a) for a in Account.values) == Decimal("0.00")
