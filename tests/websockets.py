"""Opening /ws/notifications/ through the whole ASGI application (origin check, tenancy, session), as a page
of ``hostname`` would: the websocket tests of the platform and of notifications share it.

Their sessions are made in asgiref's database thread (``sync_to_async``), whose connection is outside the test's
transaction: whatever a sign-in writes there is committed. ``committed_sign_in`` records it and the autouse
fixture ``thread_database`` (import it into the test module) deletes it after the test, so nothing stays in the
shared test database. Left behind, the authenticator app ``pass_second_step`` sets up made the Jelgava social
worker owe the second step in the tests that run later on the committed database (tests/platform/test_nodes.py).
"""

from __future__ import annotations

import pytest_asyncio
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

_committed: list[tuple[int, dict, str]] = []  # (user id, last pk per model before the sign-in, session key)


def _signed_in_rows():
    """Each model a sign-in writes to, with its user field."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from portal.platform.core.models import AuditEvent
    from portal.tenants.models import SignInSession

    return {TOTPDevice: "user_id", StaticDevice: "user_id", SignInSession: "user_id", AuditEvent: "actor_id"}


def committed_sign_in(user, sign_in) -> str:
    """``sign_in()`` — returning the session key — run in the database thread; what it commits is recorded."""
    from django.db import connection
    from django.db.models import Max

    connection.set_schema_to_public()
    marks = {model: model.objects.aggregate(last=Max("pk"))["last"] or 0 for model in _signed_in_rows()}
    key = sign_in()
    connection.set_schema_to_public()
    _committed.append((user.pk, marks, key))
    return key


def committed_session(client_for, user, code) -> str:
    """The key of a test client's signed-in session on ``code``'s host (``client_for``), made in the thread."""
    return committed_sign_in(user, lambda: client_for(code, user=user).cookies["sbs_session"].value)


def _remove_committed_sign_ins() -> None:
    from django.contrib.sessions.models import Session
    from django.db import connection

    connection.set_schema_to_public()
    while _committed:
        user_id, marks, key = _committed.pop()
        Session.objects.filter(session_key=key).delete()
        for model, user_field in _signed_in_rows().items():
            model.objects.filter(pk__gt=marks[model], **{user_field: user_id}).delete()


@pytest_asyncio.fixture(autouse=True)
async def thread_database():
    """After the test: the committed sign-ins removed, and the database thread's connection closed."""
    yield
    from django.db import connections

    await sync_to_async(_remove_committed_sign_ins)()
    await sync_to_async(connections.close_all)()


async def ws_connect(hostname, session_key=None, origin=None):
    """(communicator, connected, close code); the Origin is the host's own unless ``origin`` is given."""
    from portal.platform.asgi import application

    headers = [(b"host", hostname.encode()), (b"origin", (origin or f"http://{hostname}").encode())]
    if session_key:
        headers.append((b"cookie", f"sbs_session={session_key}".encode()))
    communicator = WebsocketCommunicator(application, "/ws/notifications/", headers=headers)
    connected, code = await communicator.connect()
    return communicator, connected, code
