"""The demo shows this morning's features (portal/demo/showcase.py): a paid invoice cancelled afterwards (on the
bank rail its payment is "to be recovered"), a weekly payment run, a PDF in an agreement's conversation, an
erasure request waiting for a social worker and a co-payment paid — written through the services. The showcase
municipalities are not among the two the test session loads, so it is run here on Liepāja (rolled back)."""

from __future__ import annotations

import datetime as dt
import io
import time

import pytest
from django_tenants.utils import tenant_context

from portal.budgets.people.models import ErasureRequest
from portal.budgets.people.retention import erasure_requests_open
from portal.demo.loader import DEMO_LOADERS, PILOTS
from portal.demo.showcase import PAYMENT_WEEKDAY, SHOWCASE, load, showcase_load
from portal.marketplace.agreements.models import CoPayment
from portal.marketplace.invoicing.models import InvoiceStatus
from portal.marketplace.payments.models import Payment, PaymentSettings, PaymentStatus
from portal.marketplace.payments.schedule import bank_run_date
from portal.notifications.threads.models import Attachment
from portal.platform.core.models import AuditEvent

from tests.conftest import MUNICIPALITY_A, MUNICIPALITY_B

pytestmark = pytest.mark.django_db


def test_the_showcase_runs_in_a_pilot_the_test_session_does_not_load():
    assert load in DEMO_LOADERS and SHOWCASE <= {p.code for p in PILOTS}
    assert not SHOWCASE & {MUNICIPALITY_A, MUNICIPALITY_B}


def test_the_demo_shows_the_newest_features_through_their_services(muni_b):
    with tenant_context(muni_b):
        out = io.StringIO()
        started = time.perf_counter()
        done = showcase_load(muni_b, out)
        assert time.perf_counter() - started < 3  # a handful of service calls, not a load-time cost
        assert set(done) == {"payment_weekday", "cancelled", "attachment", "copayment", "erasure"}, out.getvalue()

        rules = PaymentSettings.current()
        assert rules.payment_weekday == PAYMENT_WEEKDAY  # approved on Monday 7 December → paid on Wednesday
        assert bank_run_date(dt.date(2026, 12, 7), rules) == dt.date(2026, 12, 9)
        cancelled = Payment.objects.select_related("invoice").get(status=PaymentStatus.TO_RECOVER)
        assert cancelled.reversal_reason and cancelled.invoice.status == InvoiceStatus.REJECTED

        attachment = Attachment.objects.select_related("message").get()
        assert attachment.content_type == "application/pdf" and bytes(attachment.content).startswith(b"%PDF-")
        assert bytes(attachment.content).rstrip().endswith(b"%%EOF")
        assert attachment.message.agreement_id == done["attachment"]

        assert CoPayment.objects.filter(status=CoPayment.Status.PAID).count() == 1
        assert [e.pk for e in erasure_requests_open()] == [done["erasure"]]
        assert AuditEvent.objects.filter(summary__endswith="erasure requested").exists()

        audits = AuditEvent.objects.count()
        assert showcase_load(muni_b, None) == {}  # a second run writes nothing
        assert AuditEvent.objects.count() == audits and ErasureRequest.objects.count() == 1
