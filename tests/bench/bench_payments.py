"""Payments benchmark: a pain.001 file for 10 000 invoices, and approval → payment sent with the worker running.

`python tests/bench/bench_payments.py [--quick]` (or `./run bench payments`).

1. pain.001.001.09 for 10 000 payments (--quick: 1 000): ``bankfile.build_pain001`` — sepaxml builds the
   document, lxml validates it against the XSD sepaxml ships — in seconds. Beside it, measured in the same
   run: the floor, the same 10 000 transactions written as a bare lxml tree (no library, no validation), and
   the XSD validation alone.
2. Approval → payment: ``invoice_approve`` in one thread, one invoice after another, with a real
   `portal worker` running; "requested" is when the approval's commit returned (the payment row and its
   outbox event are in that transaction), "sent" the payment's ``sent_at`` set by the worker through the
   rail. The rail is a bench rail that answers "sent" at once (tests/bench/payments_rail.py): the figure is
   the portal's, not a bank's. Beside it, the floor: a bare Celery task sent → running in the same worker.

Runs on its own database (PORTAL_DB_NAME=portal_bench_payments) on the embedded server of PORTAL_DATA_DIR.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import sys
import time
import types
import uuid
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from tests.bench.run import bench_municipalities, table  # noqa: E402  (one table format for every benchmark)

os.environ.setdefault("PORTAL_DB_NAME", "portal_bench_payments")
os.environ.setdefault("PORTAL_QUIET", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.platform.settings")


def _fake_payments(count: int) -> list:
    """``count`` payment-shaped objects (what build_pain001 reads), with valid IBANs and distinct numbers."""
    from schwifty import IBAN

    ibans = [IBAN.generate("LV", bank_code=bank, account_code=f"{n:013d}").compact
             for n, bank in zip(range(1, 51), ["HABA", "UNLA", "PARX", "RIKO", "NDEA"] * 10)]
    return [types.SimpleNamespace(
        invoice=types.SimpleNamespace(display_number=f"SBS-{i % 500 + 1}-{i:05d}"),
        provider=types.SimpleNamespace(iban=ibans[i % len(ibans)], name=f"Sniedzējs {i % 500} SIA"),
        provider_id=i % 500 + 1, amount=Decimal("10.00") + Decimal(i % 997) / 100) for i in range(count)]


def bench_pain001(municipality, count: int) -> list[list]:
    from django.db import connection
    from lxml import etree

    from portal.marketplace.payments import bankfile

    connection.set_tenant(municipality)
    payments = _fake_payments(count)
    config = {"name": municipality.name, "IBAN": "LV34TREL9999999999999", "BIC": "TRELLV22", "batch": True,
              "currency": "EUR"}
    bankfile.xsd()  # the schema is parsed once per process: not this figure
    started = time.perf_counter()
    _message_id, data = bankfile.build_pain001(payments, execution_date=dt.date.today(), config=config)
    built = time.perf_counter() - started
    document = etree.fromstring(data)
    found = document.findall(".//{%s}CdtTrfTxInf" % bankfile.NS)
    if len(found) != count:
        raise SystemExit(f"{len(found)} transactions in the file, expected {count}")

    started = time.perf_counter()
    bankfile.validate_pain001(data)
    validate = time.perf_counter() - started

    started = time.perf_counter()  # the floor: the same transactions as a bare tree, serialised
    root = etree.Element("Document", nsmap={None: bankfile.NS})
    info = etree.SubElement(etree.SubElement(root, "CstmrCdtTrfInitn"), "PmtInf")
    for p in payments:
        tx = etree.SubElement(info, "CdtTrfTxInf")
        etree.SubElement(etree.SubElement(tx, "PmtId"), "EndToEndId").text = p.invoice.display_number
        etree.SubElement(etree.SubElement(tx, "Amt"), "InstdAmt", Ccy="EUR").text = f"{p.amount:.2f}"
        etree.SubElement(etree.SubElement(tx, "Cdtr"), "Nm").text = p.provider.name
        etree.SubElement(etree.SubElement(etree.SubElement(tx, "CdtrAcct"), "Id"), "IBAN").text = p.provider.iban
    etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    floor = time.perf_counter() - started
    connection.set_schema_to_public()
    return [[f"pain.001.001.09, {count} invoices (build + XSD)", f"{built:.2f} s", f"{len(data) / 1e6:.1f} MB"],
            ["  of which: XSD validation alone", f"{validate:.2f} s", ""],
            ["floor: bare lxml tree, same transactions", f"{floor:.2f} s", ""],
            ["ratio file / floor", f"{built / floor:.1f}×", ""]]


def _submitted(municipality, count: int) -> tuple[list[int], object]:
    """``count`` submitted invoices in ``municipality`` and its finance officer."""
    from django.db import connection

    from portal.marketplace.invoicing.invoices import invoice_submit
    from portal.marketplace.invoicing.models import Invoice
    from portal.marketplace.payments.models import PaymentSettings
    from portal.platform.accounts.models import User
    from portal.tenants.models import Membership
    from portal.tenants.roles import Role
    from tests.bench.bench_invoicing import _drafts, _provider_and_staff

    provider, service, staff = _provider_and_staff()
    ids = _drafts(municipality, provider, service, count)
    connection.set_tenant(municipality)
    submitted = [invoice_submit(invoice=Invoice.objects.get(pk=pk), actor=staff).pk for pk in ids]
    connection.set_schema_to_public()
    officer = User.objects.create(email=f"bench-finance-{uuid.uuid4().hex[:8]}@example.lv", full_name="Bench Finance")
    Membership.objects.create(user=officer, role=Role.FINANCE_OFFICER, municipality=municipality)
    connection.set_tenant(municipality)
    PaymentSettings.objects.update_or_create(pk=1, defaults={"rail": "bench"})
    return submitted, officer


def bench_approval(municipality, count: int, worker_start) -> list[list]:
    from django.db import connection

    from portal.marketplace.invoicing.invoices import invoice_approve
    from portal.marketplace.invoicing.models import Invoice
    from portal.marketplace.payments.models import Payment
    from tests.bench import background_tasks
    from tests.bench.bench_background import _percentiles

    ids, officer = _submitted(municipality, count)
    worker = worker_start()
    try:
        for _ in range(5):
            background_tasks.ping.apply_async(args=[time.time()]).get(timeout=30)  # warm the worker
        floor = [background_tasks.ping.apply_async(args=[time.time()]).get(timeout=30) for _ in range(count)]
        connection.set_tenant(municipality)
        started_at, requested = {}, []
        for pk in ids:
            started_at[pk] = time.time()
            invoice_approve(invoice=Invoice.objects.get(pk=pk), actor=officer)
            requested.append(time.time() - started_at[pk])
        deadline = time.monotonic() + 300
        while Payment.objects.filter(invoice_id__in=ids, sent_at__isnull=True).exists():
            if time.monotonic() > deadline:
                raise SystemExit("the worker did not send every payment in 5 minutes")
            time.sleep(0.05)
        sent_at = dict(Payment.objects.filter(invoice_id__in=ids).values_list("invoice_id", "sent_at"))
        twice = Payment.objects.filter(invoice_id__in=ids, attempts__gt=1).count()
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
        connection.set_schema_to_public()
    sent = [sent_at[pk].timestamp() - started_at[pk] for pk in ids]
    (r50, r95), (s50, s95), (f50, f95) = _percentiles(requested), _percentiles(sent), _percentiles(floor)
    return [["approval → payment requested (commit returned)", f"{r50 * 1000:.0f} ms", f"{r95 * 1000:.0f} ms",
             len(requested), ""],
            ["approval → payment sent (worker, bench rail)", f"{s50 * 1000:.0f} ms", f"{s95 * 1000:.0f} ms",
             len(sent), f"{twice} sent twice"],
            ["floor: bare Celery task sent → running", f"{f50 * 1000:.1f} ms", f"{f95 * 1000:.1f} ms", len(floor), ""],
            ["ratio sent / floor (p50)", f"{s50 / f50:.0f}×", "", "", ""]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1 000 invoices in the file; 20 approvals")
    args = parser.parse_args(argv)
    invoices, approvals = (1000, 20) if args.quick else (10000, 100)
    (municipality,) = bench_municipalities(("benchpay", "Payments benchmark"))

    print(f"• pain.001 for {invoices} invoices …", flush=True)
    table(f"SEPA credit-transfer file (pain.001.001.09), {invoices} invoices", ["what", "time", "size"],
          bench_pain001(municipality, invoices))

    print(f"• Approval → payment, {approvals} invoices, a real worker …", flush=True)
    from tests.bench import bench_background

    def worker_start():
        return bench_background._start_worker(include="tests.bench.payments_rail")

    table(f"Approval → payment ({approvals} approvals one after another, worker --concurrency 4)",
          ["what", "p50", "p95", "samples", "note"], bench_approval(municipality, approvals, worker_start))
    return 0


if __name__ == "__main__":
    sys.exit(main())
