"""Security headers: Content-Security-Policy without inline script, Permissions-Policy, Referrer-Policy,
a session-length CSRF cookie, and HSTS with Secure cookies when PORTAL_HTTPS=1."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from django.test import override_settings

from portal.demo.users import DEMO_PASSWORD
from portal.tenants.roles import Role
from tests.conftest import MUNICIPALITY_A

pytestmark = pytest.mark.django_db

PAGES = [
    (None, None, "/"), (None, None, "/konts/ieiet/"), (None, None, "/konts/parole/"), (None, None, "/pasvaldibas/"),
    (MUNICIPALITY_A, None, "/"), (MUNICIPALITY_A, None, "/meklet/"), (MUNICIPALITY_A, None, "/no-such-page/"),
    (MUNICIPALITY_A, Role.SOCIAL_WORKER, "/panelis/"), (MUNICIPALITY_A, Role.SOCIAL_WORKER, "/budzeti/"),
    (MUNICIPALITY_A, Role.SOCIAL_WORKER, "/vienosanas/"), (MUNICIPALITY_A, Role.MUNICIPALITY_ADMIN, "/audits/"),
    (MUNICIPALITY_A, Role.MUNICIPALITY_ADMIN, "/lietotaji/"), (MUNICIPALITY_A, Role.FINANCE_OFFICER, "/rekini/"),
    (MUNICIPALITY_A, Role.PERSON, "/panelis/"), (MUNICIPALITY_A, Role.PERSON, "/nodarbibas/"),
    (None, Role.PROVIDER_STAFF, "/sniedzejs/darbs/"), (None, Role.MINISTRY_ANALYST, "/panelis/"),
    (MUNICIPALITY_A, Role.SOCIAL_WORKER, "/api/v1/persons/"),
]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
INLINE_STYLE = re.compile(r"<style\b|<[^>]+\sstyle\s*=", re.I)


def _directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part}


@pytest.mark.parametrize(("code", "role", "path"), PAGES, ids=[f"{c}:{r}:{p}" for c, r, p in PAGES])
def test_every_page_has_a_strict_policy_and_no_inline_script(client_for, user_of, code, role, path):
    client = client_for(code, user=user_of(role, code) if role else None)
    response = client.get(path)
    assert response.status_code in (200, 404)
    policy = _directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    if role:
        assert "no-store" in response["Cache-Control"]
    if response["Content-Type"].startswith("text/html"):
        body = response.content.decode()
        assert not INLINE_SCRIPT.search(body), INLINE_SCRIPT.search(body).group(0)
        assert not INLINE_HANDLER.search(body), INLINE_HANDLER.search(body).group(0)
        assert not INLINE_STYLE.search(body), INLINE_STYLE.search(body).group(0)


def test_the_api_viewers_relax_the_policy_for_themselves_only(client_for):
    client = client_for(None)
    swagger = client.get("/api/swagger/")
    assert "'unsafe-inline'" not in _directives(swagger["Content-Security-Policy"])["script-src"]
    script = client.get("/api/swagger/?script")  # Swagger UI's start-up code is a file, not inline
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()
    assert "'unsafe-inline'" in _directives(client.get("/api/redoc/")["Content-Security-Policy"])["script-src"]


def test_csrf_cookie_lasts_the_browser_session_only(client_for, user_of):
    client = client_for(MUNICIPALITY_A)
    client.get("/konts/ieiet/")
    cookie = client.cookies["sbs_csrftoken"]
    assert cookie["max-age"] == "" and cookie["expires"] == ""
    assert cookie["httponly"] and not cookie["secure"]


def _https_settings() -> dict:
    """The settings module as PORTAL_HTTPS=1 makes it (a fresh interpreter: settings are read at import)."""
    code = ("import json, portal.platform.settings as s; print(json.dumps({k: getattr(s, k, None) for k in ("
            "'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_SSL_REDIRECT', "
            "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_PROXY_SSL_HEADER')}))")
    env = {**os.environ, "PORTAL_HTTPS": "1"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    values = json.loads(out.stdout.strip().splitlines()[-1])
    values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    return values


def test_https_turns_on_hsts_and_secure_cookies(client_for, user_of):
    values = _https_settings()
    assert values["SECURE_HSTS_SECONDS"] >= 31536000 and values["SESSION_COOKIE_SECURE"]
    assert values["CSRF_COOKIE_SECURE"] and values["SECURE_SSL_REDIRECT"]
    with override_settings(**values):
        client = client_for(MUNICIPALITY_A)
        assert client.get("/konts/ieiet/").status_code == 301  # plain HTTP goes to HTTPS
        response = client.post("/konts/ieiet/", {"username": user_of(Role.PERSON).email, "password": DEMO_PASSWORD},
                               secure=True)
        assert response.status_code == 302
        assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        assert client.cookies["sbs_session"]["secure"] and client.cookies["sbs_csrftoken"]["secure"]
