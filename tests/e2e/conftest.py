"""Browser tests: the real portal (`portal demo`, uvicorn over ASGI) on a free loopback port,
driven by Playwright in Debian's headless Chromium, with axe-core checking every page."""

from __future__ import annotations

import functools
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[2] / "portal" / "frontend" / "static" / "vendor" / "axe" / "axe.min.js"
E2E_DB = "portal_e2e"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _drop_database(name: str) -> None:
    import psycopg

    from portal.platform import embedded_db

    if os.environ.get("DATABASE_URL"):
        return  # an external server: the demo is idempotent, reuse what is there
    server = embedded_db.ensure_running(quiet=True)
    with psycopg.connect(host=str(server.socket_dir), port=server.port, user="postgres", dbname="postgres",
                         autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def portal_server():
    """Start `portal demo` as a new user would, on its own database; yield its port."""
    _drop_database(E2E_DB)
    port = _free_port()
    log = Path(os.environ.get("PORTAL_DATA_DIR", ".portal-data")) / "e2e-server.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PORTAL_DB_NAME": E2E_DB, "PORTAL_QUIET": "1"}
    with open(log, "w") as out:
        process = subprocess.Popen([sys.executable, "-m", "portal.platform.cli", "demo", "--port", str(port)],
                                   env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 180
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"portal demo did not start; its log:\n{log.read_text()[-4000:]}")
        time.sleep(0.3)
    yield port
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}: apt-get install chromium (CI installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    """A page whose Content-Security-Policy violations fail the test (the portal has no inline script)."""
    context = browser.new_context(locale="lv-LV")
    page = context.new_page()
    violations = []
    page.on("console", lambda message: violations.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text else None)
    yield page
    context.close()
    assert not violations, "\n".join(violations)


@pytest.fixture
def site(portal_server):
    """site("jelgava", "/panelis/") → the absolute URL on that municipality's host (None: national)."""

    def url(code: str | None, path: str = "/") -> str:
        hostname = f"{code}.localhost" if code else "localhost"
        return f"http://{hostname}:{portal_server}{path}"

    return url


def axe_violations(page, rules: list[str] | None = None, inject: bool = True) -> list[dict]:
    """Run axe-core (WCAG 2.1 A/AA, or only the named ``rules``) on the page; return serious and critical
    violations. ``inject=False`` reuses the axe already loaded into the same document."""
    # Evaluated through the DevTools protocol, which the Content-Security-Policy does not govern (an inline
    # <script> tag would be refused, and an unknown host serves no static files).
    if inject:
        page.evaluate(_axe_source() + "\n;true")
    only = {"type": "rule", "values": rules} if rules else {
        "type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}
    result = page.evaluate("async (only) => await axe.run(document, {runOnly: only})", only)
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"] if v["impact"] in ("serious", "critical")
    ]


@functools.cache
def _axe_source() -> str:
    return AXE.read_text()


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    assert not violations, f"{page.url}:\n{json.dumps(violations, indent=2, ensure_ascii=False)}"


def sign_in(page, url: str, email: str, password: str) -> None:
    page.goto(url)
    page.get_by_label("E-pasta adrese").fill(email)
    page.get_by_label("Parole").fill(password)
    page.get_by_role("button", name="Ieiet").click()
    page.wait_for_load_state()
