"""On a phone (390 × 844): every page a role reaches from its dashboard fits the screen without sideways
scrolling (wide tables scroll inside their own labelled region, the family's tables stack), and the skip link
leads to the content."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from portal.demo.users import DEMO_PASSWORD
from tests.e2e.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True}
# (host code, e-mail, extra pages beyond the dashboard's links)
ROLES = [
    ("jelgava", "persona@jelgava.localhost", ["/meklet/", "/meklet/?q=psihologs"]),
    ("jelgava", "likumiskais.parstavis@jelgava.localhost", []),
    ("jelgava", "socialais.darbinieks@jelgava.localhost", []),
    ("jelgava", "finanses@jelgava.localhost", []),
    (None, "sniedzejs@sbs.localhost", []),
]
PAGES_PER_ROLE = 8
# A phone browser widens its layout viewport to fit a too-wide page (innerWidth grows with it), so the
# page is measured against the screen's 390 CSS pixels; the widest offenders outside a scroll region are named.
OVERFLOW = """(screen) => ({width: document.documentElement.scrollWidth,
  wide: [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > screen + 1
         && !e.parentElement.closest('[role=region][tabindex]')).slice(0, 3)
         .map(e => e.tagName + '.' + e.className + ' ' + (e.textContent || '').trim().slice(0, 30))})"""


def _same_host_links(page, origin: str) -> list[str]:
    hrefs = page.eval_on_selector_all("main a[href]", "els => els.map(e => e.href)")
    return [h.split("#")[0] for h in hrefs if h.startswith(origin) and "/iziet/" not in h and "/pariet/" not in h]


def _problems_on(page, url) -> list[str]:
    page.goto(url)
    problems = []
    size = page.evaluate(OVERFLOW, PHONE["viewport"]["width"])
    if size["width"] > PHONE["viewport"]["width"]:
        problems.append(f"{urlsplit(url).path}?{urlsplit(url).query}: {size}")
    if page.locator("a.govuk-skip-link[href='#main-content']").count() != 1 or page.locator("#main-content").count() != 1:
        problems.append(f"{url}: no skip link to #main-content")
    return problems


@pytest.mark.parametrize("code, email, extra", ROLES, ids=[r[1].split("@")[0] for r in ROLES])
def test_a_role_main_pages_fit_a_phone(browser, site, code, email, extra):
    """The dashboard, every page it links to, and the first link of each of those (one level deeper)."""
    context = browser.new_context(locale="lv-LV", **PHONE)
    page = context.new_page()
    try:
        sign_in(page, site(code, "/konts/ieiet/"), email, DEMO_PASSWORD)
        origin, dashboard = site(code, ""), site(code, "/panelis/")
        problems = _problems_on(page, dashboard)
        first = list(dict.fromkeys([*_same_host_links(page, origin), *(site(code, p) for p in extra)]))
        seen, deeper = {dashboard, *first}, []
        for url in first[:PAGES_PER_ROLE]:
            problems += _problems_on(page, url)
            found = [h for h in _same_host_links(page, origin) if h not in seen and "?" not in h][:1]
            seen.update(found)
            deeper += found
        for url in deeper[:PAGES_PER_ROLE]:
            problems += _problems_on(page, url)
        assert not problems, "\n".join(problems)
    finally:
        context.close()


def test_the_skip_link_works_on_a_phone_sized_page(browser, site):
    context = browser.new_context(locale="lv-LV", viewport=PHONE["viewport"])
    page = context.new_page()
    try:
        page.goto(site("jelgava", "/meklet/?q=psihologs"))
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.getAttribute('href')") == "#main-content"
        page.keyboard.press("Enter")
        page.wait_for_url("**#main-content", timeout=5000)
        assert page.evaluate("document.activeElement.id || document.activeElement.closest('#main-content')?.id") \
            == "main-content"
    finally:
        context.close()


def test_search_results_come_first_on_a_phone(browser, site):
    context = browser.new_context(locale="lv-LV", **PHONE)
    page = context.new_page()
    try:
        page.goto(site("jelgava", "/meklet/?q=psihologs"))
        filters = page.locator("[data-portal-filters]")
        assert filters.evaluate("el => el.open") is False  # folded behind their button
        assert page.locator("#search-status").bounding_box()["y"] < PHONE["viewport"]["height"]
        filters.locator("summary").click()
        assert filters.evaluate("el => el.open") is True
        page.get_by_role("link", name="Pāriet uz rezultātiem").click()
        assert page.evaluate("document.activeElement.id") == "search-status"
    finally:
        context.close()


# The tables a family reads stack on a phone: each row is a block, each cell names its column.
STACKED = """(screen) => [...document.querySelectorAll('main table.portal-table--stack')]
  .filter(t => t.getClientRects().length).map(t => {
    const scroller = t.closest('[role=region]');
    const cells = [...t.querySelectorAll('tbody tr:first-child td[data-label]')];
    const status = cells.find(c => /Statuss|Status/.test(c.dataset.label)) || cells[cells.length - 1];
    const box = status && status.getBoundingClientRect();
    return {caption: (t.caption?.textContent || '').trim().slice(0, 40), width: t.getBoundingClientRect().right,
            scrolls: !!scroller && scroller.scrollWidth > scroller.clientWidth + 1,
            rows: t.querySelectorAll('tbody tr').length, labelled: cells.length,
            display: status && getComputedStyle(status).display,
            label: status && getComputedStyle(status, '::before').content,
            statusRight: box ? box.right : 0, statusLeft: box ? box.left : -1};
  })"""


def _stacked_cells_on(page, path: str) -> int:
    """The page fits the phone and each stacked table neither widens it nor scrolls; each row's status (or last)
    cell lies on the screen with its heading drawn above it. Returns the most labelled cells in a first row."""
    width = PHONE["viewport"]["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, path
    tables = page.evaluate(STACKED, width)
    assert tables, f"{path}: no stacked table shown"
    for t in tables:
        assert t["width"] <= width and not t["scrolls"], (path, t)
        if t["labelled"]:
            assert t["display"] == "block" and t["label"].startswith('"'), (path, t)
            assert 0 <= t["statusLeft"] and t["statusRight"] <= width, (path, t)
    return max(t["labelled"] for t in tables)


# The staff's lists stack too: the social worker's persons and budgets, the finance officer's invoices and
# payments, the municipality admin's audit log and users.
STAFF_LISTS = [("socialais.darbinieks@jelgava.localhost", ["/personas/", "/budzeti/"]),
               ("finanses@jelgava.localhost", ["/rekini/", "/maksajumi/"]),
               ("administrators@jelgava.localhost", ["/audits/", "/lietotaji/"])]


@pytest.mark.parametrize("email, paths", STAFF_LISTS, ids=[e.split("@")[0] for e, _ in STAFF_LISTS])
def test_staff_lists_stack_on_a_phone(browser, site, email, paths):
    context = browser.new_context(locale="lv-LV", **PHONE)
    page = context.new_page()
    try:
        sign_in(page, site("jelgava", "/konts/ieiet/"), email, DEMO_PASSWORD)
        labelled = []
        for path in paths:
            assert page.goto(site("jelgava", path)).status == 200, path
            labelled.append(_stacked_cells_on(page, path))
        assert labelled[0], (paths[0], "the demo has rows here: their cells carry their headings")
    finally:
        context.close()


def test_a_family_tables_stack_on_a_phone(browser, site):
    """Sessions, the budget's figures and its ledger, agreements and what was paid: no sideways scrolling at all,
    not even inside the table's region; the first row's status (or last) cell lies on the screen, with its
    column heading drawn above it."""
    context = browser.new_context(locale="lv-LV", **PHONE)
    page = context.new_page()
    try:
        sign_in(page, site("jelgava", "/konts/ieiet/"), "likumiskais.parstavis@jelgava.localhost", DEMO_PASSWORD)
        page.goto(site("jelgava", "/mans-budzets/"))
        ledger = page.locator("main a[href*='/budzeti/']").first.get_attribute("href")
        seen = {}
        for path in ["/nodarbibas/", "/mans-budzets/", ledger, "/mans-budzets/vesture/", "/vienosanas/",
                     "/budzets/samaksats/"]:
            page.goto(site("jelgava", path))
            if path == "/mans-budzets/":
                page.locator("details.govuk-details summary").first.click()  # "Rādīt skaitļus"
            seen[path] = _stacked_cells_on(page, path)
        # The demo family has rows in each (nothing is paid yet in the demo), so a status cell was really measured.
        assert all(n for path, n in seen.items() if path != "/budzets/samaksats/"), seen
        page.goto(site("jelgava", "/nodarbibas/"))
        assert_accessible(page)
    finally:
        context.close()
