""""Confirm all" for a month (issue 14), in the browser as the person: on /nodarbibas/ the month's button confirms
every session of that month waiting for them; the rows show confirmed, the month's button is gone, and the to-do
count the header shows beside the dashboard link drops by that many. The page passes axe after.
Liepāja: no other browser test confirms or records sessions there."""

from __future__ import annotations

import re

import pytest

from portal.demo.users import DEMO_PASSWORD
from tests.e2e.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser

PERSON = "persona@liepaja.localhost"


def _todo_in_header(page) -> int:
    """The to-do count the header shows beside the dashboard link (filled from the notifications socket)."""
    page.locator("body[data-todo]").wait_for(state="attached")  # the socket's greeting arrived (no eval: CSP)
    counter = page.locator("[data-todo-count]").first
    text = counter.text_content() if counter.is_visible() else ""
    return int(re.search(r"\d+", text).group()) if text else 0


def _rows_of(page, month: str) -> list[tuple[str, str]]:
    """(date cell, status tag's class) of the sessions table's rows in ``month`` (YYYY-MM; the cell shows d.m.Y)."""
    rows = page.eval_on_selector_all("main table tbody tr", """rows => rows.map(row => {
        const cells = row.querySelectorAll("td");
        const tag = row.querySelector(".govuk-tag");
        return [cells[0] ? cells[0].textContent.trim() : "", tag ? tag.className : ""];
    })""")
    year, number = month.split("-")
    return [(day, tag) for day, tag in rows if re.search(rf"\b\d{{1,2}}\.{number}\.{year}\b", day)]


def test_confirm_all_for_a_month_confirms_its_sessions_and_the_to_do_count_drops(page, site):
    sign_in(page, site("liepaja", "/konts/ieiet/"), PERSON, DEMO_PASSWORD)
    page.goto(site("liepaja", "/nodarbibas/"))
    buttons = page.locator("[data-confirm-months] button[name=month]")
    assert buttons.count() >= 1, "the demo person in Liepāja has no month of sessions to confirm"
    button = buttons.first
    month, label = button.get_attribute("value"), button.text_content()
    waiting = int(re.search(r"\d+", label).group())  # "Apstiprināt visas 3 … nodarbības"
    page.goto(site("liepaja", "/nodarbibas/?status=recorded"))
    assert _rows_of(page, month), "the month's waiting sessions are listed as recorded"
    page.goto(site("liepaja", "/nodarbibas/"))
    button = page.locator(f"[data-confirm-months] button[value='{month}']")
    before = _todo_in_header(page)
    assert before >= waiting >= 1

    with page.expect_navigation():
        button.click()
    page.wait_for_load_state()
    assert page.locator(f"[data-confirm-months] button[value='{month}']").count() == 0
    page.goto(site("liepaja", "/nodarbibas/?status=confirmed"))
    confirmed = _rows_of(page, month)
    assert confirmed and all("govuk-tag--green" in tag for _day, tag in confirmed)
    page.goto(site("liepaja", "/nodarbibas/?status=recorded"))
    assert _rows_of(page, month) == []  # nothing of that month waits any more
    page.goto(site("liepaja", "/nodarbibas/"))
    assert _todo_in_header(page) == before - waiting
    assert_accessible(page)
