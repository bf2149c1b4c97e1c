"""Latvian personal codes (personas kods).

Two formats exist:

* the old one, ``DDMMYY-CNNNN``: birth date, a century digit (0 = 1800s,
  1 = 1900s, 2 = 2000s), three serial digits and a check digit;
* the one issued since 1 July 2017, ``32NNNN-NNNNN``: no birth date, but a
  check digit computed the same way.

python-stdnum (``stdnum.lv.pvn``, which covers personal codes as well as legal
persons' numbers) decides whether the check digit and the date are right, so
the rule is kept current by its maintainers rather than by us. On top of it the
portal keeps one rule of its own: only the century digits 0, 1 and 2 exist
(the library reads 3 as the 2100s).
"""

from __future__ import annotations

import datetime as dt
import re

from stdnum.exceptions import InvalidChecksum, InvalidComponent, ValidationError
from stdnum.lv import pvn

CENTURIES = {"0": 1800, "1": 1900, "2": 2000}
_CLEAN = re.compile(r"[\s\-]")


class InvalidPersonalCode(ValueError):
    """The text is not a valid Latvian personal code."""


def compact(value: str) -> str:
    return _CLEAN.sub("", value or "")


def check_digit(first_ten: str) -> str:
    """The check digit of a personal code's first ten digits (either format)."""
    return pvn.calc_check_digit_pers(first_ten)


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
    if len(digits) != 11 or not (digits.isascii() and digits.isdigit()):
        raise InvalidPersonalCode("format")
    # A legal person's number (first digit 4–9) has no valid birth date, so this refuses it too.
    birth_date_of(digits)
    try:
        pvn.validate(digits)
    except InvalidChecksum as exc:
        raise InvalidPersonalCode("check_digit") from exc
    except InvalidComponent as exc:
        raise InvalidPersonalCode("date") from exc
    except ValidationError as exc:
        raise InvalidPersonalCode("format") from exc
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
    """Build a valid new-format (32-prefixed) code."""
    first_ten = f"32{serial % 10**8:08d}"
    return f"{first_ten[:6]}-{first_ten[6:]}{check_digit(first_ten)}"
