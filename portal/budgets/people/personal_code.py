"""Latvian personal codes (personas kods).

Two formats exist:

* the old one, ``DDMMYY-CNNNN``: birth date, a century digit (0 = 1800s,
  1 = 1900s, 2 = 2000s), three serial digits and a check digit;
* the one issued since 1 July 2017, ``32NNNN-NNNNN``: no birth date, no
  check digit we could verify (the State Revenue Service does not publish one).

The check digit of the old format: weights 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 over
the first ten digits, ``(1101 - sum) mod 11``; a remainder of 10 is written
as 0 (as python-stdnum does, so no real code is refused).
"""

from __future__ import annotations

import datetime as dt
import re

WEIGHTS = (1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CENTURIES = {"0": 1800, "1": 1900, "2": 2000}
_CLEAN = re.compile(r"[\s\-]")


class InvalidPersonalCode(ValueError):
    """The text is not a valid Latvian personal code."""


def compact(value: str) -> str:
    return _CLEAN.sub("", value or "")


def check_digit(first_ten: str) -> str:
    total = sum(w * int(d) for w, d in zip(WEIGHTS, first_ten))
    return str((1101 - total) % 11 % 10)


def is_new_format(code: str) -> bool:
    return compact(code).startswith("32")


def birth_date_of(code: str) -> dt.date | None:
    """The birth date an old-format code encodes; None for the new format."""
    digits = compact(code)
    if digits.startswith("32"):
        return None
    century = CENTURIES.get(digits[6])
    if century is None:
        raise InvalidPersonalCode("century")
    try:
        return dt.date(century + int(digits[4:6]), int(digits[2:4]), int(digits[0:2]))
    except ValueError as exc:
        raise InvalidPersonalCode("date") from exc


def normalise(value: str) -> str:
    """Return the code as ``NNNNNN-NNNNN`` or raise InvalidPersonalCode."""
    digits = compact(value)
    if len(digits) != 11 or not digits.isdigit():
        raise InvalidPersonalCode("format")
    if not digits.startswith("32"):
        birth_date_of(digits)
        if check_digit(digits[:10]) != digits[10]:
            raise InvalidPersonalCode("check_digit")
    return f"{digits[:6]}-{digits[6:]}"


def is_valid(value: str) -> bool:
    try:
        normalise(value)
    except InvalidPersonalCode:
        return False
    return True


def make_old(birth_date: dt.date, serial: int) -> str:
    """Build a valid old-format code (used by the demo and tests)."""
    century = {1800: "0", 1900: "1", 2000: "2"}[birth_date.year // 100 * 100]
    first_ten = f"{birth_date:%d%m}{birth_date.year % 100:02d}{century}{serial % 1000:03d}"
    return f"{first_ten[:6]}-{first_ten[6:]}{check_digit(first_ten)}"


def make_new(serial: int) -> str:
    """Build a new-format (32-prefixed) code."""
    digits = f"32{serial % 10**9:09d}"
    return f"{digits[:6]}-{digits[6:]}"
