"""The invoice line checks as pure functions: each rule names its problem on the line that breaks it."""

from datetime import date, time
from decimal import Decimal as D

from portal.marketplace.invoicing.checks import Line, Terms, budget_share, check_invoice, overlaps

TERMS = Terms(service_id=1, unit_price=D("10.00"), copayment_per_unit=D("0.00"), period_start=date(2026, 1, 1),
              period_end=date(2026, 3, 31), total_units=D("10"), units_invoiced_before=D("0"),
              reservation_remaining=D("100.00"))


def line(key=1, **kw):
    base = {"key": key, "service_id": 1, "date": date(2026, 2, 1), "units": D("2"), "unit_price": D("10.00"),
            "session_status": "confirmed"}
    base.update(kw)
    return Line(**base)


def codes(result, key=1):
    return {p.code for p in result.lines[key]}


def test_a_line_that_matches_the_agreement_is_clean():
    result = check_invoice(TERMS, [line()])
    assert result.clean and codes(result) == set()


def test_each_rule_is_explained_on_its_line():
    assert codes(check_invoice(TERMS, [line(service_id=2)])) == {"line.wrong_service"}
    assert codes(check_invoice(TERMS, [line(unit_price=D("12.00"))])) == {"line.price_above_agreed"}
    assert codes(check_invoice(TERMS, [line(date=date(2026, 4, 1))])) == {"line.outside_period"}
    assert codes(check_invoice(TERMS, [line(invoiced_elsewhere=True)])) == {"line.already_invoiced"}
    assert codes(check_invoice(TERMS, [line(session_status="disputed")])) == {"line.disputed"}
    assert codes(check_invoice(TERMS, [line(session_status="recorded")])) == {"line.not_confirmed"}
    assert codes(check_invoice(TERMS, [line(duplicates_another=True)])) == {"line.duplicate"}


def test_units_beyond_the_agreement_are_flagged_on_the_line_that_crosses():
    terms = Terms(**{**TERMS.__dict__, "units_invoiced_before": D("7")})
    result = check_invoice(terms, [line(1, date=date(2026, 2, 1)), line(2, date=date(2026, 2, 2))])
    assert codes(result, 1) == set()
    assert codes(result, 2) == {"line.units_exceed_agreement"}
    assert "11" in result.lines[2][0].message and "10" in result.lines[2][0].message


def test_reservation_shortfall_is_flagged_where_the_money_runs_out():
    terms = Terms(**{**TERMS.__dict__, "reservation_remaining": D("30.00")})
    result = check_invoice(terms, [line(1, date=date(2026, 2, 1)), line(2, date=date(2026, 2, 2))])
    assert codes(result, 1) == set() and codes(result, 2) == {"line.reservation_exhausted"}
    assert not result.clean


def test_empty_or_inactive_is_an_invoice_level_problem():
    assert {p.code for p in check_invoice(TERMS, []).invoice} == {"invoice.empty"}
    inactive = Terms(**{**TERMS.__dict__, "agreement_active": False})
    assert "invoice.agreement_not_active" in check_invoice(inactive, [line()]).all_codes()


def test_budget_share_takes_off_the_copayment():
    assert budget_share(D("3"), D("12.00"), D("2.00")) == D("30.00")


def test_overlap():
    assert overlaps(time(10, 0), 60, time(10, 30), 60)
    assert not overlaps(time(10, 0), 60, time(11, 0), 60)
