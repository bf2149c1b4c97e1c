"""One way to write numbers, percentages, long dates and periods per language (portal.platform.core.formats)."""

from datetime import date
from decimal import Decimal

from django.template import Context, Template
from django.utils import translation

from portal.platform.core.formats import NBSP, format_date, format_number, format_percent, format_period
from portal.platform.core.money import format_eur


def test_latvian_numbers_group_thousands_with_a_non_breaking_space_and_use_a_decimal_comma():
    assert format_number(Decimal("1234567.5"), decimals=2, language="lv") == f"1{NBSP}234{NBSP}567,50"
    assert format_number(950, language="lv") == "950"
    assert format_eur(Decimal("-1240.5"), "lv") == f"-1{NBSP}240,50{NBSP}EUR"
    assert format_percent(85, language="lv") == f"85{NBSP}%"
    assert format_percent(Decimal("12.50"), language="lv") == f"12,5{NBSP}%"


def test_english_numbers_use_a_comma_for_thousands_a_point_for_decimals_and_no_space_before_percent():
    assert format_number(Decimal("1234.56"), language="en") == "1,234.56"
    assert format_eur(Decimal("1240.5"), "en") == f"1,240.50{NBSP}EUR"
    assert format_percent(85, language="en") == "85%"


def test_latvian_dates_decline_the_month_by_their_place_in_the_sentence():
    day = date(2026, 11, 1)
    assert format_date(day, language="lv") == "2026. gada 1. novembris"
    assert format_date(day, case="genitive", language="lv") == "2026. gada 1. novembra"
    assert format_date(date(2027, 10, 31), case="dative", language="lv") == "2027. gada 31. oktobrim"
    assert format_date(day, case="locative", language="lv") == "2026. gada 1. novembrī"
    assert format_period(day, date(2027, 10, 31), language="lv") == \
        "no 2026. gada 1. novembra līdz 2027. gada 31. oktobrim"
    assert format_period(day, date(2027, 10, 31), language="en") == "1 November 2026 to 31 October 2027"


def test_the_template_filters_follow_the_active_language():
    template = Template('{% load portal_formats agreements_tags %}{{ s|period:e }} | {{ p|percent }} | {{ a|eur }}')
    context = Context({"s": date(2026, 11, 1), "e": date(2027, 10, 31), "p": 85, "a": Decimal("1234.5")})
    with translation.override("lv"):
        assert template.render(context) == \
            f"no 2026. gada 1. novembra līdz 2027. gada 31. oktobrim | 85{NBSP}% | 1{NBSP}234,50{NBSP}EUR"
    with translation.override("en"):
        assert template.render(context) == f"1 November 2026 to 31 October 2027 | 85% | 1,234.50{NBSP}EUR"
