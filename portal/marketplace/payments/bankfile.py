"""The bank-file rail: SEPA credit-transfer batches (pain.001.001.09) of waiting payments.

Executing a payment on this rail sends nothing: it waits "in the next bank batch". The finance officer makes
a batch of the waiting payments (one transaction per invoice, the invoice number as end-to-end id), the file
is built with ``sepaxml`` and validated against the pain.001.001.09 XSD that ``sepaxml`` ships (with lxml:
the same schema, much faster than sepaxml's own check on large files) before the batch is stored. A batch is
exported once (its payments become "sent"), then confirmed (paid) or cancelled (its payments wait again).
"""

from __future__ import annotations

import datetime as dt
import functools
import os

import sepaxml
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree
from schwifty import IBAN, BIC
from schwifty.exceptions import SchwiftyException

from portal.marketplace.invoicing.access import is_finance_here
from portal.platform.core.models import AuditEvent, audit
from portal.platform.core.money import ZERO, to_money

from . import errors
from .index import sync_payment
from .models import Payment, PaymentBatch, PaymentSettings, PaymentStatus, Rail
from .rails import PaymentOrder, RailOutcome, register_rail
from .services import payment_settle

SCHEMA = "pain.001.001.09"
NS = f"urn:iso:std:iso:20022:tech:xsd:{SCHEMA}"


def execute(order: PaymentOrder) -> RailOutcome:
    return RailOutcome("waiting", reason=_("in the next bank batch"), queued=True)


def register() -> None:
    register_rail(Rail.BANK_FILE, execute)


@functools.cache
def xsd() -> etree.XMLSchema:
    path = os.path.join(os.path.dirname(sepaxml.__file__), "schemas", f"{SCHEMA}.xsd")
    return etree.XMLSchema(etree.parse(path))


def validate_pain001(data: bytes) -> None:
    """Raise SepaInvalid unless ``data`` is valid pain.001.001.09."""
    schema = xsd()
    try:
        document = etree.fromstring(data)
    except etree.XMLSyntaxError as error:
        raise errors.SepaInvalid(_("The bank file is not valid XML: %(error)s") % {"error": error}) from None
    if not schema.validate(document):
        raise errors.SepaInvalid(_("The bank file does not match the pain.001.001.09 schema: %(error)s")
                                 % {"error": schema.error_log.last_error})


def _compact(value: str) -> str:
    return "".join((value or "").split()).upper()


def _iban(value: str) -> IBAN | None:
    try:
        return IBAN(_compact(value))
    except (SchwiftyException, ValueError):
        return None


def _bic(iban: IBAN) -> str:
    try:
        return str(iban.bic.compact) if iban.bic else ""
    except SchwiftyException:
        return ""


def debtor() -> dict:
    """The municipality's account for the file; DebtorMissing when it is not set or not valid."""
    rules = PaymentSettings.current()
    iban = _iban(rules.debtor_iban)
    if iban is None:
        raise errors.DebtorMissing(_("Set the municipality's own IBAN in the payment settings first."))
    config = {"name": rules.debtor_name or connection.tenant.name, "IBAN": iban.compact, "batch": True,
              "currency": "EUR"}
    bic = _compact(rules.debtor_bic) or _bic(iban)
    if bic:
        try:
            config["BIC"] = BIC(bic).compact
        except (SchwiftyException, ValueError):
            raise errors.DebtorMissing(_("The municipality's BIC is not valid.")) from None
    return config


def build_pain001(payments: list[Payment], *, execution_date: dt.date, config: dict) -> tuple[str, bytes]:
    """(message id, validated pain.001.001.09) for ``payments`` (invoice and provider loaded)."""
    bad = [p.invoice.display_number for p in payments if _iban(p.provider.iban) is None]
    if bad:
        raise errors.BadIban(_("The provider of invoice %(invoices)s has no valid IBAN: ask the provider to "
                               "correct it, or leave the invoice out of the batch.") % {"invoices": ", ".join(bad)},
                             invoices=bad)
    sepa = sepaxml.SepaTransfer(dict(config), schema=SCHEMA, clean=True)
    for payment in payments:
        iban = _iban(payment.provider.iban)
        row = {"name": payment.provider.name or str(payment.provider_id), "IBAN": iban.compact,
               "amount": int((payment.amount * 100).to_integral_value()), "execution_date": execution_date,
               "description": f"{payment.invoice.display_number} {connection.tenant.name}",
               "endtoend_id": payment.invoice.display_number}
        bic = _bic(iban)
        if bic:
            row["BIC"] = bic
        sepa.add_payment(row)
    data = sepa.export(validate=False)
    validate_pain001(data)
    return sepa.msg_id, data


def batchable():
    """Payments waiting for the next bank batch."""
    return (Payment.objects.filter(rail=Rail.BANK_FILE, status=PaymentStatus.WAITING, batch__isnull=True,
                                   amount__gt=0)
            .select_related("invoice", "provider").order_by("requested_at", "id"))


def _finance(actor, message):
    if not is_finance_here(actor):
        raise errors.NotFinanceOfficer(message)


