"""The Latvian personal-code validator: examples and properties."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.budgets.people import personal_code as pc

birth_dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31))


def test_known_valid_old_code():
    # 01.01.1990, century 1 (1900s), serial 234; by hand: sum = 0+6+0+7+81+0+5+16+12+8 = 135,
    # (1101 - 135) % 11 = 966 % 11 = 9
    assert pc.normalise("010190 12349") == "010190-12349"
    assert pc.birth_date_of("010190-12349") == dt.date(1990, 1, 1)


@pytest.mark.parametrize("value", [
    "010190-12348",  # wrong check digit (9 is right)
    "320190-1234",  # too short
    "31029012347",  # 31 February
    "010190-32347",  # century digit 3 does not exist
    "abcdef-ghijk",
    "",
])
def test_invalid_codes_are_refused(value):
    assert not pc.is_valid(value)


def test_new_format_is_accepted_without_birth_date():
    assert pc.normalise("32123456785") == "321234-56785"
    assert pc.birth_date_of("321234-56785") is None


def test_new_format_codes_carry_a_check_digit():
    # The hand-written check accepted any 32-prefixed code; python-stdnum checks the last digit
    # (the same weights as the old format), so a code with a wrong last digit is refused now.
    assert pc.is_valid("328673-00679")
    assert not pc.is_valid("328673-00677")
    assert not pc.is_valid("32123456789")


def test_a_century_digit_the_library_would_read_as_the_2100s_is_refused():
    # python-stdnum accepts 010190-32340 (born 1 January 2190, check digit right); no such century exists yet.
    assert pc.check_digit("0101903234") == "0"
    assert not pc.is_valid("010190-32340")


def test_a_legal_persons_number_is_not_a_personal_code():
    assert not pc.is_valid("40003032949")


def test_the_examples_in_the_message_are_valid():
    for example in ("010190-12349", "321234-56785"):
        assert pc.is_valid(example)


@given(birth_dates, st.integers(min_value=0, max_value=999))
def test_every_generated_old_code_is_valid_and_encodes_its_birth_date(birth_date, serial):
    code = pc.make_old(birth_date, serial)
    assert pc.normalise(code) == code
    assert pc.birth_date_of(code) == birth_date
    assert pc.normalise(code.replace("-", "")) == code


@given(birth_dates, st.integers(min_value=0, max_value=999), st.integers(min_value=1, max_value=9))
def test_changing_the_check_digit_makes_an_old_code_invalid(birth_date, serial, delta):
    code = pc.make_old(birth_date, serial)
    wrong = code[:-1] + str((int(code[-1]) + delta) % 10)
    assert not pc.is_valid(wrong)


@given(birth_dates, st.integers(min_value=0, max_value=999), st.integers(min_value=0, max_value=9),
       st.integers(min_value=0, max_value=9))
def test_a_single_digit_typo_in_an_old_code_is_detected_or_still_a_real_code(birth_date, serial, position, digit):
    code = pc.compact(pc.make_old(birth_date, serial))
    typo = code[:position] + str(digit) + code[position + 1:]
    if typo == code or typo.startswith("32"):
        return
    # Weights are all non-zero mod 11, so any single-digit change breaks the check digit
    # unless the remainder wraps to 10 → 0.
    if pc.is_valid(typo):
        assert pc.check_digit(typo[:10]) == typo[10]


@given(st.integers(min_value=0, max_value=10**9 - 1))
def test_every_new_format_code_is_valid(serial):
    assert pc.is_valid(pc.make_new(serial))


@given(st.text(max_size=15))
def test_normalise_never_crashes_on_arbitrary_text(text):
    try:
        result = pc.normalise(text)
    except pc.InvalidPersonalCode:
        return
    assert len(result) == 12 and result[6] == "-"
