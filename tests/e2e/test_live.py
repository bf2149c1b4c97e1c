"""Live: the person keeps the sessions page open while the provider records a session through the API; the
new session appears without a reload (websocket → htmx refresh), the header count and the aria-live region
update. The notification centre, the sessions page with its "confirm all" buttons and the messages page with
an attachment pass axe."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from portal.demo.users import DEMO_PASSWORD
from tests.e2e.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser

PERSON = "persona@jelgava.localhost"
PROVIDER = "sniedzejs@sbs.localhost"


def _api(page, url, body=None):
    """The API as the signed-in browser calls it: its session cookie, and the CSRF token for a POST (HTTP Basic
    is off). ``page`` must be on ``url``'s site."""
    token = next((c["value"] for c in page.context.cookies(url) if "csrf" in c["name"].lower()), "")
    return page.evaluate("""async ([url, body, token]) => {
        const response = await fetch(url, {method: body ? "POST" : "GET", credentials: "same-origin",
            headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": token},
            body: body ? JSON.stringify(body) : undefined});
        const text = await response.text();
        let data = text;
        try { data = JSON.parse(text); } catch (error) { /* an HTML error page */ }
        return [response.status, data];
    }""", [url, body, token])


def _record_for_the_person(browser, site, person_page) -> str:
    """Record one session on the first of the person's active agreements with the demo provider; its time."""
    status, listing = _api(person_page, site("jelgava", "/api/v1/agreements/?status=active"))
    assert status == 200, listing
    provider = browser.new_context(locale="lv-LV").new_page()
    sign_in(provider, site(None, "/konts/ieiet/"), PROVIDER, DEMO_PASSWORD)
    today = dt.date.today()
    start = f"{random.randint(5, 21):02d}:{random.randint(0, 59):02d}"
    try:
        for agreement in listing["results"]:
            day = min(today, dt.date.fromisoformat(agreement["period_end"]))
            if day < dt.date.fromisoformat(agreement["period_start"]):
                continue
            url = site(None, f"/api/v1/provider/jelgava/agreements/{agreement['id']}/sessions/")
            session = {"date": day.isoformat(), "start_time": start, "units": "1", "staff_name": "Live Test"}
            status, _created = _api(provider, url, {"sessions": [session]})
            if status == 201:
                return start
    finally:
        provider.context.close()
    pytest.fail("no active agreement of the demo person accepted a session from the demo provider")


def test_a_recorded_session_appears_on_the_open_page(browser, site):
    context = browser.new_context(locale="lv-LV")
    page = context.new_page()
    sign_in(page, site("jelgava", "/konts/ieiet/"), PERSON, DEMO_PASSWORD)
    page.goto(site("jelgava", "/nodarbibas/"))
    page.wait_for_selector("body[data-live=open]", timeout=10_000)
    start = _record_for_the_person(browser, site, page)
    page.wait_for_selector(f"#live-sessions >> text={start}", timeout=15_000)  # no reload
    assert page.locator("[data-live-region]").text_content().strip()
    assert page.locator("[data-unread-count]").first.is_visible()
    assert page.locator("[data-confirm-months] button[name=month]").count() >= 1  # "confirm all" per month
    assert_accessible(page)
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
    page.set_input_files("input[name=attachment]", files=[
        {"name": "kvits.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n" + bytes(32)}])
    page.click("form[method=post] button.govuk-button")
    page.wait_for_selector("#live-messages >> text=kvits.png")
    assert_accessible(page)
    context.close()
