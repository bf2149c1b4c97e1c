"""Writes for payments: ``payment_<verb>(*, ...)`` and the funding top-up.

- ``payment_request`` runs inside the invoice's approval (invoicing's ``invoice_approved`` signal): one payment
  per invoice, its key derived from the invoice, the amount moved funding → payable, and the outbox event
  ``payment.requested`` whose handler (``tasks``) calls ``payment_execute`` after commit.
- ``payment_execute`` locks the payment and calls its rail once; a second worker, a redelivered event or a
  replayed handler finds it no longer ``requested`` and changes nothing.
- ``payment_settle`` is what the outside world reports (a Stripe webhook, a bank statement, the finance
  officer's "mark paid"): idempotent, a transition the table below does not allow (backwards, repeated) is
  ignored, and each step writes its money entry once.
"""

from __future__ import annotations

from django.db import IntegrityError, connection, transaction
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.marketplace.invoicing import access as invoicing_access
from portal.marketplace.invoicing.invoices import invoice_payment_settled, invoice_reject_paid
from portal.marketplace.invoicing.models import Invoice
from portal.platform.core.models import AuditEvent, audit
from portal.platform.core.money import ZERO, to_money
from portal.platform.outbox.services import outbox_emit

from . import errors
from .index import sync_payment
from .models import Account, MoneyEntry, Payment, PaymentSettings, PaymentStatus, Rail
from .rails import OUTCOMES, RAILS, REVERSALS, PaymentOrder, RailOutcome, ReversalOrder

S = PaymentStatus

# Where each reported outcome may come from. Anything else is ignored (a late or repeated report).
SETTLE_FROM = {
    S.SENT: {S.REQUESTED, S.WAITING, S.FAILED, S.RETURNED},
    S.PAID: {S.REQUESTED, S.WAITING, S.SENT, S.FAILED, S.RETURNED},
    S.FAILED: {S.REQUESTED, S.WAITING, S.SENT},
    S.RETURNED: {S.SENT, S.PAID},
}
RETRYABLE = {S.WAITING, S.FAILED, S.RETURNED}


def _tell_failed(payment: Payment) -> None:
    """The outbox event others (notifications) consume when a payment failed, came back or waits with a
    problem: ids only, the reason stays on the payment."""
    outbox_emit(kind="payment.failed", payload={"payment": payment.pk, "invoice": payment.invoice_id})


def payment_key(invoice) -> str:
    return f"payment:{connection.schema_name}:{invoice.pk}"


