"""Plain-language money and dates, the Latvian way (lv) or the English way (en)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.platform.core.money import format_eur

# Month names in the dative case: "līdz 30. septembrim".
_LV_MONTHS_DATIVE = ["janvārim", "februārim", "martam", "aprīlim", "maijam", "jūnijam", "jūlijam", "augustam",
                     "septembrim", "oktobrim", "novembrim", "decembrim"]
_LV_MONTHS_GENITIVE = ["janvāra", "februāra", "marta", "aprīļa", "maija", "jūnija", "jūlija", "augusta",
                       "septembra", "oktobra", "novembra", "decembra"]
_EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December"]


def _lang(language: str | None) -> str:
    language = language or translation.get_language() or "lv"
    return "en" if language.startswith("en") else "lv"


def money(amount: Decimal, language: str | None = None) -> str:
    """1240 → '1 240,00 EUR' in Latvian, '1 240.00 EUR' in English."""
    return format_eur(amount, _lang(language))


def until_date(day: dt.date, language: str | None = None, today: dt.date | None = None) -> str:
    """The date after "until": '30. septembrim' (lv, this year), '2027. gada 30. septembrim', '30 September 2027'."""
    today = today or timezone.localdate()
    if _lang(language) == "en":
        return f"{day.day} {_EN_MONTHS[day.month - 1]} {day.year}"
    text = f"{day.day}. {_LV_MONTHS_DATIVE[day.month - 1]}"
    return text if day.year == today.year else f"{day.year}. gada {text}"


def long_date(day: dt.date, language: str | None = None) -> str:
    """'2026. gada 30. septembris' style is awkward for tables; use '30.09.2026' in lv, '30 Sep 2026' in en."""
    if _lang(language) == "en":
        return f"{day.day} {_EN_MONTHS[day.month - 1][:3]} {day.year}"
    return f"{day.day:02d}.{day.month:02d}.{day.year}"


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
