"""Give the audit rows written before the message codes (ADR 0018) their code and parameters, once, in every
schema: the summaries' old patterns (formerly frontend/audit_display.py) read back into code + params. A row
that matches none keeps message "" and the page shows its summary as before. Reads, most of the rows, are
converted by one UPDATE from what their ``changes`` already hold; the rest row by row."""

import re

from django.db import migrations

BATCH = 1000
# Parameters that were numbers when written.
INTEGERS = {"n", "paid", "returned", "unmatched", "version", "person_id", "plan", "payment", "service",
            "assessment", "previous", "budget"}
EXACT = {
    "sign-in": "account.signed_in",
    "sign-out": "account.signed_out",
    "two-factor app set up": "account.two_factor_set_up",
    "wrong two-factor code": "account.two_factor_wrong_code",
    "wrong two-factor code when renewing recovery codes": "account.two_factor_wrong_code_renewing",
    "two-factor recovery codes renewed": "account.recovery_codes_renewed",
    "agreement rules": "agreement.rules_changed",
    "session confirmed": "session.confirmed",
    "session disputed": "session.disputed",
    "session corrected": "session.corrected",
    "session withdrawn": "session.withdrawn",
    "invoice draft deleted": "invoice.draft_deleted",
    "payment settings changed": "payment.settings_changed",
    "budget closed": "budget.closed",
    "budget methodology changed": "budget.methodology_changed",
    "message reported": "message.reported",
    "retention: free text anonymised": "retention.free_text_anonymised",
    "retention: expired audit rows deleted": "retention.audit_expired",
}
INVOICE_EVENTS = {
    "submitted": "invoice.submitted", "approved": "invoice.approved", "rejected": "invoice.rejected",
    "rejected after payment": "invoice.rejected_after_payment", "paid": "invoice.paid",
    "payment returned": "invoice.payment_returned", "marked paid by hand": "invoice.marked_paid_by_hand",
    "first approval (a second finance officer completes it)": "invoice.first_approval",
}
PATTERNS = [
    (r"failed sign-in for (?P<who>.+)", "account.sign_in_failed"),
    (r"confirmed sign-up address (?P<email>\S+)", "account.sign_up_address_confirmed"),
    (r"proposed (?P<role>\S+) to (?P<email>\S+)", "role.proposed"),
    (r"granted (?P<role>\S+) to (?P<email>\S+)", "role.granted"),
    (r"confirmed (?P<role>\S+) for (?P<email>\S+)", "role.confirmed"),
    (r"removed (?P<role>\S+) from (?P<email>\S+)", "role.removed"),
    (r"provider sign-up (?P<name>.+)", "provider.signed_up"),
    (r"profile of (?P<name>.+)", "provider.profile_changed"),
    (r"provider (?P<name>.+) (?P<status>verified)", "provider.status_changed"),
    (r"provider (?P<name>.+) (?P<status>pending|approved|refused|suspended)", "provider.decided"),
    (r"service (?P<service>\d+) (?P<status>pending|approved|refused|suspended)", "service.decided"),
    (r"price of service (?P<service>\d+)", "service.price_changed"),
    (r"approved (?P<n>\d+) services of (?P<name>.+)", "services.approved"),
    (r"price cap (?P<service_type>[^/\s]+)/(?P<unit>\S+) removed", "price_cap.removed"),
    (r"price cap (?P<service_type>[^/\s]+)/(?P<unit>\S+)", "price_cap.set"),
    (r"Stripe account (?P<account>\S+) for (?P<name>.+)", "stripe.account_created"),
    (r"agreement draft for person (?P<person_id>\d+)", "agreement.drafted"),
    (r"agreement (?P<before>\w+) → (?P<after>\w+)", "agreement.status_changed"),
    (r"agreement carried over from budget (?P<previous>\d+) to budget (?P<budget>\d+)", "agreement.carried_over"),
    (r"carry-over to budget (?P<budget>\d+) answered: (?P<answer>\w+)", "agreement.carry_over_answered"),
    (r"co-payment (?P<amount>-?[\d.]+) EUR by card, (?P<session>\S+)", "copayment.by_card"),
    (r"co-payment paid \(Stripe (?P<session>\S+)\)", "copayment.paid"),
    (r"co-payment expired \(Stripe (?P<session>\S+)\)", "copayment.expired"),
    (r"co-payment processing \(Stripe (?P<session>\S+)\)", "copayment.processing"),
    (r"co-payment failed \(Stripe (?P<session>\S+)\)", "copayment.failed"),
    (r"session (?P<date>\d{4}-\d{2}-\d{2})", "session.recorded"),
    (r"session confirmed \(month (?P<month>\d{4}-\d{2}) confirmed at once\)", "session.confirmed_with_month"),
    (r"invoice draft (?P<month>\d{4}-\d{2})", "invoice.drafted"),
    (r"payment batch (?P<id>\S+): (?P<n>\d+) payments, (?P<amount>-?[\d.]+)", "payment.batch_created"),
    (r"payment batch (?P<id>\S+) exported", "payment.batch_exported"),
    (r"payment batch (?P<id>\S+) confirmed", "payment.batch_confirmed"),
    (r"payment batch (?P<id>\S+) cancelled", "payment.batch_cancelled"),
    (r"statement (?P<id>\S+): (?P<paid>\d+) paid, (?P<returned>\d+) returned, (?P<unmatched>\d+) unmatched",
     "payment.statement_imported"),
    (r"payment (?P<payment>\d+) retried", "payment.retried"),
    (r"payment (?P<payment>\d+) recovered", "payment.recovered"),
    (r"payment (?P<payment>\d+) taken back: invoice (?P<number>\S+) cancelled", "payment.taken_back"),
    (r"funding top-up (?P<amount>-?[\d.]+)", "payment.funding_top_up"),
    (r"budget of person (?P<person_id>\d+)", "budget.viewed"),
    (r"budget granted (?P<amount>-?[\d.]+) EUR for plan (?P<plan>\d+)", "budget.granted"),
    (r"person list \(search “(?P<query>.*)”, (?P<n>\d+) found\)", "person.list_searched"),
]
# What of a person's data a row about the person says ("Name (#5): what", "#5: what").
PERSON_EXACT = {
    "person page": "person.page_viewed",
    "edit form": "person.edit_form_viewed",
    "person registered": "person.registered",
    "support person's view changed": "person.relation_view_changed",
    "relation ended": "person.relation_ended",
    "needs assessment recorded": "person.assessment_recorded",
    "erasure requested": "person.erasure_requested",
    "erasure on request": "person.erased",
    "anonymised (retention)": "person.anonymised",
}
PERSON_PATTERNS = [
    (r"document attached to assessment #(?P<assessment>\d+)", "person.assessment_document_attached"),
    (r"API: document (?P<file>.+)", "person.api_document_read"),
    (r"API: (?P<what>.+)", "person.api_read"),
    (r"document (?P<file>.+)", "person.document_viewed"),
    (r"my plan page as (?P<capacity>\S+)", "person.my_plan_viewed"),
    (r"changed (?P<fields>.+)", "person.changed"),
    (r"(?P<kind>\S+) (?P<email>\S+@\S+) added", "person.relation_added"),
    (r"consent (?P<kind>\S+) recorded", "person.consent_recorded"),
    (r"consent (?P<kind>\S+) withdrawn", "person.consent_withdrawn"),
    (r"support plan v(?P<version>\d+)", "person.plan_viewed"),
    (r"support plan v(?P<version>\d+) drafted", "person.plan_drafted"),
    (r"support plan v(?P<version>\d+) changed", "person.plan_changed"),
    (r"support plan v(?P<version>\d+) approved", "person.plan_approved"),
    (r"support plan v(?P<version>\d+) reviewed", "person.plan_reviewed"),
    (r"support plan v(?P<version>\d+) agreed by (?P<capacity>\S+)", "person.plan_agreed"),
]
_INVOICE = re.compile(r"invoice (?P<number>\S+) (?P<what>" + "|".join(re.escape(w) for w in INVOICE_EVENTS) + ")")
_ABOUT_PERSON = re.compile(r"(?:(?P<person>.*?) \(#(?P<id>\d+)\)|#(?P<bare_id>\d+)): (?P<what>.+)")
_READ = re.compile(r"read (?P<path>\S+): (?P<objects>.*); (?P<n>\d+) person\(s\)")
_READ_ITEM = re.compile(r"(?P<label>[\w.]+) ×(?P<n>\d+)")
_PATTERNS = [(re.compile(p), code) for p, code in PATTERNS]
_PERSON_PATTERNS = [(re.compile(p), code) for p, code in PERSON_PATTERNS]


