"""One sign-in across the platform's hosts, in a real browser (ADR 0009): provider staff signed in on the
national site follow the link to a municipality's agreements and arrive signed in; signed in on a
municipality's site they land on a page of their own, never a 403, and reach the national site signed in;
signing out on one host signs out on the other."""

from __future__ import annotations

import pytest

from portal.demo.users import DEMO_PASSWORD
from tests.e2e.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser

PROVIDER = "sniedzejs@sbs.localhost"


def test_provider_staff_cross_between_hosts_signed_in(browser, site):
    context = browser.new_context(locale="lv-LV")
    page = context.new_page()
    try:
        sign_in(page, site(None, "/konts/ieiet/"), PROVIDER, DEMO_PASSWORD)
        page.goto(site(None, "/vienosanas/"))
        page.locator("main a[href*='jelgava.localhost']").first.click()
        page.wait_for_load_state()
        # On Jelgava's agreements, signed in: no second sign-in form, the pass gone from the address bar.
        assert page.url == site("jelgava", "/vienosanas/")
        assert page.locator("input[name=password]").count() == 0
        assert page.locator("form[action='/konts/iziet/']").count() == 1
        assert_accessible(page)

        # The header's dashboard link on the municipality's site is a landing page, not a 403 loop.
        response = page.goto(site("jelgava", "/panelis/"))
        assert response.status == 200
        assert page.locator('[data-role="provider_staff"]').is_visible()
        assert_accessible(page)
        page.get_by_role("link", name="Jūsu pakalpojumu sniedzēja panelis valsts vietnē").click()
        page.wait_for_load_state()
        assert page.url == site(None, "/vienosanas/")
        assert page.locator("input[name=password]").count() == 0

        # Signing out on the national site signs out on Jelgava's too: one sign-in, ended everywhere.
        page.locator("form[action='/konts/iziet/'] button").click()
        page.wait_for_load_state()
        page.goto(site("jelgava", "/panelis/"))
        assert page.locator("input[name=password]").count() == 1
        assert page.locator("form[action='/konts/iziet/']").count() == 0
    finally:
        context.close()


def test_provider_staff_signing_in_on_a_municipality_site_land_on_their_page(browser, site):
    context = browser.new_context(locale="lv-LV")
    page = context.new_page()
    try:
        sign_in(page, site("jelgava", "/konts/ieiet/"), PROVIDER, DEMO_PASSWORD)
        assert page.url == site("jelgava", "/panelis/")
        assert page.locator('[data-role="provider_staff"]').is_visible()
        assert page.locator("main a[href='/vienosanas/']").count() == 1
    finally:
        context.close()
