"""Each role's main pages in Latvian carry no English words or internal ids, and in English no Latvian:
statuses, ledger references, audit actions and objects, invoice references (issue 10, "Language")."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.utils.html import strip_tags

from portal.marketplace.invoicing.invoices import invoice_approve
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
    audit(actor=admin, action=AuditEvent.Action.LOGIN, obj=admin, summary="sign-in")
    audit(actor=finance, action=AuditEvent.Action.UPDATE, obj=invoice, summary=f"invoice {invoice} approved")
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
