"""Every role signs in through the real form and every page it can reach passes axe
(no serious or critical WCAG 2.1 A/AA violation), in Latvian and in English."""

import pytest

from portal.demo.users import DEMO_PASSWORD, MUNICIPAL_DEMO_USERS, NATIONAL_DEMO_USERS
from tests.e2e.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser

PUBLIC_PAGES = [
    (None, "/"), (None, "/pasvaldibas/"), (None, "/konts/ieiet/"), (None, "/konts/parole/"),
    ("jelgava", "/"), ("jelgava", "/konts/ieiet/"), ("nowhere", "/"), ("jelgava", "/no-such-page/"),
    (None, "/api/docs/"), ("jelgava", "/api/docs/"), ("jelgava", "/meklet/?q=psihologs"), (None, "/meklet/"),
]
# Pages each role reaches from its dashboard, beyond the dashboard itself.
ROLE_PAGES = {"municipality_admin": ["/audits/", "/lietotaji/"],
              "platform_admin": ["/pasvaldibas/", "/pasvaldibas/jauna/", "/lietotaji/"],
              "ministry_analyst": ["/pasvaldibas/"],
              "person": ["/mani-dati/dzesana/", "/konts/otrais-solis/iestatit/"],
              "social_worker": ["/personas/dzesanas-pieprasijumi/"]}


@pytest.mark.parametrize("code, path", PUBLIC_PAGES)
def test_public_pages_are_accessible_in_both_languages(page, site, code, path):
    page.goto(site(code, path))
    assert page.locator("html").get_attribute("lang") == "lv"
    assert_accessible(page)
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert_accessible(page)


def _accounts():
    for role, local, _ in MUNICIPAL_DEMO_USERS:
        yield pytest.param("jelgava", f"{local}@jelgava.localhost", role.value, id=role.value)
    for role, email, _ in NATIONAL_DEMO_USERS:
        yield pytest.param(None, email, role.value, id=role.value)


@pytest.mark.parametrize("code, email, role", list(_accounts()))
def test_each_role_signs_in_and_its_pages_are_accessible(page, site, code, email, role):
    sign_in(page, site(code, "/konts/ieiet/"), email, DEMO_PASSWORD)
    assert page.url == site(code, "/panelis/")
    assert page.locator(f'[data-role="{role}"]').is_visible()
    assert_accessible(page)
    for path in ROLE_PAGES.get(role, []):
        response = page.goto(site(code, path))
        assert response.status == 200
        assert_accessible(page)
    page.goto(site(code, "/panelis/"))
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Your dashboard").is_visible()
    assert_accessible(page)


def test_sign_in_error_is_announced_and_linked_to_the_field(page, site):
    page.goto(site("jelgava", "/konts/ieiet/"))
    page.get_by_label("E-pasta adrese").fill("persona@jelgava.localhost")
    page.get_by_label("Parole").fill("nepareiza")
    page.get_by_role("button", name="Ieiet").click()
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert "Kļūda:" in page.title()
    assert_accessible(page)


def test_skip_link_is_the_first_thing_a_keyboard_user_reaches(page, site):
    page.goto(site("jelgava", "/"))
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Pāriet uz galveno saturu"
    page.keyboard.press("Enter")
    page.wait_for_url("**#main-content", timeout=5000)  # the fragment lands a moment after the key press
    assert page.url.endswith("#main-content")


def test_pages_fit_a_phone_screen_without_sideways_scrolling(browser, site):
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    try:
        for code, path in [(None, "/"), ("jelgava", "/"), ("jelgava", "/konts/ieiet/")]:
            page.goto(site(code, path))
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
    finally:
        context.close()
