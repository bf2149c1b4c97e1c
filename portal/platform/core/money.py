"""Money is Decimal in euro cents precision, never float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from portal.platform.core.formats import NBSP, format_number

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def to_money(value) -> Decimal:
    """Convert a str/int/Decimal to a Decimal rounded to cents. Floats are refused."""
    if isinstance(value, float):
        raise TypeError("Money must not be built from float; pass a str or Decimal")
    try:
        return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError) as exc:
        raise ValueError(f"Not an amount of money: {value!r}") from exc


def format_eur(amount: Decimal, language: str | None = None) -> str:
    """1240.5 -> '1 240,50 EUR' (lv, a non-breaking space between thousands) or '1,240.50 EUR' (en), in the
    language given or else the active one (portal.platform.core.formats)."""
    return f"{format_number(to_money(amount), decimals=2, language=language)}{NBSP}EUR"
