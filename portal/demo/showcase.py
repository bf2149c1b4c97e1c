"""Demo of the newest features, in two municipalities (``SHOWCASE``), through their services: a paid
invoice cancelled afterwards (its bank payment "to be recovered"), a weekly payment run (expected payment
dates), a message with a PDF attachment in an agreement's conversation, an erasure request waiting for a
social worker, and a co-payment paid — each where the municipality's data allows it. Idempotent: a
municipality holding any of these rows is left alone. Fast: a handful of service calls (0.1–0.2 s).

Not in the municipalities the test session loads (jelgava, liepaja), whose tests start from no erasure
request and no cancelled payment; ``tests/catalogue/test_demo_showcase.py`` runs ``showcase_load`` on Liepāja.
"""

from __future__ import annotations

import time

from django.db import transaction
from django.urls import reverse
from fpdf import FPDF

from portal.budgets.people.models import Person
from portal.budgets.people.retention import erasure_request
from portal.marketplace.agreements.copayments import copayment_due, copayment_open, copayment_settle
from portal.marketplace.agreements.models import Agreement, AgreementStatus, CoPayment
from portal.marketplace.catalogue.models import ProviderStaff
from portal.marketplace.payments.models import Payment, PaymentSettings, PaymentStatus, Rail
from portal.marketplace.payments.services import payment_reverse, payment_settings_update
from portal.notifications.threads.models import Attachment
from portal.notifications.threads.services import message_post
from portal.platform.accounts.models import User

from .users import municipal_email

# Served by the demo provider (portal/demo/catalogue.py): Ogre on the bank rail (a payment to recover, the
# weekly run); Bauska on Stripe, with an agreement above the cap (its co-payment paid).
SHOWCASE = {"ogre", "bauska"}
ATTACHMENT_NAME = "nodarbibu-grafiks.pdf"
DEMO_SESSION = "cs_demo_"  # the demo co-payment's Checkout Session id prefix (no Stripe call is made)
PAYMENT_WEEKDAY = 2  # Wednesday: the bank rail's weekly payment run
TENANT_URLS = "portal.platform.urls_tenant"


def _say(out, message):
    if out is not None:
        print(message, file=out, flush=True)


def load(municipality, out):
    if municipality.code in SHOWCASE:
        showcase_load(municipality, out)


def timetable_pdf() -> bytes:
    """A small, valid one-page PDF (the provider's timetable sent in the conversation)."""
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.cell(text="Nodarbibu grafiks: otrdienas un ceturtdienas, plkst. 10:00-11:00")
    return bytes(pdf.output())


def _shown() -> bool:
    """Whether the showcase ran here already (any of its rows)."""
    return (Attachment.objects.filter(file_name=ATTACHMENT_NAME).exists()
            or Payment.objects.filter(status=PaymentStatus.TO_RECOVER).exists()
            or CoPayment.objects.filter(checkout_session_id__startswith=DEMO_SESSION).exists())


def showcase_load(municipality, out) -> dict:
    """The newest features' demo rows in ``municipality`` (the current schema); what was written."""
    started = time.perf_counter()
    done: dict[str, object] = {}
    finance = User.objects.filter(email=municipal_email("finanses", municipality.code)).first()
    person_user = User.objects.filter(email=municipal_email("persona", municipality.code)).first()
    if finance is None or person_user is None or _shown():
        return done
    person = Person.objects.filter(user=person_user).first()
    with transaction.atomic():
        rules = PaymentSettings.current()
        if rules.rail == Rail.BANK_FILE:
            payment_settings_update(actor=finance, rail=rules.rail, debtor_name=rules.debtor_name,
                                    debtor_iban=rules.debtor_iban, debtor_bic=rules.debtor_bic,
                                    payment_weekday=PAYMENT_WEEKDAY,
                                    business_days_after_approval=rules.business_days_after_approval)
            done["payment_weekday"] = PAYMENT_WEEKDAY
        paid = Payment.objects.filter(status=PaymentStatus.PAID, amount__gt=0).order_by("-pk").first()
        if paid is not None:
            done["cancelled"] = payment_reverse(
                payment=paid, actor=finance,
                reason="Rēķinā iekļautas nodarbības, kas nenotika (sniedzējs to apstiprināja).").status
        agreements = (Agreement.objects.filter(person=person, status=AgreementStatus.ACTIVE)
                      .select_related("service").order_by("pk")) if person else Agreement.objects.none()
        agreement = agreements.first()
        staff = (ProviderStaff.objects.filter(provider_id=agreement.provider_id).select_related("user").first()
                 if agreement else None)
        if staff is not None:
            message_post(agreement=agreement, actor=staff.user, capacity="provider",
                         link=reverse("notifications:thread", urlconf=TENANT_URLS,
                                      kwargs={"agreement_id": agreement.pk}),
                         body="Pielikumā nodarbību grafiks nākamajam mēnesim.",
                         attachment=(ATTACHMENT_NAME, timetable_pdf()))
            done["attachment"] = agreement.pk
        active = Agreement.objects.filter(status=AgreementStatus.ACTIVE, copayment_per_unit__gt=0).select_related(
            "person__user").order_by("pk")
        for with_copayment in active:  # the family pays the part above the cap (as Stripe's webhook records it)
            due = copayment_due(with_copayment)
            if due > 0:
                session_id = f"{DEMO_SESSION}{municipality.code}_{with_copayment.pk}"
                copayment_open(agreement=with_copayment, amount=due, checkout_session_id=session_id,
                               actor=with_copayment.person.user or person_user)
                done["copayment"] = copayment_settle(checkout_session_id=session_id, paid=True).status
                break
        if person is not None:
            done["erasure"] = erasure_request(person=person, actor=person_user).pk
    _say(out, f"  showcase: {municipality.code}: {', '.join(done)} ({time.perf_counter() - started:.2f} s)")
    return done