@transaction.atomic
def batch_create(*, actor, payment_ids=None, execution_date: dt.date | None = None) -> PaymentBatch:
    """A draft batch of the waiting bank-file payments (or of ``payment_ids`` among them). Refused as a whole,
    writing nothing, when a provider has no valid IBAN (the invoice is named) or the file would not validate."""
    _finance(actor, _("Only the municipality's finance officer can make payment batches."))
    payments = batchable().select_for_update(of=("self",))
    if payment_ids is not None:
        payments = payments.filter(pk__in=[int(p) for p in payment_ids])
    payments = list(payments)
    if not payments:
        raise errors.NothingToBatch(_("No payment is waiting for a bank batch."))
    execution_date = execution_date or timezone.localdate()
    message_id, data = build_pain001(payments, execution_date=execution_date, config=debtor())
    batch = PaymentBatch.objects.create(message_id=message_id[:35], execution_date=execution_date,
                                        count=len(payments), total=to_money(sum((p.amount for p in payments), ZERO)),
                                        xml=data, created_by=actor)
    Payment.objects.filter(pk__in=[p.pk for p in payments]).update(batch=batch, modified_at=timezone.now())
    audit(actor=actor, action=AuditEvent.Action.CREATE, obj=batch,
          message="payment.batch_created",
          params={"id": batch.message_id, "n": batch.count, "amount": str(batch.total)})
    return batch


def _lock_batch(batch: PaymentBatch, *statuses) -> PaymentBatch:
    batch = PaymentBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status not in statuses:
        raise errors.BatchWrongStatus(_("The batch is %(status)s: this cannot be done now.")
                                      % {"status": batch.get_status_display().lower()})
    return batch


@transaction.atomic
def batch_export(*, batch: PaymentBatch, actor) -> bytes:
    """The batch's file. The first export marks the batch exported and its payments sent; a later download of
    an exported batch returns the same bytes (the same message id, which the bank refuses twice)."""
    _finance(actor, _("Only the municipality's finance officer can export payment batches."))
    batch = _lock_batch(batch, PaymentBatch.Status.DRAFT, PaymentBatch.Status.EXPORTED)
    if batch.status == PaymentBatch.Status.DRAFT:
        now = timezone.now()
        batch.status, batch.exported_at = PaymentBatch.Status.EXPORTED, now
        batch.save(update_fields=["status", "exported_at"])
        for payment in batch.payments.select_related("invoice__agreement__service").filter(
                status=PaymentStatus.WAITING):
            payment.status, payment.sent_at, payment.reason = PaymentStatus.SENT, now, ""
            payment.reference, payment.attempts = payment.invoice.display_number[:100], payment.attempts + 1
            payment.save(update_fields=["status", "sent_at", "reason", "reference", "attempts", "modified_at"])
            sync_payment(payment)
        audit(actor=actor, action=AuditEvent.Action.UPDATE, obj=batch, message="payment.batch_exported",
              params={"id": str(batch)}, changes={"status": ["draft", "exported"]})
    return bytes(batch.xml)


@transaction.atomic
def batch_confirm(*, batch: PaymentBatch, actor, at=None) -> PaymentBatch:
    """The bank executed the batch: each of its payments is paid (money entries and invoices follow)."""
    _finance(actor, _("Only the municipality's finance officer can confirm payment batches."))
    batch = _lock_batch(batch, PaymentBatch.Status.EXPORTED)
    for key in batch.payments.values_list("idempotency_key", flat=True):
        payment_settle(idempotency_key=key, outcome=PaymentStatus.PAID, at=at, actor=actor)
    batch.status, batch.decided_at = PaymentBatch.Status.CONFIRMED, timezone.now()
    batch.save(update_fields=["status", "decided_at"])
    audit(actor=actor, action=AuditEvent.Action.UPDATE, obj=batch, message="payment.batch_confirmed",
          params={"id": str(batch)}, changes={"status": ["exported", "confirmed"]})
    return batch


@transaction.atomic
def batch_cancel(*, batch: PaymentBatch, actor) -> PaymentBatch:
    """The batch will not be executed: its payments wait for the next batch again."""
    _finance(actor, _("Only the municipality's finance officer can cancel payment batches."))
    batch = _lock_batch(batch, PaymentBatch.Status.DRAFT, PaymentBatch.Status.EXPORTED)
    if batch.payments.filter(status=PaymentStatus.PAID).exists():
        raise errors.BatchWrongStatus(_("Some payments of this batch are already paid: confirm the batch instead."))
    before = batch.status
    payments = list(batch.payments.select_related("invoice__agreement__service"))
    for payment in payments:
        payment.status, payment.reason, payment.reference = PaymentStatus.WAITING, _("in the next bank batch"), ""
        payment.batch, payment.sent_at = None, None
        payment.save(update_fields=["status", "reason", "reference", "batch", "sent_at", "modified_at"])
        sync_payment(payment)
    batch.status, batch.decided_at = PaymentBatch.Status.CANCELLED, timezone.now()
    batch.save(update_fields=["status", "decided_at"])
    audit(actor=actor, action=AuditEvent.Action.UPDATE, obj=batch, message="payment.batch_cancelled",
          params={"id": str(batch)}, changes={"status": [before, "cancelled"]})
    return batch
