"""Outbox events become notifications: once per event and recipient, by preference, e-mailed in the
recipient's language, in the schema where the recipient reads; the notification centre's pages."""

import pytest
from django.core import mail
from django.db import connection
from django_tenants.utils import schema_context

from portal.notifications.models import Channel, Kind, Notification, Preference
from portal.platform.outbox.models import OutboxEvent
from portal.platform.outbox.services import outbox_process
from tests.factories import sent
from tests.invoicing.conftest import record

pytestmark = pytest.mark.django_db


def _handle(kind):
    """Run the handlers of the newest event of ``kind`` as the worker would (same function, same schema)."""
    event = OutboxEvent.objects.filter(kind=kind).order_by("-pk").first()
    assert outbox_process(event_id=event.pk)
    return event


def test_a_recorded_session_notifies_the_person_once(world, agreement, django_capture_on_commit_callbacks):
    record(agreement, world.staff)
    with django_capture_on_commit_callbacks(execute=True):
        event = _handle("session.recorded")
    [note] = Notification.objects.filter(recipient=world.person_user, event_id=event.pk)
    assert note.kind == Kind.SESSION_RECORDED and note.link.startswith("/")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [world.person_user.email]
    # A second delivery of the same event: nothing new, no second e-mail.
    OutboxEvent.objects.filter(pk=event.pk).update(processed_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        outbox_process(event_id=event.pk)
    assert Notification.objects.filter(recipient=world.person_user, event_id=event.pk).count() == 1
    assert len(mail.outbox) == 1


def test_preferences_are_honoured(world, agreement, django_capture_on_commit_callbacks):
    Preference.objects.create(user=world.person_user, kind=Kind.SESSION_RECORDED, channel=Channel.NONE)
    record(agreement, world.staff)
    with django_capture_on_commit_callbacks(execute=True):
        _handle("session.recorded")
    from_events = Notification.objects.filter(event_id__isnull=False)  # the demo's own notifications carry none
    assert not from_events.filter(recipient=world.person_user, kind=Kind.SESSION_RECORDED).exists()
    assert mail.outbox == []
    Preference.objects.filter(user=world.person_user).update(channel=Channel.PAGE)
    record(agreement, world.staff, days_ago=3)
    with django_capture_on_commit_callbacks(execute=True):
        _handle("session.recorded")
    assert from_events.filter(recipient=world.person_user, kind=Kind.SESSION_RECORDED).count() == 1
    assert mail.outbox == []


def test_email_is_in_the_recipients_language(world, agreement, django_capture_on_commit_callbacks):
    world.person_user.preferred_language = "en"
    world.person_user.save(update_fields=["preferred_language"])
    record(agreement, world.staff)
    with django_capture_on_commit_callbacks(execute=True):
        _handle("session.recorded")
    assert "was recorded" in mail.outbox[0].body


def test_provider_staff_are_notified_on_the_national_site(world, django_capture_on_commit_callbacks):
    sent(world)
    connection.set_tenant(world.municipality)
    event = _handle("agreement.status_changed")
    assert not Notification.objects.filter(recipient=world.staff).exists()  # not in the municipality's schema
    with schema_context("public"):
        [note] = Notification.objects.filter(recipient=world.staff, event_id=event.pk)
        assert note.kind == Kind.AGREEMENT_PROPOSED and note.source_schema == world.municipality.schema_name


def test_notification_centre_pages(world, agreement, client_for, django_assert_max_num_queries,
                                   django_capture_on_commit_callbacks):
    record(agreement, world.staff)
    _handle("session.recorded")
    note = Notification.objects.get(recipient=world.person_user, kind=Kind.SESSION_RECORDED, event_id__isnull=False)
    client = client_for(user=world.person_user)
    client.get("/pazinojumi/")
    with django_assert_max_num_queries(10):
        page = client.get("/pazinojumi/")
    assert f'data-notification="{note.pk}"' in page.content.decode()
    opened = client.get(f"/pazinojumi/{note.pk}/")
    assert opened.status_code == 302 and opened["Location"] == note.link
    note.refresh_from_db()
    assert note.read_at is not None
    # Liepāja's site knows nothing of Jelgava's notification.
    other = client_for("liepaja", user=world.person_user)
    assert other.get(f"/pazinojumi/{note.pk}/").status_code in (403, 404)
    assert f'data-notification="{note.pk}"' not in other.get("/pazinojumi/").content.decode()
    # Someone else's notification: not found.
    assert client_for(user=world.supporter).get(f"/pazinojumi/{note.pk}/").status_code == 404


def test_mark_all_read_and_preferences_form(world, agreement, client_for):
    record(agreement, world.staff)
    _handle("session.recorded")
    client = client_for(user=world.person_user)
    assert client.post("/pazinojumi/lasiti/").status_code == 302
    assert not Notification.objects.filter(recipient=world.person_user, read_at__isnull=True).exists()
    data = {kind: Channel.BOTH for kind in Kind.values} | {Kind.SESSION_RECORDED: Channel.EMAIL}
    assert client.post("/pazinojumi/iestatijumi/", data).status_code == 302
    assert Preference.objects.get(user=world.person_user, kind=Kind.SESSION_RECORDED).channel == Channel.EMAIL
    bad = client.post("/pazinojumi/iestatijumi/", data | {Kind.PLAN_APPROVED: "loud"})
    assert bad.status_code == 400 and "govuk-error-message" in bad.content.decode()
    assert not Preference.objects.filter(user=world.person_user, kind=Kind.PLAN_APPROVED, channel="loud").exists()


def test_anonymous_is_sent_to_sign_in(client_for):
    assert client_for().get("/pazinojumi/").status_code == 302
