"""Every page a role can reach — found by following the links from its dashboard, not from a
hand-kept list, so a new page is checked the day it is linked — passes axe in Latvian, and again on a phone.

The phone pass resizes the same page to 390 × 844 rather than crawling again: the page must not scroll
sideways, its buttons must be at least 24 × 24 CSS pixels (WCAG 2.2, 2.5.8), and axe runs again the rules
whose outcome depends on the layout (the rest read the DOM, which is the same at both widths)."""

import re
import time
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest

from portal.demo.users import DEMO_PASSWORD, MUNICIPAL_DEMO_USERS, NATIONAL_DEMO_USERS
from tests.e2e.conftest import axe_violations, sign_in

pytestmark = pytest.mark.browser

MAX_PAGES = 20  # per account: bounded, and one page per URL shape (ids collapsed)
SKIP = re.compile(r"/(konts/iziet|konts/parole|konts/pariet|admin|api|static|i18n)/|[?&]lang=|[?&]format=(pdf|json|csv|xlsx)\b|\.(pdf|csv|json|xlsx)(\?|$)|/ws/")


def shape(url: str) -> str:
    parts = urlsplit(url)
    return re.sub(r"/\d+(?=/|$)", "/N", re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "U", parts.path)) + (
        "?" if parts.query else "")


PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 720}
# axe's rules whose outcome changes with the width: the size and spacing of targets (WCAG 2.2, 2.5.8, off in the
# default tags) and a region that only scrolls on a phone. The others read the DOM and the colours, which are the
# same at both widths, and ran at the desktop width a moment before.
PHONE_RULES = ["target-size", "scrollable-region-focusable"]
# The page's own width, and if it is too wide, the widest offenders outside a labelled scroll region; every
# button (and link in a row of buttons) smaller than 24 × 24 CSS pixels; a stacking table that still scrolls.
PHONE_LAYOUT = """() => {
  const screen = window.innerWidth, width = document.scrollingElement.scrollWidth;
  const describe = e => e.tagName.toLowerCase() + (e.className && typeof e.className === 'string'
    ? '.' + e.className.trim().split(/\\s+/).join('.') : '') + ' "' + (e.textContent || e.value || '').trim()
    .replace(/\\s+/g, ' ').slice(0, 30) + '"';
  const wide = width <= screen ? [] : [...document.body.querySelectorAll('*')]
    .filter(e => e.getBoundingClientRect().right > screen + 1 && !e.parentElement.closest('[role=region][tabindex]'))
    .slice(-3).map(describe);
  const small = [...document.querySelectorAll(
      'button, input[type=submit], input[type=button], a.govuk-button, .govuk-button-group a')]
    .filter(e => e.getClientRects().length)
    .filter(e => { const r = e.getBoundingClientRect(); return r.width < 24 || r.height < 24; })
    .slice(0, 5).map(describe);
  const unstacked = [...document.querySelectorAll('table.portal-table--stack')]
    .filter(t => t.getClientRects().length && (t.closest('[role=region]') || t.parentElement).scrollWidth
                 > (t.closest('[role=region]') || t.parentElement).clientWidth + 1)
    .map(t => (t.caption?.textContent || '').trim().slice(0, 40));
  return {screen, width, wide, small, unstacked};
}"""
PHONE_SECONDS = []  # (start, pages, seconds the phone checks took) per crawl


def on_a_phone(page) -> list:
    """The loaded page, already at the phone's size: no sideways scrolling, targets big enough, axe's
    layout rules."""
    layout = page.evaluate(PHONE_LAYOUT)
    found = []
    if layout["width"] > layout["screen"]:
        found.append({"id": "page-scrolls-sideways", "width": layout["width"], "nodes": layout["wide"]})
    if layout["unstacked"]:
        found.append({"id": "stacked-table-scrolls", "nodes": layout["unstacked"]})
    if layout["small"]:
        found.append({"id": "target-under-24px", "nodes": layout["small"]})
    found += axe_violations(page, rules=PHONE_RULES, inject=False)
    return [{"at": "390 × 844", "violations": found}] if found else []


def at_a_phone_width(page) -> tuple[list, float]:
    """Resize the loaded page to the phone's width, check it, resize back; the checks and the time taken."""
    started = time.perf_counter()
    page.set_viewport_size(PHONE)
    try:
        return on_a_phone(page), time.perf_counter() - started
    finally:
        page.set_viewport_size(DESKTOP)


def crawl(page, start: str) -> dict[str, list]:
    """Breadth-first over same-host links from ``start``; axe on each page, at a desktop's width and at a
    phone's. Returns violations by URL."""
    origin = urlsplit(start).netloc
    queue, seen, problems, visited, phone_seconds = deque([start]), {shape(start)}, {}, 0, 0.0
    while queue and visited < MAX_PAGES:
        url = queue.popleft()
        response = page.goto(url)
        visited += 1
        assert response is not None and response.status < 500, f"{url} answered {response and response.status}"
        if response.status != 200 or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        found = axe_violations(page)
        on_phone, seconds = at_a_phone_width(page)
        found, phone_seconds = found + on_phone, phone_seconds + seconds
        if found:
            problems[url] = found
        for href in page.eval_on_selector_all("main a[href], header a[href]", "els => els.map(e => e.href)"):
            href = urldefrag(href)[0]
            if urlsplit(href).netloc != origin or SKIP.search(href) or shape(href) in seen:
                continue
            seen.add(shape(href))
            queue.append(href)
    PHONE_SECONDS.append((start, visited, round(phone_seconds, 1)))
    return problems


def _accounts():
    for role, local, _ in MUNICIPAL_DEMO_USERS:
        yield pytest.param("jelgava", f"{local}@jelgava.localhost", id=role.value)
    for role, email, _ in NATIONAL_DEMO_USERS:
        yield pytest.param(None, email, id=role.value)


@pytest.mark.parametrize("code, email", list(_accounts()))
def test_every_page_a_role_reaches_is_accessible(page, site, code, email):
    sign_in(page, site(code, "/konts/ieiet/"), email, DEMO_PASSWORD)
    problems = crawl(page, site(code, "/panelis/"))
    print("phone pass (start, pages, seconds):", PHONE_SECONDS[-1])  # shown with -rP
    assert not problems, problems


@pytest.mark.parametrize("code", [None, "jelgava"])
def test_every_page_a_visitor_reaches_is_accessible(page, site, code):
    problems = crawl(page, site(code, "/"))
    print("phone pass (start, pages, seconds):", PHONE_SECONDS[-1])
    assert not problems, problems
