"""Format checks for the numbers a provider's profile carries.

Pure functions (no Django models) so services, forms and the API share them. Whether a
number is valid is decided by libraries kept current by others: python-stdnum for Latvian
register numbers, schwifty for IBANs (per-country length and structure, check digits). The
messages are the portal's own.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.lv import pvn

# Company/NGO register (Uzņēmumu reģistrs): 11 digits. Legal persons start with 4 or 5
# (40003… companies, 50008… associations and foundations), state and municipal bodies with 9;
# all of them carry the same check digit (a personal code, which starts with 0–3, is not a provider's number).
COMPANY_NUMBER_RE = re.compile(r"^[459]\d{10}$")
# Register of social service providers (Labklājības ministrija): "S" + digits, e.g. S00123.
SOCIAL_REGISTER_RE = re.compile(r"^S\d{5}$")
VAT_NUMBER_RE = re.compile(r"^LV\d{11}$")


def normalise_code(value: str) -> str:
    """Strip spaces and hyphens, upper-case: what a person typed → what we store."""
    return re.sub(r"[\s-]", "", value or "").upper()


def company_number_checksum_ok(number: str) -> bool:
    """Whether ``number`` is a legal person's register number with the right check digit
    (as used in LV VAT numbers); python-stdnum decides the check digit."""
    return bool(COMPANY_NUMBER_RE.match(number)) and pvn.is_valid(number)


def validate_company_number(value: str) -> None:
    number = normalise_code(value)
    if not company_number_checksum_ok(number):
        raise ValidationError(
            _("Enter the 11-digit register number (e.g. 40008012347); this one is not valid."),
            code="invalid_company_number")


def validate_social_register_number(value: str) -> None:
    if not SOCIAL_REGISTER_RE.match(normalise_code(value)):
        raise ValidationError(
            _("Enter the number in the register of social service providers: S and 5 digits (e.g. S00123)."),
            code="invalid_social_register_number")


def validate_iban(value: str) -> None:
    try:
        IBAN(normalise_code(value))
    except SchwiftyException:
        raise ValidationError(
            _("Enter a valid IBAN (e.g. LV80BANK0000435195001); the check digits do not match."),
            code="invalid_iban") from None


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
    return IBAN.generate(country, bank_code=bank.upper(), account_code=account.upper()).compact
