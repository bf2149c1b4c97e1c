import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from portal.marketplace.catalogue import validators as v


@pytest.mark.parametrize("value", ["40003032949", "4000 303 2949", "90000012345"])
def test_valid_company_numbers(value):
    v.validate_company_number(value)


@pytest.mark.parametrize("value", ["40003032948", "1234567890", "400030329491", "30003032949", "abc"])
def test_invalid_company_numbers(value):
    with pytest.raises(ValidationError):
        v.validate_company_number(value)


@pytest.mark.parametrize("value", ["LV80BANK0000435195001", "lv80 bank 0000 4351 9500 1", "DE89370400440532013000"])
def test_valid_ibans(value):
    v.validate_iban(value)


@pytest.mark.parametrize("value", ["LV81BANK0000435195001", "LV80BANK000043519500", "LV80", "not an iban"])
def test_invalid_ibans(value):
    with pytest.raises(ValidationError):
        v.validate_iban(value)


@given(st.text(alphabet="0123456789", min_size=13, max_size=13), st.sampled_from(["HABA", "UNLA", "RIKO"]))
def test_every_built_iban_validates_and_a_changed_digit_does_not(account, bank):
    iban = v.make_iban(bank, account)
    v.validate_iban(iban)
    wrong = iban[:-1] + str((int(iban[-1]) + 1) % 10)
    with pytest.raises(ValidationError):
        v.validate_iban(wrong)


def test_social_register_number():
    v.validate_social_register_number("S00123")
    for bad in ("00123", "S123", "X00123"):
        with pytest.raises(ValidationError):
            v.validate_social_register_number(bad)


def test_vat_number_is_lv_plus_a_valid_company_number():
    v.validate_vat_number("LV40003032949")
    with pytest.raises(ValidationError):
        v.validate_vat_number("LV40003032948")
