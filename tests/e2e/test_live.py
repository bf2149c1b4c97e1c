"""Live: the person keeps the sessions page open while the provider records a session through the API; the
new session appears without a reload (websocket → htmx refresh), the header count and the aria-live region
update. The notification centre passes axe."""

from __future__ import annotations

import base64
import datetime as dt
import json
import random
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest

from portal.demo.users import DEMO_PASSWORD
from tests.e2e.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser

PERSON = "persona@jelgava.localhost"
PROVIDER = "sniedzejs@sbs.localhost"


def _api(url, email, body=None):
    """The API as a client would call it; *.localhost dialled as 127.0.0.1 with the Host header (urllib does
    not resolve *.localhost the way browsers do)."""
    parts = urlsplit(url)
    token = base64.b64encode(f"{email}:{DEMO_PASSWORD}".encode()).decode()
    request = urllib.request.Request(parts._replace(netloc=f"127.0.0.1:{parts.port}").geturl(),
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": f"Basic {token}", "Content-Type": "application/json",
                                              "Accept": "application/json", "Host": parts.netloc},
                                     method="POST" if body else "GET")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()[:500]


def _record_for_the_person(site) -> str:
    """Record one session on the first of the person's active agreements with the demo provider; its time."""
    status, listing = _api(site("jelgava", "/api/v1/agreements/?status=active"), PERSON)
    assert status == 200, listing
    today = dt.date.today()
    start = f"{random.randint(5, 21):02d}:{random.randint(0, 59):02d}"
    for agreement in listing["results"]:
        day = min(today, dt.date.fromisoformat(agreement["period_end"]))
        if day < dt.date.fromisoformat(agreement["period_start"]):
            continue
        status, created = _api(site(None, f"/api/v1/provider/jelgava/agreements/{agreement['id']}/sessions/"),
                               PROVIDER, {"sessions": [{"date": day.isoformat(), "start_time": start, "units": "1",
                                                        "staff_name": "Live Test"}]})
        if status == 201:
            return start
    pytest.fail("no active agreement of the demo person accepted a session from the demo provider")


def test_a_recorded_session_appears_on_the_open_page(browser, site):
    context = browser.new_context(locale="lv-LV")
    page = context.new_page()
    sign_in(page, site("jelgava", "/konts/ieiet/"), PERSON, DEMO_PASSWORD)
    page.goto(site("jelgava", "/nodarbibas/"))
    page.wait_for_selector("body[data-live=open]", timeout=10_000)
    start = _record_for_the_person(site)
    page.wait_for_selector(f"#live-sessions >> text={start}", timeout=15_000)  # no reload
    assert page.locator("[data-live-region]").text_content().strip()
    assert page.locator("[data-unread-count]").first.is_visible()
    page.goto(site("jelgava", "/pazinojumi/"))
    assert page.locator("[data-notification][data-unread]").count() >= 1
    assert_accessible(page)
    page.goto(site("jelgava", "/pazinojumi/iestatijumi/"))
    assert_accessible(page)
    # The messages of one of the person's agreements (the demo holds a conversation on the first active one).
    page.goto(site("jelgava", "/vienosanas/?status=active"))
    href = page.eval_on_selector("main a[href*='/vienosanas/']:not([href*='?'])", "a => a.getAttribute('href')")
    page.goto(site("jelgava", href.rstrip("/") + "/zinas/"))
    page.fill("textarea[name=body]", "Paldies!")
    page.click("form[method=post] button.govuk-button")
    page.wait_for_selector("#live-messages >> text=Paldies!")
    assert_accessible(page)
    context.close()