def _values(match) -> dict:
    return {k: int(v) if k in INTEGERS else v for k, v in match.groupdict().items()}


def _plain(summary: str, patterns) -> tuple[str, dict] | None:
    for pattern, code in patterns:
        if match := pattern.fullmatch(summary):
            return code, _values(match)
    return None


def convert(summary: str, changes: dict | None = None) -> tuple[str, dict]:
    """(code, params) for an old summary; ("", {}) when it matches no known pattern."""
    changes = changes or {}
    if summary in EXACT:
        return EXACT[summary], {}
    if match := _INVOICE.fullmatch(summary):
        return INVOICE_EVENTS[match["what"]], {"number": match["number"]}
    if match := _READ.fullmatch(summary):
        objects = changes.get("read") or {m["label"]: int(m["n"]) for m in _READ_ITEM.finditer(match["objects"])}
        return "person.read", {"path": match["path"], "objects": objects, "n": int(match["n"])}
    if found := _plain(summary, _PATTERNS):
        code, params = found
        if code == "copayment.by_card" or code == "payment.funding_top_up" or code == "budget.granted" \
                or code == "payment.batch_created":
            params["amount"] = str(params["amount"])
        return code, params
    if match := _ABOUT_PERSON.fullmatch(summary):
        what = match["what"]
        about = {"person": match["person"], "person_id": int(match["id"])} if match["id"] else {
            "person_id": int(match["bare_id"])}
        if what in PERSON_EXACT:
            return PERSON_EXACT[what], about
        if found := _plain(what, _PERSON_PATTERNS):
            code, params = found
            if code == "person.changed":
                params["fields"] = params["fields"].split(", ")
            return code, {**params, **about}
    return "", {}


READS = r"""
UPDATE core_auditevent
   SET message = 'person.read',
       params = jsonb_build_object('path', COALESCE(substring(summary from '^read (\S+): '), changes->>'path'),
                                   'objects', changes->'read', 'n', changes->'person_count')
 WHERE message = '' AND summary LIKE 'read %%' AND changes ? 'read' AND changes ? 'person_count'
"""


def forwards(apps, schema_editor):
    AuditEvent = apps.get_model("core", "AuditEvent")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(READS)
    changed = []
    for row in AuditEvent.objects.filter(message="").only("summary", "changes").iterator(chunk_size=BATCH):
        code, params = convert(row.summary, row.changes)
        if code:
            row.message, row.params = code, params
            changed.append(row)
        if len(changed) >= BATCH:
            AuditEvent.objects.bulk_update(changed, ["message", "params"])
            changed = []
    if changed:
        AuditEvent.objects.bulk_update(changed, ["message", "params"])


class Migration(migrations.Migration):
    dependencies = [("core", "0003_auditevent_message_params")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
