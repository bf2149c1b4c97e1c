"""How numbers, percentages, dates and periods read in each language — one place for every page, PDF and e-mail.

Latvian: "1 234,56" (a non-breaking space between thousands, a decimal comma), "85 %" (with a non-breaking
space), "2026. gada 1. novembris", and a period "no 2026. gada 1. novembra līdz 2027. gada 31. oktobrim"
(genitive after "no", dative after "līdz"). English: "1,234.56", "85%", "1 November 2026" and
"1 November 2026 to 31 October 2027".
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import get_language

NBSP = "\u00a0"

# Latvian month names: nominative (1. novembris), genitive (no 1. novembra), dative (līdz 1. novembrim),
# locative (piekrita 1. novembrī).
MONTHS_LV = {
    "nominative": ("janvāris", "februāris", "marts", "aprīlis", "maijs", "jūnijs", "jūlijs", "augusts",
                   "septembris", "oktobris", "novembris", "decembris"),
    "genitive": ("janvāra", "februāra", "marta", "aprīļa", "maija", "jūnija", "jūlija", "augusta",
                 "septembra", "oktobra", "novembra", "decembra"),
    "dative": ("janvārim", "februārim", "martam", "aprīlim", "maijam", "jūnijam", "jūlijam", "augustam",
               "septembrim", "oktobrim", "novembrim", "decembrim"),
    "locative": ("janvārī", "februārī", "martā", "aprīlī", "maijā", "jūnijā", "jūlijā", "augustā", "septembrī",
                 "oktobrī", "novembrī", "decembrī"),
}
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December")


def current_language(language: str | None = None) -> str:
    """"lv" or "en": the language given, else the active one (Latvian by default)."""
    return "en" if (language or get_language() or "lv")[:2] == "en" else "lv"


def _own_decimals(number: Decimal) -> int:
    if number == number.to_integral_value():
        return 0
    return min(2, -number.normalize().as_tuple().exponent)


def format_number(value, *, decimals: int | None = None, language: str | None = None) -> str:
    """1234.5 → "1 234,50" (lv, decimals=2) or "1,234.50" (en). Without ``decimals``, as many as the number has
    (trailing zeros dropped), at most two: 36.00 → "36", 2.50 → "2,5"."""
    if value is None or value == "":
        return "—"
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if decimals is None:
        decimals = _own_decimals(number)
    number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    sign = "-" if number < 0 else ""
    whole, _, fraction = f"{abs(number):.{decimals}f}".partition(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    lv = current_language(language) == "lv"
    text = (NBSP if lv else ",").join(groups)
    if fraction:
        text += ("," if lv else ".") + fraction
    return sign + text


def format_percent(value, *, decimals: int | None = None, language: str | None = None) -> str:
    """85 → "85 %" (lv, non-breaking space) or "85%" (en); 12.5 → "12,5 %" / "12.5%"."""
    if value is None or value == "":
        return "—"
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    text = format_number(number, decimals=decimals, language=language)
    return text + (f"{NBSP}%" if current_language(language) == "lv" else "%")


def format_date(value: date | datetime | None, *, case: str = "nominative", language: str | None = None) -> str:
    """A long date: "2026. gada 1. novembris" (case "genitive": "…novembra", "dative": "…novembrim", "locative":
    "…novembrī") or
    "1 November 2026"."""
    if value is None:
        return "—"
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    if current_language(language) == "en":
        return f"{value.day} {MONTHS_EN[value.month - 1]} {value.year}"
    return f"{value.year}. gada {value.day}. {MONTHS_LV[case][value.month - 1]}"


def format_period(start: date | None, end: date | None, *, language: str | None = None) -> str:
    """"no 2026. gada 1. novembra līdz 2027. gada 31. oktobrim" or "1 November 2026 to 31 October 2027"."""
    if current_language(language) == "en":
        return f"{format_date(start, language='en')} to {format_date(end, language='en')}"
    return f"no {format_date(start, case='genitive', language='lv')} līdz {format_date(end, case='dative', language='lv')}"
