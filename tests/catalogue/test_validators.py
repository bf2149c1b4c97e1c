import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from portal.marketplace.catalogue import validators as v


@pytest.mark.parametrize("value", ["40003032949", "4000 303 2949", "90000069281", "40008012347"])
def test_valid_company_numbers(value):
    v.validate_company_number(value)


def test_state_and_municipal_bodies_numbers_carry_the_check_digit_too():
    # The hand-written check skipped it for numbers starting with 9; python-stdnum checks it, and real
    # numbers of state bodies (90000069281 and 90000022399 are ministries') pass. So 90000012345 is refused now.
    v.validate_company_number("90000022399")
    with pytest.raises(ValidationError):
        v.validate_company_number("90000012345")


def test_the_example_in_the_message_is_itself_valid():
    with translation.override("en"):
        with pytest.raises(ValidationError) as error:
            v.validate_company_number("40003032948")
        example = error.value.messages[0].split("e.g. ")[1].split(")")[0]
    v.validate_company_number(example)


def test_a_personal_code_is_not_a_company_number():
    # python-stdnum's lv.pvn accepts personal codes as VAT numbers; a provider's register number is a legal person's.
    with pytest.raises(ValidationError):
        v.validate_company_number("010190-12349")


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


@pytest.mark.parametrize("value", [
    "DE5137040044053201300",  # right check digits, but a German IBAN has 22 characters, not 21
    "XX63BANK0000435195001",  # right check digits, no such country
])
def test_ibans_with_right_check_digits_but_the_wrong_shape_for_their_country_are_refused(value):
    # The hand-written check accepted any country and length from 15 to 34 characters; schwifty knows each
    # country's IBAN length and structure.
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
