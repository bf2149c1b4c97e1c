"""The audit log in the reader's language: the stored summaries are a technical record in English
("sign-in", "invoice SBS-1-00015 approved", "read /personas/5/: people.person ×1; 1 person(s)"); the page
shows them in words of the page's language, and each object by its name rather than "accounts.user 2"."""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal

from django.apps import apps
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.marketplace.agreements.models import AgreementStatus
from portal.marketplace.approvals.models import ApprovalStatus
from portal.platform.core.money import format_eur

# Summaries that only repeat the action ("signed in: sign-in") are left out.
REPEATS_THE_ACTION = {"sign-in", "sign-out"}
FIXED = {
    "agreement rules": gettext_lazy("agreement rules"),
    "session confirmed": gettext_lazy("session confirmed"),
    "session disputed": gettext_lazy("session disputed"),
    "session corrected": gettext_lazy("session corrected"),
    "session withdrawn": gettext_lazy("session withdrawn"),
    "invoice draft deleted": gettext_lazy("invoice draft deleted"),
    "payment settings changed": gettext_lazy("payment settings changed"),
    "message reported": gettext_lazy("message reported"),
    "two-factor app set up": gettext_lazy("two-step sign-in set up"),
    "wrong two-factor code": gettext_lazy("wrong two-step sign-in code"),
    "budget closed": gettext_lazy("budget closed"),
    "budget methodology changed": gettext_lazy("budget methodology changed"),
    "rejected after payment": gettext_lazy("rejected after payment"),
    # What of a person's record was read (people's pages and API).
    "person page": gettext_lazy("person page"),
    "edit form": gettext_lazy("edit form"),
    "person": gettext_lazy("person"),
    "relations": gettext_lazy("relations"),
    "consents": gettext_lazy("consents"),
    "needs assessments": gettext_lazy("needs assessments"),
    "support plans": gettext_lazy("support plans"),
    "support plan": gettext_lazy("support plan"),
}
INVOICE_EVENTS = {
    "submitted": gettext_lazy("invoice %(number)s submitted"),
    "approved": gettext_lazy("invoice %(number)s approved"),
    "rejected": gettext_lazy("invoice %(number)s rejected"),
    "paid": gettext_lazy("invoice %(number)s paid"),
    "payment returned": gettext_lazy("invoice %(number)s: payment returned"),
    "marked paid by hand": gettext_lazy("invoice %(number)s marked paid by hand"),
}
_INVOICE = re.compile(r"^invoice (?P<number>\S+) (?P<what>submitted|approved|rejected|paid|payment returned|"
                      r"marked paid by hand)$")
_AGREEMENT = re.compile(r"^agreement (?P<before>\w+) → (?P<after>\w+)$")
_FAILED = re.compile(r"^failed sign-in for (?P<who>.+)$")
_READ = re.compile(r"^read (?P<path>\S+): (?P<objects>.*); (?P<n>\d+) person\(s\)$")
_PATTERNS = [
    (re.compile(r"^invoice draft (?P<month>\d{4}-\d{2})$"), gettext_lazy("invoice draft for %(month)s")),
    (re.compile(r"^session (?P<date>\d{4}-\d{2}-\d{2})$"), gettext_lazy("session on %(date)s")),
    (re.compile(r"^agreement draft for person \d+$"), gettext_lazy("agreement draft")),
    (re.compile(r"^budget of person \d+$"), gettext_lazy("budget")),
    (re.compile(r"^person registered$"), gettext_lazy("person registered")),
    (re.compile(r"^needs assessment recorded$"), gettext_lazy("needs assessment recorded")),
    (re.compile(r"^relation ended$"), gettext_lazy("relation ended")),
    (re.compile(r"^support person's view changed$"), gettext_lazy("what the support person sees changed")),
    (re.compile(r"^document attached to assessment #\d+$"), gettext_lazy("document attached to the assessment")),
    (re.compile(r"^support plan v(?P<version>\d+) approved$"), gettext_lazy("support plan, version %(version)s, approved")),
    (re.compile(r"^support plan v(?P<version>\d+) changed$"), gettext_lazy("support plan, version %(version)s, changed")),
    (re.compile(r"^support plan v(?P<version>\d+) reviewed$"), gettext_lazy("support plan, version %(version)s, reviewed")),
    (re.compile(r"^support plan v(?P<version>\d+) drafted$"), gettext_lazy("support plan, version %(version)s, drafted")),
    (re.compile(r"^support plan v(?P<version>\d+) agreed by \w+$"), gettext_lazy("support plan, version %(version)s, agreed")),
    (re.compile(r"^erasure on request$"), gettext_lazy("erased on request")),
    (re.compile(r"^anonymised \(retention\)$"), gettext_lazy("anonymised at the end of the retention period")),
    (re.compile(r"^budget granted (?P<amount>[\d.]+) EUR for plan \d+$"), gettext_lazy("budget granted: %(amount)s")),
    # Price caps, payments, batches, bank statements and Stripe (the codes and ids stay out of the words).
    (re.compile(r"^price cap \S+/\S+ removed$"), gettext_lazy("price cap removed")),
    (re.compile(r"^price cap \S+/\S+$"), gettext_lazy("price cap set")),
    (re.compile(r"^payment batch (?P<id>\S+): (?P<n>\d+) payments, (?P<amount>[\d.]+)$"),
     gettext_lazy("payment batch %(id)s: payments %(n)s, total %(amount)s")),
    (re.compile(r"^payment batch (?P<id>\S+) exported$"), gettext_lazy("payment batch %(id)s exported")),
    (re.compile(r"^payment batch (?P<id>\S+) confirmed$"), gettext_lazy("payment batch %(id)s confirmed")),
    (re.compile(r"^payment batch (?P<id>\S+) cancelled$"), gettext_lazy("payment batch %(id)s cancelled")),
    (re.compile(r"^statement (?P<id>\S+): (?P<paid>\d+) paid, (?P<returned>\d+) returned, (?P<unmatched>\d+) unmatched$"),
     gettext_lazy("bank statement %(id)s: paid %(paid)s, returned %(returned)s, not matched %(unmatched)s")),
    (re.compile(r"^payment \d+ retried$"), gettext_lazy("payment retried")),
    (re.compile(r"^payment \d+ recovered$"), gettext_lazy("payment recovered")),
    (re.compile(r"^payment \d+ taken back: invoice (?P<number>\S+) cancelled$"),
     gettext_lazy("payment taken back: invoice %(number)s cancelled")),
    (re.compile(r"^funding top-up (?P<amount>[\d.]+)$"), gettext_lazy("funding top-up: %(amount)s")),
    (re.compile(r"^Stripe account \S+ for (?P<name>.+)$"), gettext_lazy("Stripe account for %(name)s")),
    (re.compile(r"^co-payment (?P<amount>[\d.]+) EUR by card, \S+$"), gettext_lazy("co-payment by card: %(amount)s")),
    (re.compile(r"^co-payment paid \(Stripe \S+\)$"), gettext_lazy("co-payment paid")),
    (re.compile(r"^co-payment expired \(Stripe \S+\)$"), gettext_lazy("co-payment not paid in time")),
    (re.compile(r"^co-payment processing \(Stripe \S+\)$"), gettext_lazy("co-payment being processed")),
    (re.compile(r"^co-payment failed \(Stripe \S+\)$"), gettext_lazy("co-payment failed")),
]
# Objects named by what they are called; any other object by its kind only (its str() is a technical record).
NAMED = {"accounts.user", "people.person", "invoicing.invoice"}
_ABOUT_PERSON = re.compile(r"^(?P<name>.*?) ?\(?#\d+\)?: (?P<what>.+)$")
_DECISION = re.compile(r"^(?P<kind>provider|service) (?P<name>.+) (?P<status>pending|approved|refused|suspended)$")
_READ_ITEM = re.compile(r"(?P<label>[\w.]+) ×(?P<n>\d+)")


