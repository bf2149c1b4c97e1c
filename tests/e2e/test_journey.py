"""The journey in a real browser, each step by the person who takes it, every page checked by axe:
search → agreement → acceptance → session → confirmation → invoice → approval."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from portal.demo.users import DEMO_PASSWORD
from tests.e2e.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser

PERSON = "persona@jelgava.localhost"
PROVIDER = "sniedzejs@sbs.localhost"
FINANCE = "finanses@jelgava.localhost"
SOCIAL_WORKER = "socialais.darbinieks@jelgava.localhost"


def _as(browser, site, code, email):
    context = browser.new_context(locale="lv-LV")
    page = context.new_page()
    sign_in(page, site(code, "/konts/ieiet/"), email, DEMO_PASSWORD)
    return context, page


def _start_agreement(page, site) -> int:
    """Search the demo provider's services and start an agreement on the first one the budget allows."""
    page.goto(site("jelgava", "/meklet/?q=Saules+Stars"))
    assert_accessible(page)
    hrefs = page.eval_on_selector_all("main a[href*='/pakalpojumi/']", "els => els.map(e => e.href)")
    ids = list(dict.fromkeys(int(m.group(1)) for h in hrefs if (m := re.search(r"/pakalpojumi/(\d+)/", h))))
    assert ids, "the search found none of the demo provider's services"
    today = dt.date.today()
    for service_id in ids:
        page.goto(site("jelgava", f"/vienosanas/jauna/{service_id}/"))
        if page.locator("input[name=total_units]").count() == 0:
            continue
        page.fill("input[name=total_units]", "2")
        page.fill("input[name=period_start]", today.isoformat())
        page.fill("input[name=period_end]", (today + dt.timedelta(days=20)).isoformat())
        if page.locator("input[name=accept_copayment]").count():
            page.check("input[name=accept_copayment]")
        page.click("button[value=save]")
        page.wait_for_load_state()
        match = re.search(r"/vienosanas/(\d+)/$", page.url)
        if match:
            return int(match.group(1))
    pytest.fail("no service of the demo provider fits the demo person's budget")


def test_the_journey_in_the_browser(browser, site):
    person_ctx, person = _as(browser, site, "jelgava", PERSON)
    agreement_id = _start_agreement(person, site)
    assert_accessible(person)
    person.click("form[action$='/apstiprinat/'] button")
    person.wait_for_load_state()

    # The provider accepts on the municipality's site.
    provider_muni_ctx, provider_muni = _as(browser, site, "jelgava", PROVIDER)
    provider_muni.goto(site("jelgava", f"/vienosanas/{agreement_id}/"))
    provider_muni.click("form[action$='/pienemt/'] button")
    provider_muni.wait_for_load_state()
    # Where the municipality's rules ask for its own approval, the social worker gives it.
    worker_ctx, worker = _as(browser, site, "jelgava", SOCIAL_WORKER)
    worker.goto(site("jelgava", f"/vienosanas/{agreement_id}/"))
    if worker.locator("form[action$='/lemums/'] button").count():
        worker.locator("form[action$='/lemums/'] button").first.click()
        worker.wait_for_load_state()
    worker_ctx.close()

    # The provider records today's session from the national site.
    provider_ctx, provider = _as(browser, site, None, PROVIDER)
    provider.goto(site(None, f"/sniedzejs/jelgava/vienosanas/{agreement_id}/"))
    assert_accessible(provider)
    provider.fill("input[name=s-date]", dt.date.today().isoformat())
    provider.fill("input[name=s-units]", "1")
    provider.fill("input[name=s-staff_name]", "Anna Kalēja")
    provider.fill("textarea[name=s-note]", "Pastaiga parkā")
    provider.click("form:has(input[name=s-date]) button")
    provider.wait_for_load_state()
    assert provider.locator("main table").first.inner_text().count("Anna Kalēja") >= 1

    # The person confirms it.
    person.goto(site("jelgava", "/nodarbibas/?status=recorded"))
    assert_accessible(person)
    hrefs = person.eval_on_selector_all("main a[href*='/nodarbibas/']", "els => els.map(e => e.href)")
    session_url = next(h for h in hrefs if re.search(r"/nodarbibas/\d+/$", h))
    person.goto(session_url)
    assert_accessible(person)
    person.click("button[value=confirm]")
    person.wait_for_load_state()
    assert "Apstiprināta" in person.content() or "Confirmed" in person.content()

    # The provider prepares this month's invoice; it checks clean and is submitted.
    provider.goto(site(None, f"/sniedzejs/jelgava/vienosanas/{agreement_id}/"))
    provider.click("form:has(input[name=m-month]) button")
    provider.wait_for_load_state()
    assert re.search(r"/sniedzejs/jelgava/rekini/\d+/$", provider.url)
    assert_accessible(provider)
    invoice_url = provider.url
    provider.click("button[value=submit]")
    provider.wait_for_load_state()
    assert provider.locator("button[value=submit]").count() == 0
    invoice_id = int(re.search(r"/rekini/(\d+)/$", invoice_url).group(1))

    # The finance officer approves it from the queue.
    finance_ctx, finance = _as(browser, site, "jelgava", FINANCE)
    finance.goto(site("jelgava", "/rekini/"))
    assert_accessible(finance)
    finance.goto(site("jelgava", f"/rekini/{invoice_id}/"))
    assert_accessible(finance)
    finance.click("button[value=approve]")
    finance.wait_for_load_state()
    assert finance.locator("button[value=paid]").count() == 1

    # The provider's timeline shows it approved; the national work list has it.
    provider.goto(invoice_url)
    assert provider.locator("main time").count() >= 3
    provider.goto(site(None, "/sniedzejs/darbs/?kind=invoice&municipality=jelgava"))
    assert_accessible(provider)
    assert f"/sniedzejs/jelgava/rekini/{invoice_id}/" in provider.content()
    for ctx in (person_ctx, provider_muni_ctx, provider_ctx, finance_ctx):
        ctx.close()
