"""The live push: a notification committed in a municipality reaches that user's open sockets on that
municipality's host only; sockets open only for signed-in users, from the host's own pages."""

import pytest
from asgiref.sync import sync_to_async
from django.db import connection, transaction

from portal.notifications.models import Kind, Notification
from portal.notifications.services import notify
from portal.tenants.models import Municipality
from portal.tenants.roles import Role
from tests.conftest import MUNICIPALITY_A, MUNICIPALITY_B
from tests.websockets import committed_session, thread_database, ws_connect  # noqa: F401 - autouse fixture

pytestmark = [pytest.mark.django_db(transaction=False)]


def _commit_notification(code, user_id, marker):
    """In the consumer's database thread (autocommit, as a worker): a real commit, then the push."""
    connection.set_tenant(Municipality.objects.get(code=code))
    try:
        with transaction.atomic():
            notify(recipients=[user_id], kind=Kind.PLAN_APPROVED, params={"version": marker})
    finally:
        connection.set_schema_to_public()


def _cleanup(code, user_id):
    connection.set_tenant(Municipality.objects.get(code=code))
    try:
        Notification.objects.filter(recipient_id=user_id, kind=Kind.PLAN_APPROVED, params__version__in=[
            "live-a", "live-b"]).delete()
    finally:
        connection.set_schema_to_public()


@pytest.mark.asyncio
async def test_a_committed_notification_reaches_the_users_socket_and_no_other_municipality(client_for, user_of):
    user = await sync_to_async(user_of)(Role.PERSON)
    key = await sync_to_async(committed_session)(client_for, user, MUNICIPALITY_A)
    communicator, connected, _ = await ws_connect(f"{MUNICIPALITY_A}.localhost", key)
    assert connected
    hello = await communicator.receive_json_from()
    assert hello["type"] == "hello" and isinstance(hello["unread"], int) and isinstance(hello["todo"], int)
    try:
        await sync_to_async(_commit_notification)(MUNICIPALITY_B, user.pk, "live-b")  # same user id, other place
        await sync_to_async(_commit_notification)(MUNICIPALITY_A, user.pk, "live-a")
        message = await communicator.receive_json_from(timeout=5)
        assert message["type"] == "notification" and message["kind"] == Kind.PLAN_APPROVED
        assert "live-a" in message["text"] and message["unread"] >= 1
        assert await communicator.receive_nothing(timeout=0.3)
    finally:
        await communicator.disconnect()
        await sync_to_async(_cleanup)(MUNICIPALITY_A, user.pk)
        await sync_to_async(_cleanup)(MUNICIPALITY_B, user.pk)


@pytest.mark.asyncio
async def test_a_foreign_origin_is_refused(client_for, user_of):
    user = await sync_to_async(user_of)(Role.PERSON)
    key = await sync_to_async(committed_session)(client_for, user, MUNICIPALITY_A)
    _, connected, code = await ws_connect(f"{MUNICIPALITY_A}.localhost", key,
                                        origin=f"http://{MUNICIPALITY_B}.localhost")
    assert not connected and code in (4403, 1000)
    _, connected, _ = await ws_connect(f"{MUNICIPALITY_A}.localhost", key, origin="https://evil.example")
    assert not connected


@pytest.mark.asyncio
async def test_anonymous_socket_is_refused():
    _, connected, code = await ws_connect(f"{MUNICIPALITY_A}.localhost")
    assert not connected and code == 4401