def model_name(label: str) -> str:
    """"accounts.user" → "lietotājs" / "user"; an unknown label as it is."""
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


def summary_text(summary: str) -> str:
    if not summary or summary in REPEATS_THE_ACTION:
        return ""
    if summary in FIXED:
        return str(FIXED[summary])
    if match := _INVOICE.match(summary):
        return str(INVOICE_EVENTS[match["what"]]) % {"number": match["number"]}
    if match := _AGREEMENT.match(summary):
        labels = dict(AgreementStatus.choices)
        return _("agreement %(before)s → %(after)s") % {"before": labels.get(match["before"], match["before"]),
                                                          "after": labels.get(match["after"], match["after"])}
    for pattern, text in _PATTERNS:
        if match := pattern.match(summary):
            values = match.groupdict()
            if "amount" in values:
                values["amount"] = format_eur(Decimal(values["amount"]))
            return str(text) % values
    if match := _DECISION.match(summary):
        status = dict(ApprovalStatus.choices)[match["status"]]
        if match["kind"] == "service":
            return _("service: %(status)s") % {"status": status}
        return _("provider %(name)s: %(status)s") % {"name": match["name"], "status": status}
    if match := _ABOUT_PERSON.match(summary):
        what = summary_text(match["what"])
        return f"{match['name']}: {what}" if match["name"] else what
    if match := _FAILED.match(summary):
        return match["who"]
    if match := _READ.match(summary):
        objects = ", ".join(f"{model_name(m['label'])} ×{m['n']}" for m in _READ_ITEM.finditer(match["objects"]))
        return _("page %(path)s: %(objects)s; persons: %(n)s") % {"path": match["path"], "objects": objects,
                                                                   "n": match["n"]}
    return summary


def _names(label: str, ids: set[str]) -> dict[str, str]:
    """The names of the objects of one type on the page: one query per type."""
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return {}
    keys = [int(i) for i in ids if i.isdigit()]
    if model.__name__ == "Agreement":
        return {str(k): _("No. %(n)s") % {"n": k} for k in keys}
    if label not in NAMED:
        return {str(k): "" for k in keys}
    return {str(obj.pk): str(obj) for obj in model._default_manager.filter(pk__in=keys)}


def audit_rows(events) -> list[dict]:
    """Each event with its action, summary and object in words; the objects' names fetched per type."""
    events = list(events)
    by_type = defaultdict(set)
    for event in events:
        if event.object_type and event.object_id:
            by_type[event.object_type].add(event.object_id)
    names = {label: _names(label, ids) for label, ids in by_type.items()}
    rows = []
    for event in events:
        summary = summary_text(event.summary)
        what = event.get_action_display() + (f": {summary}" if summary else "")
        obj = ""
        if event.object_type:
            name = names.get(event.object_type, {}).get(event.object_id, event.object_id)
            obj = f"{model_name(event.object_type)}: {name}" if name else model_name(event.object_type)
        rows.append({"event": event, "what": what, "object": obj})
    return rows
