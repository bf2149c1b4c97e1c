"""Retention of free text about a person and of the audit log (docs/subsystems/privacy.md, the table).

Records that must stay for their legal term (agreements, sessions, messages: accounting and contract documents)
keep their amounts, dates and links; what was *written about the person* in them — notes, reasons, messages,
staff names — is blanked once the record's own term has passed. Each area registers its models where they are
defined (``free_text(Model, fields=…, expired=…)`` at the end of its ``models.py``), the way it registers
personal data for the read audit; the daily retention job (``portal.people.retention``) then runs every rule in
the municipality's schema. A rule touches only rows not blanked yet, so a run is idempotent.

The audit log expires too: reads of personal data after ``AUDIT_READ_YEARS``, everything else after
``AUDIT_YEARS`` (the reasons are in privacy.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q

from .dates import add_months

ACCOUNTING_YEARS = 5  # agreements, sessions, invoices, ledger: the Accounting Law's term for supporting documents
AUDIT_READ_YEARS = 2  # "who looked": long enough to notice, ask and complain; then the log itself is a profile
AUDIT_YEARS = 5  # changes, sign-ins, decisions: accountability beside the accounting documents they concern
REMOVED = "—"  # what a required text field holds once blanked (an optional one becomes empty)


@dataclass(frozen=True)
class FreeText:
    model: type
    fields: dict[str, str]  # field → what it holds after anonymisation
    expired: Callable[[dt.date], Q]  # today → the rows whose term has passed

    @property
    def label(self) -> str:
        return self.model._meta.label_lower


_RULES: dict[type, FreeText] = {}


def years_after(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later (earlier when negative); 29 February becomes 28 February."""
    return add_months(day, 12 * years)


def ended_before(field: str, years: int) -> Callable[[dt.date], Q]:
    """``expired`` for records kept ``years`` after the date in ``field`` (e.g. an agreement's end)."""
    return lambda today: Q(**{f"{field}__lt": years_after(today, -years)})


def year_ended_before(field: str, years: int) -> Callable[[dt.date], Q]:
    """``expired`` for records kept ``years`` after the end of the calendar year of ``field`` (a session's
    invoicing year): a 2020 record expires when 2025 is over."""
    return lambda today: Q(**{f"{field}__lt": dt.date(today.year - years, 1, 1)})


def free_text(model, *, fields: dict[str, str] | list[str], expired: Callable[[dt.date], Q]) -> None:
    """Register ``model``'s free text about a person: ``fields`` (a list: blanked to ""; a dict: to the given
    value) are anonymised in rows matching ``expired(today)``."""
    if not isinstance(fields, dict):
        fields = {name: "" for name in fields}
    _RULES[model] = FreeText(model=model, fields=dict(fields), expired=expired)


def free_text_rules() -> list[FreeText]:
    return list(_RULES.values())


def free_text_anonymise_expired(*, today: dt.date) -> dict[str, int]:
    """Blank the registered free text of every record whose term has passed; {model label: rows changed}."""
    from .models import AuditEvent, audit

    done = {}
    for rule in _RULES.values():
        not_yet = ~Q(**rule.fields)  # some field still holds text
        count = rule.model.objects.filter(rule.expired(today)).filter(not_yet).update(**rule.fields)
        if count:
            done[rule.label] = count
    if done:
        audit(actor=None, action=AuditEvent.Action.UPDATE, object_type="retention",
              message="retention.free_text_anonymised", changes={"rows": done, "today": today.isoformat()})
    return done


def audit_expire(*, today: dt.date) -> dict[str, int]:
    """Delete audit rows older than their term: reads after AUDIT_READ_YEARS, the rest after AUDIT_YEARS."""
    from .models import AuditEvent, audit

    def before(years: int) -> dt.datetime:
        day = years_after(today, -years)
        return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)

    reads, _kinds = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW,
                                              at__lt=before(AUDIT_READ_YEARS)).delete()
    others, _kinds = AuditEvent.objects.filter(~Q(action=AuditEvent.Action.VIEW),
                                               at__lt=before(AUDIT_YEARS)).delete()
    if reads or others:
        audit(actor=None, action=AuditEvent.Action.DELETE, object_type="core.auditevent",
              message="retention.audit_expired",
              changes={"reads": reads, "others": others, "today": today.isoformat()})
    return {"reads": reads, "others": others}