def _actor(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _entry(*, kind, debit, credit, amount, key, payment=None, note="", actor=None) -> MoneyEntry | None:
    """One money movement, once per key (a replay finds the key and writes nothing)."""
    amount = to_money(amount)
    if amount <= 0:
        return None
    entry, _created = MoneyEntry.objects.get_or_create(
        idempotency_key=key, defaults={"kind": kind, "debit": debit, "credit": credit, "amount": amount,
                                       "payment": payment, "note": note[:200], "created_by": _actor(actor)})
    return entry


def payment_request(*, invoice: Invoice, actor=None) -> Payment:
    """The approved invoice's payment, created once (a second call returns the first)."""
    key = payment_key(invoice)
    existing = Payment.objects.filter(invoice_id=invoice.pk).first()
    if existing is not None:
        return existing
    rail = PaymentSettings.current().rail
    try:
        with transaction.atomic():
            payment = Payment.objects.create(invoice=invoice, provider_id=invoice.provider_id, idempotency_key=key,
                                             amount=to_money(invoice.budget_amount), rail=rail)
    except IntegrityError:  # a concurrent approval of the same invoice got there first
        return Payment.objects.get(invoice_id=invoice.pk)
    _entry(kind=MoneyEntry.Kind.REQUEST, debit=Account.PAYABLE, credit=Account.FUNDING, amount=payment.amount,
           key=f"{key}:request", payment=payment, note=f"invoice {invoice.display_number}", actor=actor)
    outbox_emit(kind="payment.requested", payload={"payment_id": payment.pk})
    sync_payment(payment)
    return payment


def payment_order(payment: Payment) -> PaymentOrder:
    tenant = connection.tenant
    return PaymentOrder(payment_id=payment.pk, idempotency_key=payment.idempotency_key,
                        municipality_code=tenant.code, schema_name=connection.schema_name,
                        provider_id=payment.provider_id, invoice_id=payment.invoice_id,
                        invoice_number=payment.invoice.display_number, amount=payment.amount,
                        currency=payment.currency)


def _run_rail(payment: Payment) -> RailOutcome:
    execute = RAILS.get(payment.rail)
    if execute is None:
        return RailOutcome("waiting", reason=_("Payments through %(rail)s are not switched on here yet: the "
                                               "payment waits until they are, or until it is paid by bank.")
                           % {"rail": Rail(payment.rail).label})
    try:
        outcome = execute(payment_order(payment))
    except Exception as error:  # noqa: BLE001 - a rail's failure becomes the payment's reason, in words
        return RailOutcome("waiting", reason=_("The payment could not be sent (%(error)s); it can be retried.")
                           % {"error": str(error)[:200]})
    if outcome.status not in OUTCOMES:
        return RailOutcome("failed", reason=f"unknown rail outcome {outcome.status!r}")
    return outcome


@transaction.atomic
def payment_execute(*, payment_id: int) -> Payment | None:
    """Send a requested payment on its rail, once. None when there was nothing to do."""
    payment = (Payment.objects.select_for_update(of=("self",)).select_related("invoice__agreement__service")
               .filter(pk=payment_id, status=S.REQUESTED).first())
    if payment is None:
        return None  # sent already, settled, or gone: running twice changes nothing
    if payment.amount == 0:  # all of it was the family's co-payment: nothing to send
        payment.save(update_fields=["modified_at"])
        return payment_settle(idempotency_key=payment.idempotency_key, outcome=S.PAID, reference="-")
    outcome = _run_rail(payment)
    payment.attempts += 1
    payment.status = {"sent": S.SENT, "waiting": S.WAITING, "failed": S.FAILED}[outcome.status]
    payment.reason = outcome.reason[:500]
    if outcome.status == "sent":
        payment.reference, payment.sent_at = outcome.reference[:100], timezone.now()
    payment.save(update_fields=["attempts", "status", "reason", "reference", "sent_at", "modified_at"])
    if outcome.status == "failed" or (outcome.status == "waiting" and not outcome.queued):
        _tell_failed(payment)
    sync_payment(payment)
    return payment


@transaction.atomic
def payment_retry(*, payment: Payment, actor) -> Payment:
    """Run the rail again for a waiting, failed or returned payment — same payment, same idempotency key."""
    if not invoicing_access.is_finance_here(actor):
        raise errors.NotFinanceOfficer(_("Only the municipality's finance officer can retry payments."))
    payment = Payment.objects.select_for_update(of=("self",)).get(pk=payment.pk)
    if payment.status not in RETRYABLE or payment.batch_id is not None:
        raise errors.PaymentWrongStatus(_("This payment is %(status)s: it cannot be retried now.")
                                        % {"status": payment.get_status_display().lower()})
    before = payment.status
    payment.status, payment.reason = S.REQUESTED, ""
    payment.rail = PaymentSettings.current().rail
    payment.save(update_fields=["status", "reason", "rail", "modified_at"])
    audit(actor=actor, action=AuditEvent.Action.UPDATE, obj=payment, message="payment.retried",
          params={"payment": payment.pk}, changes={"status": [before, S.REQUESTED]})
    outbox_emit(kind="payment.requested", payload={"payment_id": payment.pk})
    sync_payment(payment)
    return payment


@transaction.atomic
def payment_settle(*, idempotency_key: str, outcome: str, reference: str = "", reason: str = "", at=None,
                   actor=None) -> Payment | None:
    """Apply what a rail reported. Idempotent; a transition not allowed from the current state is ignored.
    Returns the payment (unchanged when ignored), None when no payment has the key."""
    if outcome not in SETTLE_FROM:
        raise ValueError(f"unknown outcome {outcome!r}")
    payment = (Payment.objects.select_for_update(of=("self",)).select_related("invoice__agreement__service")
               .filter(idempotency_key=idempotency_key).first())
    if payment is None or payment.status not in SETTLE_FROM[outcome]:
        return payment
    at = at or timezone.now()
    payment.status = outcome
    if reference:
        payment.reference = reference[:100]
    payment.reason = reason[:500] if outcome in (S.FAILED, S.RETURNED) else ""
    if outcome == S.SENT:
        payment.sent_at = at
    else:
        payment.settled_at = at
    fields = ["status", "reference", "reason", "sent_at", "settled_at", "modified_at"]
    note = f"invoice {payment.invoice.display_number}"
    if outcome == S.PAID:
        _entry(kind=MoneyEntry.Kind.PAY, debit=Account.PAID, credit=Account.PAYABLE, amount=payment.amount,
               key=f"{payment.idempotency_key}:pay:{payment.returns}", payment=payment, note=note, actor=actor)
        invoice_payment_settled(invoice=payment.invoice, paid=True, actor=actor, at=at)
    elif outcome == S.RETURNED:
        was_paid = MoneyEntry.objects.filter(idempotency_key=f"{payment.idempotency_key}:pay:{payment.returns}")
        if was_paid.exists():
            _entry(kind=MoneyEntry.Kind.RETURN, debit=Account.PAYABLE, credit=Account.PAID, amount=payment.amount,
                   key=f"{payment.idempotency_key}:return:{payment.returns}", payment=payment, note=note,
                   actor=actor)
        payment.returns += 1
        fields.append("returns")
        invoice_payment_settled(invoice=payment.invoice, paid=False, actor=actor)
    payment.save(update_fields=fields)
    if outcome in (S.FAILED, S.RETURNED):
        _tell_failed(payment)
    sync_payment(payment)
    return payment


@transaction.atomic
def payment_mark_paid(*, invoice: Invoice, actor, paid_at=None) -> Payment:
    """The finance officer records by hand that the invoice was paid (audited); the money entries follow."""
    if not invoicing_access.is_finance_here(actor):
        raise errors.NotFinanceOfficer(_("Only the municipality's finance officer can record payments."))
    invoice = Invoice.objects.select_for_update(of=("self",)).get(pk=invoice.pk)
    if invoice.status != Invoice.Status.APPROVED:
        raise errors.PaymentWrongStatus(_("The invoice is %(status)s: this cannot be done now.")
                                        % {"status": invoice.get_status_display().lower()})
    payment = payment_request(invoice=invoice, actor=actor)
    payment = payment_settle(idempotency_key=payment.idempotency_key, outcome=S.PAID, at=paid_at, actor=actor,
                             reference=payment.reference or "manual")
    audit(actor=actor, action=AuditEvent.Action.UPDATE, obj=payment,
          message="invoice.marked_paid_by_hand", params={"number": str(invoice)},
          changes={"status": [invoice.status, "paid"]})
    return payment


# Reversal: a paid invoice cancelled afterwards -------------------------------------------------------------

def reversal_key(payment: Payment) -> str:
    """The key of the payment's one reversal (Stripe's Idempotency-Key too): the same whatever is retried."""
    return f"{payment.idempotency_key}:reverse"


def _reverse_entries(payment: Payment, *, actor=None) -> None:
    """paid → payable → funding: the money is back in the municipality's funding (each step once)."""
    key, note = reversal_key(payment), f"invoice {payment.invoice.display_number} cancelled"
    _entry(kind=MoneyEntry.Kind.REVERSE, debit=Account.PAYABLE, credit=Account.PAID, amount=payment.amount,
           key=f"{key}:paid", payment=payment, note=note, actor=actor)
    _entry(kind=MoneyEntry.Kind.REVERSE, debit=Account.FUNDING, credit=Account.PAYABLE, amount=payment.amount,
           key=f"{key}:payable", payment=payment, note=note, actor=actor)


@transaction.atomic
def payment_reverse(*, payment: Payment, reason: str, actor) -> Payment:
    """The finance officer cancels a paid invoice (audited): the invoice is rejected with ``reason`` and its
    budget share goes back into the agreement's reservation (invoicing, through the ledger). On a rail that can
    take money back (Stripe) the transfer is reversed once under ``reversal_key`` and the money entries
    follow; on the bank rail the payment is left "to be recovered" until the finance officer records it.
    A refusal (wrong status, no reason, the rail refused) writes nothing."""
    if not invoicing_access.is_finance_here(actor):
        raise errors.NotFinanceOfficer(_("Only the municipality's finance officer can cancel paid invoices."))
    reason = (reason or "").strip()
    if not reason:
        raise errors.ReversalInvalid(_("Give the reason, so the provider knows why the payment is taken back."),
                                     field="reason")
    payment = (Payment.objects.select_for_update(of=("self",)).select_related("invoice__agreement__service")
               .get(pk=payment.pk))
    if payment.status != S.PAID:
        raise errors.PaymentWrongStatus(_("This payment is %(status)s: only a paid payment can be taken back.")
                                        % {"status": payment.get_status_display().lower()})
    invoice_reject_paid(invoice=payment.invoice, reason=reason, actor=actor)
    before = payment.status
    payment.reversal_reason, payment.reversed_at = reason[:500], timezone.now()
    reverse = REVERSALS.get(payment.rail) if payment.amount > 0 else None
    if reverse is None and payment.amount > 0:  # bank: the money is with the provider until it comes back
        payment.status = S.TO_RECOVER
    else:
        if reverse is not None:  # the outside call comes last: anything refused above has written nothing
            outcome = reverse(ReversalOrder(payment_id=payment.pk, idempotency_key=reversal_key(payment),
                                            reference=payment.reference, amount=payment.amount,
                                            currency=payment.currency))
            if outcome.status != "sent":
                raise errors.ReversalRefused(outcome.reason or _("The payment could not be taken back."))
            payment.reversal_reference = outcome.reference[:100]
        _reverse_entries(payment, actor=actor)
        payment.status = S.REVERSED
    payment.save(update_fields=["status", "reversal_reason", "reversal_reference", "reversed_at", "modified_at"])
    audit(actor=actor, action=AuditEvent.Action.UPDATE, obj=payment,
          message="payment.taken_back", params={"payment": payment.pk, "number": payment.invoice.display_number},
          changes={"status": [before, payment.status]})
    sync_payment(payment)
    return payment


@transaction.atomic
def payment_recovered(*, payment: Payment, actor) -> Payment:
    """The finance officer records that the provider paid back a cancelled invoice's bank payment (audited)."""
    if not invoicing_access.is_finance_here(actor):
        raise errors.NotFinanceOfficer(_("Only the municipality's finance officer can record payments."))
    payment = (Payment.objects.select_for_update(of=("self",)).select_related("invoice__agreement__service")
               .get(pk=payment.pk))
    if payment.status != S.TO_RECOVER:
        raise errors.PaymentWrongStatus(_("This payment is %(status)s: there is nothing to recover.")
                                        % {"status": payment.get_status_display().lower()})
    _reverse_entries(payment, actor=actor)
    payment.status = S.REVERSED
    payment.save(update_fields=["status", "modified_at"])
    audit(actor=actor, action=AuditEvent.Action.UPDATE, obj=payment, message="payment.recovered",
          params={"payment": payment.pk}, changes={"status": [S.TO_RECOVER, S.REVERSED]})
    sync_payment(payment)
    return payment


# Funding -------------------------------------------------------------------------------------------------

def account_balance(account: str) -> object:
    rows = MoneyEntry.objects.filter(Q(debit=account) | Q(credit=account)).aggregate(
        debit=Sum("amount", filter=Q(debit=account)), credit=Sum("amount", filter=Q(credit=account)))
    return to_money((rows["debit"] or ZERO) - (rows["credit"] or ZERO))


@transaction.atomic
def funding_top_up(*, amount, note: str = "", actor, key: str | None = None) -> MoneyEntry:
    """Money the municipality put at the portal's disposal (treasury → funding)."""
    if not invoicing_access.is_finance_here(actor):
        raise errors.NotFinanceOfficer(_("Only the municipality's finance officer can record top-ups."))
    try:
        amount = to_money(amount)
    except (ValueError, TypeError):
        raise errors.FundingInvalid(_("Enter an amount in euro, for example 1500.00."), field="amount") from None
    if amount <= 0 or amount >= 10 ** 12:
        raise errors.FundingInvalid(_("Enter an amount in euro, for example 1500.00."), field="amount")
    key = key or f"topup:{connection.schema_name}:{timezone.now().timestamp()}:{actor.pk}"
    entry = _entry(kind=MoneyEntry.Kind.TOP_UP, debit=Account.FUNDING, credit=Account.TREASURY, amount=amount,
                   key=key, note=note or _("Top-up"), actor=actor)
    audit(actor=actor, action=AuditEvent.Action.CREATE, obj=entry, message="payment.funding_top_up",
          params={"amount": str(amount)})
    return entry


def funding_summary() -> dict:
    """The funding balance, what is approved and not yet paid, and whether a warning is due (one query)."""
    sums = {}
    for account in (Account.FUNDING, Account.PAYABLE, Account.PAID):
        sums[f"{account}_in"] = Sum("amount", filter=Q(debit=account))
        sums[f"{account}_out"] = Sum("amount", filter=Q(credit=account))
    rows = MoneyEntry.objects.aggregate(topped_up=Sum("amount", filter=Q(kind=MoneyEntry.Kind.TOP_UP)), **sums)
    balance = {a: to_money((rows[f"{a}_in"] or ZERO) - (rows[f"{a}_out"] or ZERO))
               for a in (Account.FUNDING, Account.PAYABLE, Account.PAID)}
    return {"balance": balance[Account.FUNDING], "payable": balance[Account.PAYABLE], "paid": balance[Account.PAID],
            "topped_up": to_money(rows["topped_up"] or ZERO), "overdrawn": balance[Account.FUNDING] < 0}


def funding_would_exceed(amount) -> bool:
    """True when approving ``amount`` more would take the funding below zero (the warning before approval)."""
    return account_balance(Account.FUNDING) - to_money(amount) < 0


def _schedule(payment_weekday, business_days) -> tuple[int | None, int]:
    """The bank rail's schedule from the form or the API: a weekday 0–4 (or none) and 0–60 business days."""
    weekday = None if payment_weekday in (None, "") else str(payment_weekday).strip()
    if weekday is not None and weekday not in {"0", "1", "2", "3", "4"}:
        raise errors.SettingsInvalid(_("Choose a weekday from Monday to Friday, or none."), field="payment_weekday")
    days = str(10 if business_days in (None, "") else business_days).strip()
    if not days.isdigit() or int(days) > 60:
        raise errors.SettingsInvalid(_("Enter a whole number of business days from 0 to 60."),
                                     field="business_days_after_approval")
    return (None if weekday is None else int(weekday)), int(days)


@transaction.atomic
def payment_settings_update(*, actor, rail: str, debtor_name: str = "", debtor_iban: str = "",
                            debtor_bic: str = "", payment_weekday=None,
                            business_days_after_approval=None) -> PaymentSettings:
    """The municipality's rail, the account it pays from and the bank rail's schedule (finance officer;
    audited). Payments requested or retried afterwards use the new rail."""
    if not invoicing_access.is_finance_here(actor):
        raise errors.NotFinanceOfficer(_("Only the municipality's finance officer can change payment settings."))
    if rail not in Rail.values:
        raise errors.SettingsInvalid(_("Choose how the municipality pays."), field="rail")
    iban = "".join((debtor_iban or "").split()).upper()
    bic = "".join((debtor_bic or "").split()).upper()
    try:
        iban = IBAN(iban).compact if iban else ""
    except (SchwiftyException, ValueError):
        raise errors.SettingsInvalid(_("Enter a valid IBAN; the check digits do not match."),
                                     field="debtor_iban") from None
    try:
        bic = BIC(bic).compact if bic else ""
    except (SchwiftyException, ValueError):
        raise errors.SettingsInvalid(_("Enter a valid BIC, for example TRELLV22."), field="debtor_bic") from None
    weekday, days = _schedule(payment_weekday, business_days_after_approval)
    row = PaymentSettings.objects.select_for_update().filter(pk=1).first() or PaymentSettings.current()
    before = {"rail": row.rail, "debtor_iban": row.debtor_iban, "payment_weekday": row.payment_weekday,
              "business_days_after_approval": row.business_days_after_approval}
    row.rail, row.debtor_name, row.debtor_iban, row.debtor_bic = rail, (debtor_name or "").strip()[:70], iban, bic
    row.payment_weekday, row.business_days_after_approval = weekday, days
    row.save()
    audit(actor=actor, action=AuditEvent.Action.UPDATE, obj=row, message="payment.settings_changed",
          changes={k: [v, getattr(row, k)] for k, v in before.items() if v != getattr(row, k)})
    return row
