"""A security key as the second sign-in step, in Chromium with a virtual authenticator (Chrome DevTools
Protocol, WebAuthn domain: CTAP2, internal transport, user verification): the person adds the key on the
account's security-key page through static/portal/webauthn.js, signs out, and finishes the next sign-in by
pressing "Use your security key". The browser, the script, the server's checks and the key's signatures are
all real; only the touch is simulated."""

from __future__ import annotations

from base64 import b32decode

import pytest
from django_otp.oath import totp

from portal.demo.users import DEMO_PASSWORD
from tests.e2e.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser

# An account no other browser test signs in as: it ends the test with an app and a key (the second step owed).
EMAIL = "atbalsta.persona@valmiera.localhost"


def test_add_a_security_key_and_sign_in_with_it(browser, site):
    context = browser.new_context(locale="lv-LV")
    page = context.new_page()
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True, "automaticPresenceSimulation": True}})["authenticatorId"]
    try:
        sign_in(page, site("valmiera", "/konts/ieiet/"), EMAIL, DEMO_PASSWORD)
        # A key comes beside an app (whose recovery codes are the way back): set the app up first.
        page.goto(site("valmiera", "/konts/otrais-solis/iestatit/"))
        secret = page.locator("#two-factor-secret").inner_text().replace(" ", "")
        key = b32decode(secret + "=" * (-len(secret) % 8))
        page.locator("#id_code").fill(f"{totp(key):06d}")
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()

        page.goto(site("valmiera", "/konts/drosibas-atslegas/"))
        assert_accessible(page)
        # No name: the error stands next to the field, the field says it is invalid and points to it.
        page.get_by_role("button", name="Pievienot drošības atslēgu").click()
        page.locator("#id_name-error").wait_for()
        name = page.locator("#id_name")
        assert name.get_attribute("aria-invalid") == "true" and "id_name-error" in name.get_attribute("aria-describedby")
        name.fill("Virtuālā atslēga")
        page.get_by_role("button", name="Pievienot drošības atslēgu").click()
        page.get_by_role("rowheader", name="Virtuālā atslēga").wait_for()
        assert page.locator(".govuk-notification-banner--success").is_visible()
        credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
        assert len(credentials) == 1 and credentials[0]["rpId"] == "valmiera.localhost"

        page.locator("form[action='/konts/iziet/'] button").click()
        page.wait_for_load_state()
        sign_in(page, site("valmiera", "/konts/ieiet/"), EMAIL, DEMO_PASSWORD)
        assert page.url.startswith(site("valmiera", "/konts/otrais-solis/"))
        assert_accessible(page)
        page.get_by_role("button", name="Izmantot drošības atslēgu").click()
        page.wait_for_url(site("valmiera", "/panelis/"))
        assert page.locator("form[action='/konts/iziet/']").count() == 1
        assert page.locator("#id_code").count() == 0
        used = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
        assert used[0]["signCount"] >= 1  # the key signed the sign-in
        page.goto(site("valmiera", "/konts/drosibas-atslegas/"))
        assert "Vēl nav izmantota" not in page.locator("#security-keys").inner_text()
    finally:
        context.close()
    assert not violations, "\n".join(violations)
