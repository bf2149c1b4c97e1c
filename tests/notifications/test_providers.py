"""Provider verified (platform, national) and approved (a municipality): the provider's staff are notified on
the national site (public, ADR 0010), once per decision; the events carry ids only."""

import pytest
from django.db import connection
from django_tenants.utils import schema_context, tenant_context

from portal.marketplace.approvals.services import provider_approval_decide, services_approve_all
from portal.marketplace.catalogue.models import Provider
from portal.marketplace.catalogue.services import provider_status_set
from portal.notifications.models import Kind, Notification
from portal.notifications.services import notification_text
from portal.platform.outbox.models import OutboxEvent
from portal.platform.outbox.services import outbox_process
from portal.tenants.roles import Role
from tests.conftest import demo_user
from tests.factories import make_provider, make_service, own_staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(db):
    provider = make_provider()
    with schema_context("public"):
        Provider.objects.filter(pk=provider.pk).update(status="pending", verified_at=None)
        provider.refresh_from_db()
    return provider, own_staff_user(provider)


def _public_notes(user, kind):
    with schema_context("public"):
        return list(Notification.objects.filter(recipient=user, kind=kind))


def test_the_platform_verifying_a_provider_notifies_its_staff_in_public(pending, django_capture_on_commit_callbacks):
    provider, staff = pending
    with schema_context("public"), django_capture_on_commit_callbacks(execute=True):
        provider_status_set(provider=provider, status="verified", actor=demo_user(Role.PLATFORM_ADMIN, None))
    [note] = _public_notes(staff, Kind.PROVIDER_VERIFIED)
    assert note.params == {"provider": provider.name} and note.link == f"/mans-sniedzejs/{provider.slug}/"
    assert provider.name in notification_text(note)
    # Verified again (no change): nobody is told twice.
    with schema_context("public"):
        provider_status_set(provider=Provider.objects.get(pk=provider.pk), status="verified",
                            actor=demo_user(Role.PLATFORM_ADMIN, None))
    assert len(_public_notes(staff, Kind.PROVIDER_VERIFIED)) == 1


def test_a_municipalitys_decisions_reach_the_providers_staff_through_the_outbox(muni_a, pending):
    provider, staff = pending
    with schema_context("public"):
        Provider.objects.filter(pk=provider.pk).update(status="verified")
        provider.refresh_from_db()
        make_service(provider, "respite-care", "10.00")
    admin = demo_user(Role.MUNICIPALITY_ADMIN, "jelgava")
    with tenant_context(muni_a):
        provider_approval_decide(provider=provider, status="approved", actor=admin)
        event = OutboxEvent.objects.filter(kind="provider.approval_decided").latest("pk")
        assert event.payload == {"provider_id": provider.pk, "status": "approved"}  # ids only
        assert outbox_process(event_id=event.pk)
        OutboxEvent.objects.filter(pk=event.pk).update(processed_at=None)
        outbox_process(event_id=event.pk)  # a second delivery notifies nobody twice
        assert services_approve_all(provider=provider, actor=admin) == 1
        services_event = OutboxEvent.objects.filter(kind="service.approval_decided").latest("pk")
        assert set(services_event.payload) == {"provider_id", "service_ids", "status"}
        assert outbox_process(event_id=services_event.pk)
    [approved] = _public_notes(staff, Kind.PROVIDER_APPROVED)
    assert approved.source_schema == muni_a.schema_name and approved.params["status"] == "approved"
    assert "count" not in approved.params and approved.link == f"/mans-sniedzejs/{provider.slug}/"
    assert "apstiprināja" in notification_text(approved)  # the text of the decision, in the reader's language
    [services_note] = _public_notes(staff, Kind.SERVICE_APPROVED)
    assert services_note.params["count"] == 1 and services_note.link.endswith("/pakalpojumi/")
    with tenant_context(muni_a):  # nothing of the provider's lands in the municipality's schema
        assert not Notification.objects.filter(recipient=staff).exists()
    connection.set_schema_to_public()
