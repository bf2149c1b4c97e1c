"""Bank statements (camt.053, any 001.xx version): confirm payments by their end-to-end ids.

Parsed with lxml (no well-kept camt library is published; the message is plain ISO 20022 XML). Each entry
(``Ntry``) with transaction details gives one line: a debit whose end-to-end id is a payment's reference is
that payment paid (through ``payment_settle``, so the money entries and the invoice follow); a reversal or a
credit with return information marks it returned; anything else is listed as unmatched and raises an alert.
A file that is not a camt.053 statement is refused before anything is written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from portal.marketplace.invoicing.access import is_finance_here
from portal.platform.core.models import AuditEvent, audit
from portal.platform.core.money import to_money

from . import errors
from .models import Payment, PaymentStatus, ReconciliationAlert
from .services import payment_settle

NS_PREFIX = "urn:iso:std:iso:20022:tech:xsd:camt.053.001."
MAX_BYTES = 20 * 1024 * 1024


@dataclass
class StatementLine:
    end_to_end_id: str
    amount: Decimal
    debit: bool
    returned: bool
    booked: dt.date | None
    payment: Payment | None = None
    note: str = ""


@dataclass
class StatementResult:
    statement_id: str = ""
    matched: list[StatementLine] = field(default_factory=list)
    returned: list[StatementLine] = field(default_factory=list)
    unmatched: list[StatementLine] = field(default_factory=list)


def _text(element, path: str, ns: dict) -> str:
    found = element.find(path, ns)
    return (found.text or "").strip() if found is not None else ""


def parse_camt053(data: bytes) -> tuple[str, list[StatementLine]]:
    if not data or len(data) > MAX_BYTES:
        raise errors.StatementInvalid(_("Choose a camt.053 bank statement (an XML file)."), field="file")
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        raise errors.StatementInvalid(_("The file is not a camt.053 bank statement: it is not XML."),
                                      field="file") from None
    namespace = etree.QName(root).namespace or ""
    if etree.QName(root).localname != "Document" or not namespace.startswith(NS_PREFIX):
        raise errors.StatementInvalid(_("The file is not a camt.053 bank statement (it is %(kind)s).")
                                      % {"kind": namespace.rsplit(":", 1)[-1] or etree.QName(root).localname},
                                      field="file")
    ns = {"c": namespace}
    statements = root.findall("c:BkToCstmrStmt/c:Stmt", ns)
    if not statements:
        raise errors.StatementInvalid(_("The statement has no account statement in it."), field="file")
    lines = []
    for statement in statements:
        for entry in statement.findall("c:Ntry", ns):
            debit = _text(entry, "c:CdtDbtInd", ns) == "DBIT"
            reversal = _text(entry, "c:RvslInd", ns).lower() == "true"
            booked = _text(entry, "c:BookgDt/c:Dt", ns) or _text(entry, "c:BookgDt/c:DtTm", ns)[:10]
            try:
                booked_date = dt.date.fromisoformat(booked) if booked else None
            except ValueError:
                booked_date = None
            details = entry.findall("c:NtryDtls/c:TxDtls", ns) or [entry]
            for tx in details:
                raw = _text(tx, "c:Amt", ns) or _text(entry, "c:Amt", ns)
                try:
                    amount = to_money(Decimal(raw))
                except (InvalidOperation, ValueError):
                    raise errors.StatementInvalid(_("A statement line has no valid amount."), field="file") from None
                returned = reversal or tx.find("c:RtrInf", ns) is not None
                lines.append(StatementLine(end_to_end_id=_text(tx, "c:Refs/c:EndToEndId", ns), amount=amount,
                                           debit=debit, returned=returned, booked=booked_date))
    return _text(statements[0], "c:Id", ns), lines


@transaction.atomic
def statement_import(*, data: bytes, actor) -> StatementResult:
    """Match the statement's lines to payments; refused as a whole (nothing written) when it is not camt.053."""
    if not is_finance_here(actor):
        raise errors.NotFinanceOfficer(_("Only the municipality's finance officer can import statements."))
    statement_id, lines = parse_camt053(data)
    ids = {line.end_to_end_id for line in lines if line.end_to_end_id}
    payments = {p.reference: p for p in Payment.objects.filter(reference__in=ids).exclude(reference="")}
    result = StatementResult(statement_id=statement_id)
    for line in lines:
        payment = payments.get(line.end_to_end_id)
        at = timezone.make_aware(dt.datetime.combine(line.booked, dt.time(12))) if line.booked else None
        if payment is not None and line.amount == payment.amount and (line.debit or line.returned):
            line.payment = payment_settle(idempotency_key=payment.idempotency_key,
                                          outcome=PaymentStatus.RETURNED if line.returned else PaymentStatus.PAID,
                                          reason=_("Returned by the bank") if line.returned else "", at=at,
                                          actor=actor)
            (result.returned if line.returned else result.matched).append(line)
            continue
        line.note = (_("The amount differs from the payment's %(amount)s.") % {"amount": payment.amount}
                     if payment is not None else _("No payment has this end-to-end id."))
        result.unmatched.append(line)
        ReconciliationAlert.objects.get_or_create(
            key=f"statement:{statement_id}:{line.end_to_end_id}:{line.amount}:{'D' if line.debit else 'C'}",
            defaults={"kind": ReconciliationAlert.Kind.UNMATCHED, "amount": line.amount, "payment": payment,
                      "detail": f"{line.end_to_end_id or '—'} {line.amount} EUR: {line.note}"[:500]})
    audit(actor=actor, action=AuditEvent.Action.CREATE, object_type="payments.statement", object_id=statement_id,
          message="payment.statement_imported", params={"id": statement_id, "paid": len(result.matched),
                                                       "returned": len(result.returned),
                                                       "unmatched": len(result.unmatched)})
    return result
