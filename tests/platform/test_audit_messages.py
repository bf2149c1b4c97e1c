"""Audit rows store a message code and parameters, translated when read (docs/adr/0018): every code the code
base writes is registered with its parameters supplied, every code reads in Latvian and English, the old rows'
summaries are converted once by the migration, and a code or parameters that do not fit show the stored summary."""

from __future__ import annotations

import ast
import re
from importlib import import_module
from pathlib import Path
from types import SimpleNamespace

import polib
import pytest
from django.apps import apps
from django.db import connection
from django.utils import translation

from portal.frontend.audit_display import audit_rows
from portal.platform.core.audit_messages import MESSAGES, PLACEHOLDER, english, shown
from portal.platform.core.models import AuditEvent, audit

PORTAL = Path(__file__).resolve().parents[2] / "portal"
LV = polib.pofile(str(PORTAL / "locale" / "lv" / "LC_MESSAGES" / "django.po"))
MIGRATION = import_module("portal.platform.core.migrations.0004_audit_message_codes")
WRITERS = {"audit", "audit_person", "person_viewed"}
ABOUT_PERSON = {"person", "person_id"}  # audit_person adds these


def _codes_in(node, module: ast.Module) -> list[str] | None:
    """The codes a ``message=`` expression can take: a string, a conditional of strings, or a subscript of a
    module-level dict of strings; None for an expression that is not spelt out (an f-string, a call)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        body, orelse = _codes_in(node.body, module), _codes_in(node.orelse, module)
        return None if body is None or orelse is None else body + orelse
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        for statement in module.body:
            if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Dict) and any(
                    isinstance(t, ast.Name) and t.id == node.value.id for t in statement.targets):
                return [v.value for v in statement.value.values if isinstance(v, ast.Constant)]
    return None


def _writes():
    """(where, function, codes, parameter names or None) of every call in portal/ that gives a ``message=``."""
    for path in PORTAL.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        text = path.read_text()
        if "message=" not in text:
            continue
        module = ast.parse(text)
        for node in ast.walk(module):
            if not isinstance(node, ast.Call):
                continue
            keywords = {k.arg: k.value for k in node.keywords}
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if "message" not in keywords or isinstance(keywords["message"], ast.Name):
                continue  # a message passed on from the caller's own parameter is checked at that caller
            codes = _codes_in(keywords["message"], module)
            if name not in WRITERS and not (codes and all(re.fullmatch(r"[a-z_]+\.[a-z_]+", c) for c in codes)):
                continue  # some other function's message= (an error's, a flash message)
            params = keywords.get("params")
            keys = None  # another function's parameters are checked where it calls audit()
            if name in WRITERS and isinstance(params, ast.Dict):
                keys = {k.value for k in params.keys if isinstance(k, ast.Constant)}
            elif name in WRITERS and params is None:
                keys = set()
            yield f"{path.relative_to(PORTAL.parent)}:{node.lineno}", name, codes, keys


def test_every_message_the_code_base_writes_is_registered_with_its_parameters():
    writes = list(_writes())
    assert len(writes) > 70  # the scan finds the calls
    unreadable, unknown, missing = [], [], []
    used = set()
    for where, name, codes, keys in writes:
        if codes is None:
            unreadable.append(where)
            continue
        for code in codes:
            used.add(code)
            if code not in MESSAGES:
                unknown.append(f"{where}: {code}")
            elif keys is not None:
                supplied = keys | (ABOUT_PERSON if name in ("audit_person", "person_viewed") else set())
                if lacking := MESSAGES[code].placeholders() - supplied:
                    missing.append(f"{where}: {code} lacks {sorted(lacking)}")
    assert unreadable == [] and unknown == [] and missing == []
    # The registry holds nothing the code base never writes (the retention job's rows included).
    assert set(MESSAGES) - used == set()


def test_every_registered_text_is_translated_with_the_same_placeholders_and_kinds_name_a_placeholder():
    catalogue = {e.msgid: e.msgstr for e in LV}
    for code, message in MESSAGES.items():
        assert set(message.kinds) <= message.placeholders(), code
        if not re.sub(PLACEHOLDER, "", message.shown).strip():
            continue  # nothing to translate ("", "%(who)s")
        assert catalogue.get(message.shown), (code, message.shown)
        assert set(PLACEHOLDER.findall(catalogue[message.shown])) == set(PLACEHOLDER.findall(message.shown)), code


def _sample(code: str) -> dict:
    message = MESSAGES[code]
    params = {}
    for name in message.placeholders():
        kind = message.kinds.get(name, "")
        if kind == "money":
            params[name] = "1234.50"
        elif kind.startswith("date"):
            params[name] = "2026-11-03"
        elif kind == "month":
            params[name] = "2026-11"
        elif kind.startswith("choice:"):
            app_label, model, field = kind.partition(":")[2].split(".")
            params[name] = apps.get_model(app_label, model)._meta.get_field(field).choices[0][0]
        elif kind.startswith("fields:"):
            params[name] = ["first_name"]
        elif kind == "models":
            params[name] = {"people.person": 2}
        elif kind == "api":
            params[name] = "consents"
        else:
            params[name] = "X-1"
    if message.about_person:
        params |= {"person": "Anna Bērziņa", "person_id": 5}
    return params


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_each_message_reads_in_latvian_and_in_english(code):
    params = _sample(code)
    with translation.override("lv"):
        lv = shown(code, params, summary="SUMMARY")
    with translation.override("en"):
        en = shown(code, params, summary="SUMMARY")
    assert "SUMMARY" not in (lv, en) and "%(" not in lv + en
    if re.sub(PLACEHOLDER, "", MESSAGES[code].shown).strip():
        assert lv != en, code
    else:
        assert lv == en
    if MESSAGES[code].about_person:
        assert lv.startswith("Anna Bērziņa: ") and en.startswith("Anna Bērziņa: ")
    kinds = set(MESSAGES[code].kinds.values())
    if "money" in kinds:
        assert "1\u00a0234,50\u00a0EUR" in lv and "1,234.50\u00a0EUR" in en
    if "date:locative" in kinds:
        assert "2026. gada 3. novembrī" in lv and "3 November 2026" in en
    if "month" in kinds:
        assert "2026. gada novembris" in lv and "November 2026" in en
    if "models" in kinds:
        assert "persona ×2" in lv and "person ×2" in en
    assert "people.person" not in lv + en and "first_name" not in lv + en
    # The stored English keeps the values as they are.
    assert "%(" not in english(code, params)


def test_a_code_or_parameters_that_do_not_fit_show_the_stored_summary():
    assert shown("no.such_code", {"number": "1"}, summary="stored words") == "stored words"
    assert shown("invoice.approved", {}, summary="invoice 1 approved") == "invoice 1 approved"
    assert shown("budget.granted", {"amount": "not money", "plan": 1}, summary="granted") == "granted"
    assert shown("session.recorded", {"date": "03.11.2026"}, summary="session") == "session"
    assert shown("", {}, summary="written before the codes") == "written before the codes"
    assert english("no.such_code", {}) == "no.such_code"


# Old summaries, as the code wrote them before the codes: each converts to a code whose English is the same.
OLD_SUMMARIES = [
    "sign-in", "failed sign-in for someone@example.lv", "two-factor recovery codes renewed",
    "confirmed sign-up address a@b.lv", "granted finance_officer to a@b.lv", "proposed finance_officer to a@b.lv",
    "removed social_worker from a@b.lv", "provider sign-up Logopēdijas centrs", "profile of Logopēdijas centrs",
    "provider Logopēdijas centrs verified", "provider Logopēdijas centrs approved", "service 7 refused",
    "price of service 7", "approved 3 services of Logopēdijas centrs", "price cap speech-therapy/hour",
    "price cap 7/session removed", "Stripe account acct_1 for A", "agreement rules", "agreement draft for person 5",
    "agreement awaiting_person → active", "agreement carried over from budget 3 to budget 4",
    "carry-over to budget 4 answered: kept", "co-payment 12.50 EUR by card, cs_test_abc",
    "co-payment processing (Stripe cs_test_abc)", "session 2026-11-03",
    "session confirmed (month 2026-11 confirmed at once)", "session withdrawn", "invoice draft 2026-11",
    "invoice SBS-1-00015 submitted", "invoice SBS-1-00015 rejected after payment",
    "invoice SBS-1-00015 first approval (a second finance officer completes it)",
    "invoice SBS-1-00015 payment returned", "invoice SBS-1-00015 marked paid by hand",
    "payment batch SBS-JEL-20261203-1: 2 payments, 150.00", "payment batch SBS-JEL-20261203-1 cancelled",
    "statement STMT-1: 3 paid, 1 returned, 0 unmatched", "payment 12 taken back: invoice SBS-1-00015 cancelled",
    "funding top-up 5000.00", "budget of person 5", "budget granted 1200.00 EUR for plan 9",
    "read /personas/5/: people.person ×1, people.consent ×2; 1 person(s)",
    "person list (search “bērz”, 3 found)", "Anna Bērziņa (#5): person page",
    "Anna Bērziņa (#5): API: consents",
    "Anna Bērziņa (#5): API: document plans.pdf", "Anna Bērziņa (#5): document plans.pdf",
    "Anna Bērziņa (#5): changed first_name, phone", "Anna Bērziņa (#5): legal_representative a@b.lv added",
    "Anna Bērziņa (#5): consent contact_by_email withdrawn",
    "Anna Bērziņa (#5): document attached to assessment #3", "Anna Bērziņa (#5): support plan v2",
    "Anna Bērziņa (#5): support plan v2 agreed by self", "Anna Bērziņa (#5): my plan page as self",
    "#5: erasure on request", "#5: anonymised (retention)", "retention: expired audit rows deleted",
]


@pytest.mark.parametrize("summary", OLD_SUMMARIES)
def test_the_migration_reads_an_old_summary_into_a_code_whose_english_is_the_same(summary):
    code, params = MIGRATION.convert(summary)
    assert code in MESSAGES, summary
    assert english(code, params) == summary
    with translation.override("lv"):
        assert shown(code, params, summary="SUMMARY") != "SUMMARY"


@pytest.mark.django_db
def test_the_migration_converts_the_old_rows_of_a_schema_and_leaves_the_unknown_as_they_were(in_a):
    def old(summary, **fields):
        return AuditEvent.objects.create(**{"action": AuditEvent.Action.UPDATE, "summary": summary, **fields})

    approved = old("invoice SBS-1-00015 approved")
    read = old("read /personas/5/: people.person ×1; 1 person(s)", action=AuditEvent.Action.VIEW,
               changes={"persons": [5], "person_count": 1, "read": {"people.person": 1}, "path": "/personas/5/"})
    person = old("Anna Bērziņa (#5): support plan v2 approved")
    unknown = old("something nobody wrote a pattern for")
    written = audit(actor=None, action=AuditEvent.Action.UPDATE, message="budget.closed")
    MIGRATION.forwards(apps, SimpleNamespace(connection=connection))
    rows = {row.pk: row for row in AuditEvent.objects.filter(
        pk__in=[approved.pk, read.pk, person.pk, unknown.pk, written.pk])}
    assert (rows[approved.pk].message, rows[approved.pk].params) == ("invoice.approved", {"number": "SBS-1-00015"})
    assert (rows[read.pk].message, rows[read.pk].params) == (
        "person.read", {"path": "/personas/5/", "objects": {"people.person": 1}, "n": 1})
    assert (rows[person.pk].message, rows[person.pk].params) == (
        "person.plan_approved", {"version": 2, "person": "Anna Bērziņa", "person_id": 5})
    assert (rows[unknown.pk].message, rows[unknown.pk].params) == ("", {})
    assert (rows[written.pk].message, rows[written.pk].summary) == ("budget.closed", "budget closed")
    with translation.override("lv"):
        shown_rows = {r["event"].pk: r["what"] for r in audit_rows(rows.values())}
    assert shown_rows[approved.pk].endswith(": rēķins SBS-1-00015 apstiprināts")
    assert shown_rows[read.pk].endswith(": lapa /personas/5/: persona ×1; personas: 1")
    assert shown_rows[person.pk].endswith(": Anna Bērziņa: atbalsta plāns, 2. versija, apstiprināts")
    assert shown_rows[unknown.pk].endswith(": something nobody wrote a pattern for")


@pytest.mark.django_db
def test_audit_stores_the_code_its_parameters_and_the_english_summary(in_a):
    event = audit(actor=None, action=AuditEvent.Action.CREATE, message="payment.funding_top_up",
                  params={"amount": "5000.00"})
    event.refresh_from_db()
    assert (event.message, event.params, event.summary) == (
        "payment.funding_top_up", {"amount": "5000.00"}, "funding top-up 5000.00")
    with translation.override("lv"):
        assert audit_rows([event])[0]["what"].endswith("finansējuma papildinājums: 5\u00a0000,00\u00a0EUR")
    with translation.override("en"):
        assert audit_rows([event])[0]["what"].endswith("funding top-up: 5,000.00\u00a0EUR")
