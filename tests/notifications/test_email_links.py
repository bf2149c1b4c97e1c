"""Links in notification e-mails are absolute: the recipient's site (the municipality's primary host, or the
national host for provider staff) with the scheme the portal is served with (PORTAL_HTTPS) and, in the demo, the
port it serves on (PORTAL_PUBLIC_PORT)."""

import os

import pytest
from django.core import mail
from django.db import connection
from django_tenants.utils import schema_context

from portal.marketplace.invoicing.sessions import session_dispute
from portal.platform.outbox.models import OutboxEvent
from portal.platform.outbox.services import outbox_process
from portal.tenants.links import absolute_url
from portal.tenants.models import Domain
from tests.invoicing.conftest import record

pytestmark = pytest.mark.django_db


def _primary(schema_name):
    return Domain.objects.get(tenant__schema_name=schema_name, is_primary=True).domain


def test_one_helper_builds_absolute_links_per_site(muni_a, settings):
    settings.PORTAL_HTTPS = True
    assert absolute_url("/nodarbibas/5/", schema_name=muni_a.schema_name) == \
        f"https://{_primary(muni_a.schema_name)}/nodarbibas/5/"
    settings.PORTAL_HTTPS = False
    assert absolute_url("/pazinojumi/", schema_name="public") == f"http://{_primary('public')}/pazinojumi/"
    assert absolute_url("", schema_name="public") == ""
    assert absolute_url("https://example.lv/x", schema_name="public") == "https://example.lv/x"
    assert absolute_url("//evil.example/x", schema_name="public") == "//evil.example/x"


def test_the_demo_port_is_in_the_links_and_no_port_by_default(muni_a, settings, monkeypatch):
    host = _primary(muni_a.schema_name)
    settings.PORTAL_HTTPS, settings.PORTAL_PUBLIC_PORT = False, None  # production: no port
    assert absolute_url("/vienosanas/1/zinas/", schema_name=muni_a.schema_name) == f"http://{host}/vienosanas/1/zinas/"
    settings.PORTAL_PUBLIC_PORT = 8000  # `portal demo` on :8000
    assert absolute_url("/vienosanas/1/zinas/", schema_name=muni_a.schema_name) == \
        f"http://{host}:8000/vienosanas/1/zinas/"
    assert absolute_url("/pazinojumi/", schema_name="public") == f"http://{_primary('public')}:8000/pazinojumi/"
    settings.PORTAL_HTTPS, settings.PORTAL_PUBLIC_PORT = True, 443  # the scheme's own port is not written
    assert absolute_url("/x/", schema_name=muni_a.schema_name) == f"https://{host}/x/"
    # `portal demo --port N` sets it before the settings are read (server and worker inherit it); an
    # operator's own value stays.
    from portal.platform.cli import demo_environment

    monkeypatch.delenv("PORTAL_PUBLIC_PORT", raising=False)
    monkeypatch.delenv("PORTAL_DEMO", raising=False)
    demo_environment(8123)
    assert (os.environ["PORTAL_PUBLIC_PORT"], os.environ["PORTAL_DEMO"]) == ("8123", "1")
    monkeypatch.setenv("PORTAL_PUBLIC_PORT", "9000")
    demo_environment(8123)
    assert os.environ["PORTAL_PUBLIC_PORT"] == "9000"


def test_emails_carry_the_recipients_site(world, agreement, settings, django_capture_on_commit_callbacks):
    settings.PORTAL_HTTPS = True
    session = record(agreement, world.staff)
    event = OutboxEvent.objects.filter(kind="session.recorded").latest("pk")
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_process(event_id=event.pk)
    [to_person] = [m for m in mail.outbox if m.to == [world.person_user.email]]
    assert f"https://{_primary(world.municipality.schema_name)}/nodarbibas/{session.pk}/" in to_person.body
    # the provider's staff read on the national site
    connection.set_tenant(world.municipality)
    session_dispute(session=session, reason="Nebija", actor=world.person_user)
    event = OutboxEvent.objects.filter(kind="session.disputed").latest("pk")
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_process(event_id=event.pk)
    [to_staff] = [m for m in mail.outbox if m.to == [world.staff.email]]
    with schema_context("public"):
        national = _primary("public")
    assert f"https://{national}/sniedzejs/{world.municipality.code}/nodarbibas/{session.pk}/" in to_staff.body
