"""Every page a role can reach — found by following the links from its dashboard, not from a
hand-kept list, so a new page is checked the day it is linked — passes axe in Latvian."""

import re
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


def crawl(page, start: str) -> dict[str, list]:
    """Breadth-first over same-host links from ``start``; axe on each page. Returns violations by URL."""
    origin = urlsplit(start).netloc
    queue, seen, problems, visited = deque([start]), {shape(start)}, {}, 0
    while queue and visited < MAX_PAGES:
        url = queue.popleft()
        response = page.goto(url)
        visited += 1
        assert response is not None and response.status < 500, f"{url} answered {response and response.status}"
        if response.status != 200 or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        found = axe_violations(page)
        if found:
            problems[url] = found
        for href in page.eval_on_selector_all("main a[href], header a[href]", "els => els.map(e => e.href)"):
            href = urldefrag(href)[0]
            if urlsplit(href).netloc != origin or SKIP.search(href) or shape(href) in seen:
                continue
            seen.add(shape(href))
            queue.append(href)
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
    assert not problems, problems


@pytest.mark.parametrize("code", [None, "jelgava"])
def test_every_page_a_visitor_reaches_is_accessible(page, site, code):
    problems = crawl(page, site(code, "/"))
    assert not problems, problems
