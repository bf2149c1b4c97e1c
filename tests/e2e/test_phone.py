"""On a phone (390 × 844): every page a role reaches from its dashboard fits the screen without sideways
scrolling (wide tables scroll inside their own labelled region), and the skip link leads to the content."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from portal.demo.users import DEMO_PASSWORD
from tests.e2e.conftest import sign_in

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
