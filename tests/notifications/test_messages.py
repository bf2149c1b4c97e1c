"""Messages on an agreement: the family, the provider and staff write and read; others find nothing; the
other municipality's host finds nothing; a message can be reported; participants are notified."""

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from portal.notifications.models import Kind, Notification
from portal.notifications.threads.models import Message
from portal.tenants.roles import Role
from tests.conftest import demo_user

pytestmark = pytest.mark.django_db


def test_the_person_writes_and_the_provider_reads_and_is_notified(world, agreement, client_for,
                                                                  django_assert_max_num_queries):
    here = f"/vienosanas/{agreement.pk}/zinas/"
    person = client_for(user=world.person_user)
    assert person.post(here, {"body": "Vai varam pārcelt ceturtdienu?"}).status_code == 302
    [message] = Message.objects.filter(agreement=agreement)
    assert message.author == world.person_user
    with schema_context("public"):
        assert Notification.objects.filter(recipient=world.staff, kind=Kind.MESSAGE_RECEIVED).exists()
    connection.set_tenant(world.municipality)
    assert Notification.objects.filter(recipient=world.social_worker, kind=Kind.MESSAGE_RECEIVED).exists()
    provider = client_for(None, user=world.staff)
    there = f"/sniedzejs/{world.municipality.code}/vienosanas/{agreement.pk}/zinas/"
    provider.get(there)
    # 14 for the page (one for the messages' attachments); 8 for its read-audit row (the category's budget and
    # the goal's plan resolved to their person, the municipality and the provider named, the row written, search_path switches)
    with django_assert_max_num_queries(22):
        page = provider.get(there)
    assert f'data-message="{message.pk}"' in page.content.decode()
    assert provider.post(there, {"body": "Jā, protams."}).status_code == 302
    connection.set_tenant(world.municipality)
    assert Message.objects.filter(agreement=agreement).count() == 2


def test_an_empty_message_is_refused_next_to_the_field(world, agreement, client_for):
    page = client_for(user=world.person_user).post(f"/vienosanas/{agreement.pk}/zinas/", {"body": "   "})
    assert page.status_code == 400 and "govuk-error-message" in page.content.decode()
    connection.set_tenant(world.municipality)
    assert not Message.objects.filter(agreement=agreement).exists()


def test_outsiders_and_the_other_municipality_find_nothing(world, agreement, client_for):
    here = f"/vienosanas/{agreement.pk}/zinas/"
    client_for(user=world.person_user).post(here, {"body": "Sveiki"})
    assert client_for(user=world.representative).get(here).status_code == 404  # the child's representative
    assert client_for("liepaja", user=demo_user(Role.SOCIAL_WORKER, "liepaja")).get(here).status_code == 404
    assert client_for("liepaja", user=world.person_user).get(here).status_code in (403, 404)
    assert client_for(user=world.supporter).get(here).status_code == 200  # the person allowed "agreements"


def test_a_message_is_reported_to_the_municipality(world, agreement, client_for):
    here = f"/vienosanas/{agreement.pk}/zinas/"
    client_for(user=world.person_user).post(here, {"body": "Nepieklājīgs teksts"})
    connection.set_tenant(world.municipality)
    message = Message.objects.get(agreement=agreement)
    provider = client_for(None, user=world.staff)
    there = f"/sniedzejs/{world.municipality.code}/vienosanas/{agreement.pk}/zinas/{message.pk}/zinot/"
    assert provider.post(there, {"reason": "rupjš"}).status_code == 302
    connection.set_tenant(world.municipality)
    message.refresh_from_db()
    assert message.reported_by == world.staff and message.reported_at is not None
    assert Notification.objects.filter(recipient=world.admin, kind=Kind.MESSAGE_REPORTED).exists()
