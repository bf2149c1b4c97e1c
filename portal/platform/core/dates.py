"""Calendar arithmetic shared by plans, the ledger's methodology and agreement limits."""

from __future__ import annotations

import calendar
import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (or earlier), clamped to the month's end: 31 Jan + 1 month = 28 Feb."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
