"""The audit log in the reader's language: each row's message code and parameters in words of the page's
language (portal/platform/core/audit_messages.py, ADR 0018), and each object by its name rather than
"accounts.user 2". A row without a known code shows its stored (English) summary."""

from __future__ import annotations

from collections import defaultdict

from django.apps import apps
from django.utils.translation import gettext as _

from portal.platform.core import audit_messages
from portal.platform.core.audit_messages import model_name

# Objects named by what they are called; any other object by its kind only (its str() is a technical record).
NAMED = {"accounts.user", "people.person", "invoicing.invoice"}


def summary_text(event) -> str:
    """What the row says happened, in the page's language."""
    return audit_messages.shown(event.message, event.params or {}, summary=event.summary)


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
        summary = summary_text(event)
        what = event.get_action_display() + (f": {summary}" if summary else "")
        obj = ""
        if event.object_type:
            name = names.get(event.object_type, {}).get(event.object_id, event.object_id)
            obj = f"{model_name(event.object_type)}: {name}" if name else model_name(event.object_type)
        rows.append({"event": event, "what": what, "object": obj})
    return rows
