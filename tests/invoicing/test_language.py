"""Each role's main pages in Latvian carry no English words or internal ids, and in English no Latvian:
statuses, ledger references, audit actions and objects, invoice references (issue 10, "Language")."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.utils import translation
from django.utils.html import strip_tags

from portal.marketplace.invoicing.invoices import invoice_approve
from portal.platform.core.audit_messages import shown
from portal.platform.core.models import AuditEvent, audit
from portal.tenants.roles import Role
from tests.conftest import MUNICIPALITY_A

from .test_pages import submitted_invoice

pytestmark = pytest.mark.django_db

# English words that are stored codes or technical references, never text for a Latvian reader.
ENGLISH_IN_LATVIAN = re.compile(
    r"\b(submitted|approved|rejected|awaiting_person|awaiting_provider|awaiting_municipality|recorded|confirmed"
    r"|agreement \d+|invoice SBS|plan:\d+|close:\d+|sign-in|accounts\.user|people\.person|invoicing\.invoice)\b")
# Latvian words for statuses and references, never in the English interface.
LATVIAN_IN_ENGLISH = re.compile(r"\b(Iesniegts|Apstiprināts|Aktīva|Reģistrēta|Apstiprināta|Vienošanās|Rēķins"
                                r"|melnraksts|iegāja)\b", re.IGNORECASE)
INTERNAL_ID = re.compile(r"#\d+")


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    body = response.content.decode()
    main = body[body.find("<main"):body.find("</main>")]
    return strip_tags(main)


def _pages(world, agreement, user_of, client_for, language, on_commit):
    finance = user_of(Role.FINANCE_OFFICER)
    with on_commit(execute=True):  # the provider's index is written on commit
        invoice = submitted_invoice(world, agreement)
        invoice_approve(invoice=invoice, actor=finance)
    admin = user_of(Role.MUNICIPALITY_ADMIN)
    audit(actor=admin, action=AuditEvent.Action.LOGIN, obj=admin, message="account.signed_in")
    audit(actor=finance, action=AuditEvent.Action.UPDATE, obj=invoice, message="invoice.approved",
          params={"number": str(invoice)})
    connection.set_schema_to_public()
    return invoice, {
        "budget (social worker)": client_for(MUNICIPALITY_A, user=user_of(Role.SOCIAL_WORKER), language=language)
        .get(f"/budzeti/{world.budget.pk}/"),
        "audit log (administrator)": client_for(MUNICIPALITY_A, user=admin, language=language).get("/audits/"),
        "invoice (finance)": client_for(MUNICIPALITY_A, user=finance, language=language)
        .get(f"/rekini/{invoice.pk}/"),
        "work (provider)": client_for(None, user=world.staff, language=language).get("/sniedzejs/darbs/"),
        "agreement (person)": client_for(MUNICIPALITY_A, user=world.person_user, language=language)
        .get(f"/vienosanas/{agreement.pk}/"),
    }


def test_the_latvian_pages_show_no_english_codes_or_internal_ids(world, agreement, user_of, client_for,
                                                                 django_capture_on_commit_callbacks):
    invoice, pages = _pages(world, agreement, user_of, client_for, "lv", django_capture_on_commit_callbacks)
    texts = {name: _text(response) for name, response in pages.items()}
    leaks = {name: ENGLISH_IN_LATVIAN.findall(text) + INTERNAL_ID.findall(text) for name, text in texts.items()}
    assert {name: found for name, found in leaks.items() if found} == {}
    assert f"Rēķins {invoice.display_number}" in texts["budget (social worker)"]  # the ledger's reference
    assert "iegāja" in texts["audit log (administrator)"] and "lietotājs" in texts["audit log (administrator)"]
    assert invoice.display_number in texts["work (provider)"]
    assert "no " in texts["agreement (person)"] and " gada " in texts["agreement (person)"]  # the period in words


def test_the_english_pages_show_no_latvian_statuses_or_references(world, agreement, user_of, client_for,
                                                                   django_capture_on_commit_callbacks):
    invoice, pages = _pages(world, agreement, user_of, client_for, "en", django_capture_on_commit_callbacks)
    texts = {name: _text(response) for name, response in pages.items()}
    leaks = {name: LATVIAN_IN_ENGLISH.findall(text) for name, text in texts.items()}
    assert {name: found for name, found in leaks.items() if found} == {}
    assert f"Invoice {invoice.display_number}" in texts["budget (social worker)"]
    assert "user" in texts["audit log (administrator)"] and "accounts.user" not in texts["audit log (administrator)"]


# What the price caps, payments, batches, bank statements and Stripe wrote to the audit log before the message
# codes (ADR 0018), and what the Latvian audit page shows for them once the migration gave them their codes.
MONEY_SUMMARIES = {
    "price cap speech-therapy/hour": "cenu griesti noteikti",
    "price cap 7/session removed": "cenu griesti noņemti",
    "payment batch SBS-JEL-20261203-1: 2 payments, 150.00": "maksājumu pakete SBS-JEL-20261203-1: maksājumi 2, kopā",
    "payment batch SBS-JEL-20261203-1 exported": "maksājumu pakete SBS-JEL-20261203-1 eksportēta",
    "payment batch SBS-JEL-20261203-1 confirmed": "maksājumu pakete SBS-JEL-20261203-1 apstiprināta",
    "payment batch SBS-JEL-20261203-1 cancelled": "maksājumu pakete SBS-JEL-20261203-1 atcelta",
    "statement STMT-1: 3 paid, 1 returned, 0 unmatched": "bankas izraksts STMT-1: samaksāti 3, atgriezti 1, nesasaistīti 0",
    "payment 12 retried": "maksājums mēģināts vēlreiz",
    "payment 12 recovered": "maksājums atgūts",
    "payment 12 taken back: invoice SBS-1-00015 cancelled": "maksājums atsaukts: rēķins SBS-1-00015 atcelts",
    "funding top-up 5000.00": "finansējuma papildinājums: 5",
    "Stripe account acct_1AbC for Logopēdijas centrs": "Stripe konts: Logopēdijas centrs",
    "co-payment 12.50 EUR by card, cs_test_abc": "līdzmaksājums ar karti: 12,50",
    "co-payment paid (Stripe cs_test_abc)": "līdzmaksājums samaksāts",
    "co-payment expired (Stripe cs_test_abc)": "līdzmaksājums nav samaksāts laikā",
    "co-payment failed (Stripe cs_test_abc)": "līdzmaksājums neizdevās",
    "invoice SBS-1-00015 rejected after payment": "rēķins SBS-1-00015 noraidīts pēc samaksas",
}


def test_price_cap_payment_and_stripe_audit_summaries_are_in_latvian():
    from importlib import import_module

    convert = import_module("portal.platform.core.migrations.0004_audit_message_codes").convert
    converted = {summary: convert(summary) for summary in MONEY_SUMMARIES}
    with translation.override("lv"):
        shown_lv = {summary: shown(*converted[summary], summary=summary) for summary in MONEY_SUMMARIES}
    for summary, expected in MONEY_SUMMARIES.items():
        assert shown_lv[summary].startswith(expected), (summary, shown_lv[summary])
        assert not re.search(r"\b(payment|batch|statement|price cap|co-payment|top-up|cs_test|acct_)",
                             shown_lv[summary])
    with translation.override("en"):
        assert shown(*convert("payment batch X-1 exported")) == "payment batch X-1 exported"
        assert shown(*convert("Stripe account acct_1 for A")) == "Stripe account for A"
