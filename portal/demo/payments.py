"""Demo data for payments: each municipality's payment settings and funding, its approved invoices' payments
executed, and — on the bank-file rail — a confirmed batch, an exported batch and payments still waiting.

A few municipalities choose Stripe (``STRIPE``): without a registered Stripe rail their payments wait, with
the reason in words. Idempotent: a municipality that has a batch is left alone. Fast: a handful of rows.
"""

from __future__ import annotations

import time
import zlib

from django.db import transaction
from schwifty import IBAN

from portal.marketplace.payments import bankfile
from portal.marketplace.payments.models import Payment, PaymentBatch, PaymentSettings, PaymentStatus, Rail
from portal.marketplace.payments.reconciliation import reconcile
from portal.marketplace.payments.services import funding_top_up, payment_execute
from portal.platform.accounts.models import User
from portal.tenants.roles import Role

from .users import municipal_email

STRIPE = {"bauska", "rezekne", "valmiera"}


def _say(out, message):
    if out is not None:
        print(message, file=out, flush=True)


def treasury_iban(code: str) -> str:
    """A valid (check digits right) Treasury IBAN for the demo municipality."""
    return IBAN.generate("LV", bank_code="TREL", account_code=f"{zlib.crc32(code.encode()) % 10 ** 13:013d}").compact


def load(municipality, out):
    started = time.perf_counter()
    if PaymentBatch.objects.exists():
        return
    finance = User.objects.filter(email=municipal_email("finanses", municipality.code),
                                  memberships__role=Role.FINANCE_OFFICER).first()
    if finance is None:
        return
    with transaction.atomic():
        rules = PaymentSettings.current()
        rules.rail = Rail.STRIPE if municipality.code in STRIPE else Rail.BANK_FILE
        rules.debtor_name, rules.debtor_bic = municipality.name, "TRELLV22"
        rules.debtor_iban = treasury_iban(municipality.code)
        rules.save()
        funding_top_up(amount="50000.00", note="Valsts kases piešķīrums", actor=finance,
                       key=f"demo:topup:{municipality.code}")
        # Re-point payments the approvals made before the rail was chosen, then run them as the worker would.
        Payment.objects.filter(status=PaymentStatus.REQUESTED).update(rail=rules.rail)
        for pk in Payment.objects.filter(status=PaymentStatus.REQUESTED).values_list("pk", flat=True):
            payment_execute(payment_id=pk)
        batches = 0
        if rules.rail == Rail.BANK_FILE:
            waiting = list(bankfile.batchable().values_list("pk", flat=True))
            # a confirmed batch, an exported one, and at least one payment left waiting for the next
            size = max(1, (len(waiting) - 1) // 3) if len(waiting) > 1 else 0
            for part, confirm in ((waiting[:size], True), (waiting[size:2 * size], False)):
                if not part:
                    continue
                batch = bankfile.batch_create(actor=finance, payment_ids=part)
                bankfile.batch_export(batch=batch, actor=finance)
                if confirm:
                    bankfile.batch_confirm(batch=batch, actor=finance)
                batches += 1
        reconcile()
    _say(out, f"  payments: {municipality.code}: {rules.rail}, {Payment.objects.count()} payments, {batches} batches "
              f"({time.perf_counter() - started:.2f} s)")
