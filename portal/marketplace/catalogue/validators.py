"""Format checks for the numbers a provider's profile carries.

Pure functions (no Django models) so services, forms and the API share them.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Company/NGO register (Uzņēmumu reģistrs): 11 digits. Legal persons start with 4 or 5
# (40003… companies, 50008… associations and foundations), state and municipal bodies with 9.
COMPANY_NUMBER_RE = re.compile(r"^[459]\d{10}$")
# Register of social service providers (Labklājības ministrija): "S" + digits, e.g. S00123.
SOCIAL_REGISTER_RE = re.compile(r"^S\d{5}$")
VAT_NUMBER_RE = re.compile(r"^LV\d{11}$")
IBAN_RE = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$")
LV_IBAN_RE = re.compile(r"^LV\d{2}[A-Z]{4}[A-Z0-9]{13}$")

_COMPANY_WEIGHTS = (9, 1, 4, 8, 3, 10, 2, 5, 7, 6, 1)


def normalise_code(value: str) -> str:
    """Strip spaces and hyphens, upper-case: what a person typed → what we store."""
    return re.sub(r"[\s-]", "", value or "").upper()


def company_number_checksum_ok(number: str) -> bool:
    """Checksum of a Latvian legal person's register number (as used in LV VAT numbers)."""
    if number[0] == "9":  # budget institutions use a different numbering without this checksum
        return True
    return sum(w * int(d) for w, d in zip(_COMPANY_WEIGHTS, number)) % 11 == 3


def validate_company_number(value: str) -> None:
    number = normalise_code(value)
    if not COMPANY_NUMBER_RE.match(number) or not company_number_checksum_ok(number):
        raise ValidationError(
            _("Enter the 11-digit register number (e.g. 40008012345); this one is not valid."),
            code="invalid_company_number")


def validate_social_register_number(value: str) -> None:
    if not SOCIAL_REGISTER_RE.match(normalise_code(value)):
        raise ValidationError(
            _("Enter the number in the register of social service providers: S and 5 digits (e.g. S00123)."),
            code="invalid_social_register_number")


def iban_checksum_ok(iban: str) -> bool:
    rearranged = iban[4:] + iban[:4]
    digits = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(digits) % 97 == 1


def validate_iban(value: str) -> None:
    iban = normalise_code(value)
    ok = bool(IBAN_RE.match(iban)) and iban_checksum_ok(iban)
    if ok and iban.startswith("LV"):
        ok = bool(LV_IBAN_RE.match(iban))
    if not ok:
        raise ValidationError(
            _("Enter a valid IBAN (e.g. LV80BANK0000435195001); the check digits do not match."),
            code="invalid_iban")


def validate_vat_number(value: str) -> None:
    number = normalise_code(value)
    if not VAT_NUMBER_RE.match(number) or not company_number_checksum_ok(number[2:]):
        raise ValidationError(_("Enter a Latvian VAT number: LV and 11 digits."), code="invalid_vat_number")


def make_company_number(prefix: str) -> str:
    """Complete a 10-digit prefix with the digit that makes the checksum valid (demo and tests)."""
    for last in range(10):
        candidate = f"{prefix}{last}"
        if company_number_checksum_ok(candidate):
            return candidate
    raise ValueError(f"No valid check digit for {prefix}")


def make_iban(bank: str, account: str, country: str = "LV") -> str:
    """Build an IBAN with correct check digits from a bank code and account part (demo and tests)."""
    body = f"{bank}{account}".upper()
    digits = "".join(str(int(ch, 36)) for ch in f"{body}{country}00")
    check = 98 - int(digits) % 97
    return f"{country}{check:02d}{body}"
