"""Shared test fixtures.

The test database lives on the embedded PostgreSQL server (started by the
settings on import, stopped when pytest exits). Two municipalities —
Jelgava and Liepāja — are created once per session with a demo user for every
role; each test runs in a transaction that is rolled back.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from portal.platform.accounts.models import User
from portal.tenants.models import Municipality
from portal.tenants.roles import Role

MUNICIPALITY_A = "jelgava"
MUNICIPALITY_B = "liepaja"


def host(code: str | None) -> str:
    return f"{code}.{settings.PORTAL_BASE_DOMAIN}" if code else settings.PORTAL_BASE_DOMAIN


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from portal.demo.loader import PILOTS, load_demo
    from portal.tenants.provisioning import refresh_template

    pilots = [p for p in PILOTS if p.code in (MUNICIPALITY_A, MUNICIPALITY_B)]
    with django_db_blocker.unblock():
        refresh_template()
        load_demo(pilots=pilots)
        connection.set_schema_to_public()
    yield


@pytest.fixture(autouse=True)
def _public_schema_after_each_test():
    from django.core.cache import cache

    cache.clear()  # API throttles and password-reset counts live there: each test starts from zero
    yield
    connection.set_schema_to_public()
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)  # a request may have switched the thread to English


@pytest.fixture
def muni_a(db) -> Municipality:
    return Municipality.objects.get(code=MUNICIPALITY_A)


@pytest.fixture
def muni_b(db) -> Municipality:
    return Municipality.objects.get(code=MUNICIPALITY_B)


@pytest.fixture
def in_a(muni_a) -> Municipality:
    """The test runs inside municipality A's schema (back to public after it)."""
    connection.set_tenant(muni_a)
    return muni_a


@pytest.fixture
def in_b(muni_b) -> Municipality:
    connection.set_tenant(muni_b)
    return muni_b


def demo_user(role: Role, code: str | None = MUNICIPALITY_A) -> User:
    """The demo user holding ``role`` (in municipality ``code`` for municipal roles)."""
    from portal.demo.users import MUNICIPAL_DEMO_USERS, NATIONAL_DEMO_USERS, municipal_email

    for r, email, _ in NATIONAL_DEMO_USERS:
        if r == role:
            return User.objects.get(email=email)
    local = next(local for r, local, _ in MUNICIPAL_DEMO_USERS if r == role)
    return User.objects.get(email=municipal_email(local, code))


@pytest.fixture
def user_of(db):
    return demo_user


class HostClient(Client):
    """A test client bound to one host, as a browser on that site would be."""

    def __init__(self, hostname: str, **kwargs):
        super().__init__(HTTP_HOST=hostname, **kwargs)
        self.hostname = hostname


def pass_second_step(client, user) -> None:
    """A signed-in test client that owes the two-factor step (staff) gets it done, as after a real code."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from portal.tenants import two_factor

    session = client.session
    if session.get(two_factor.SESSION_STATE) is None:
        return
    device = (TOTPDevice.objects.filter(user=user, confirmed=True).first()
              or TOTPDevice.objects.create(user=user, name=two_factor.TOTP_NAME, confirmed=True))
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    del session[two_factor.SESSION_STATE]
    session.save()


@pytest.fixture
def client_for(db):
    """client_for("jelgava", user=...) → a client on that municipality's host (None: national site)."""

    def make(code: str | None = MUNICIPALITY_A, *, user: User | None = None, language: str | None = None):
        client = HostClient(host(code))
        if user is not None:
            client.force_login(user)
            pass_second_step(client, user)
        if language:
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        return client

    return make


def pytest_collection_modifyitems(config, items):
    """Browser tests last (a stable sort keeps every other order). Playwright's sync API keeps an event loop in
    the main thread from its session fixture on, and Django then refuses synchronous database calls made
    outside a test transaction (the worker tests' committed data) as "from an async context"."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
