"""The notifications API: the user's own notifications and to-do list on this site, in the OpenAPI schema."""

import pytest

from portal.notifications.models import Kind, Notification
from portal.notifications.services import notify

pytestmark = pytest.mark.django_db


def test_list_mark_read_and_todo(world, client_for, django_assert_max_num_queries):
    notify(recipients=[world.person_user.pk], kind=Kind.PLAN_APPROVED, params={"version": 7})
    client = client_for(user=world.person_user)
    client.get("/api/v1/notifications/?unread=1")
    with django_assert_max_num_queries(8):
        listing = client.get("/api/v1/notifications/?unread=1").json()
    assert any("7" in row["text"] and row["kind"] == "plan.approved" for row in listing["results"])
    assert client.post("/api/v1/notifications/read/", {}, content_type="application/json").json()["marked"] >= 1
    assert not Notification.objects.filter(recipient=world.person_user, read_at__isnull=True).exists()
    bad = client.post("/api/v1/notifications/read/", {"id": "x"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"]
    todo = client.get("/api/v1/todo/").json()
    assert {row["code"] for row in todo} >= {"sessions.confirm", "agreements.sign"}
    # The other municipality's host: none of A's notifications.
    other = client_for("liepaja", user=world.person_user).get("/api/v1/notifications/")
    assert other.status_code == 403 or not other.json()["results"]


def test_anonymous_and_schema(client_for):
    assert client_for().get("/api/v1/notifications/").status_code in (401, 403)
    schema = client_for().get("/api/schema/").content.decode()
    assert "notifications_list" in schema and "notifications_todo" in schema
