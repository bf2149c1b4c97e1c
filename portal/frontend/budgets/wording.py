"""Plain-language money and dates, the Latvian way (lv) or the English way (en)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.marketplace.invoicing.references import agreement_reference
from portal.platform.core.formats import MONTHS_LV, format_date
from portal.platform.core.money import format_eur

def _lang(language: str | None) -> str:
    language = language or translation.get_language() or "lv"
    return "en" if language.startswith("en") else "lv"


def money(amount: Decimal, language: str | None = None) -> str:
    """1240 → '1 240,00 EUR' in Latvian, '1,240.00 EUR' in English."""
    return format_eur(amount, _lang(language))


def until_date(day: dt.date, language: str | None = None, today: dt.date | None = None) -> str:
    """The date after "until": '30. septembrim' (lv, this year), '2027. gada 30. septembrim', '30 September 2027'."""
    today = today or timezone.localdate()
    if _lang(language) == "en" or day.year != today.year:
        return format_date(day, case="dative", language=_lang(language))
    return f"{day.day}. {MONTHS_LV['dative'][day.month - 1]}"


def left_sentence(*, available: Decimal, services: list[str], until: dt.date, person_name: str | None = None,
                  language: str | None = None) -> str:
    """'Jums atlikuši 1 240,00 EUR pakalpojumam atelpas brīža pakalpojums līdz 30. septembrim.'"""
    amount, date = money(available, language), until_date(until, language)
    listed = ", ".join(services)
    if not services:
        if person_name:
            return _("%(name)s has %(amount)s left for any service in the plan until %(date)s.") % {
                "name": person_name, "amount": amount, "date": date}
        return _("You have %(amount)s left for any service in your plan until %(date)s.") % {
            "amount": amount, "date": date}
    if person_name:
        return ngettext(
            "%(name)s has %(amount)s left for %(services)s until %(date)s.",
            "%(name)s has %(amount)s left for these services: %(services)s, until %(date)s.",
            len(services)) % {"name": person_name, "amount": amount, "services": listed, "date": date}
    return ngettext(
        "You have %(amount)s left for %(services)s until %(date)s.",
        "You have %(amount)s left for these services: %(services)s, until %(date)s.",
        len(services)) % {"amount": amount, "services": listed, "date": date}


# Ledger entries keep a technical reference ("agreement 12", "invoice SBS-1-00015", "plan:3", "close:5");
# the budget page says it in words of the page's language.
_REFERENCES = [
    (re.compile(r"^agreement (?P<n>\d+) after cancellation$"), "agreement_cancelled"),
    (re.compile(r"^agreement (?P<n>\d+)$"), "agreement"),
    (re.compile(r"^invoice (?P<number>\S+)$"), "invoice"),
    (re.compile(r"^plan:(?P<n>\d+)$"), "plan"),
    (re.compile(r"^close:\d+$"), "close"),
    (re.compile(r"^demo:agreement:"), "demo_agreement"),
    (re.compile(r"^demo:invoice:"), "demo_invoice"),
]


def ledger_reference(reference: str) -> str:
    """'agreement 12' → 'Vienošanās Nr. 12' / 'Agreement No. 12'; an unknown reference (a reason typed by
    staff) as it is."""
    for pattern, kind in _REFERENCES:
        if match := pattern.match(reference or ""):
            values = match.groupdict()
            return {
                "agreement_cancelled": lambda: _("Agreement No. %(n)s, after its cancellation") % values,
                "agreement": lambda: agreement_reference(values["n"]),
                "invoice": lambda: _("Invoice %(number)s") % values,
                "plan": lambda: _("Support plan"),
                "close": lambda: _("End of the budget period"),
                "demo_agreement": lambda: _("Agreement (demo data)"),
                "demo_invoice": lambda: _("Invoice (demo data)"),
            }[kind]()
    return reference or ""
