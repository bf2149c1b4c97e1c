"""Money is Decimal in euro cents precision, never float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

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


def format_eur(amount: Decimal, language: str = "lv") -> str:
    """1240.5 -> '1 240.50 EUR' (a thin space would be lost on screen readers; use a normal one)."""
    amount = to_money(amount)
    sign = "-" if amount < 0 else ""
    whole, frac = f"{abs(amount):.2f}".split(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    sep = "," if language == "lv" else "."
    return f"{sign}{' '.join(groups)}{sep}{frac} EUR"
