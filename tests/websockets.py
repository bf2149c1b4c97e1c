"""Opening /ws/notifications/ through the whole ASGI application (origin check, tenancy, session), as a page
of ``hostname`` would: the websocket tests of the platform and of notifications share it."""

from __future__ import annotations

from channels.testing import WebsocketCommunicator


async def ws_connect(hostname, session_key=None, origin=None):
    """(communicator, connected, close code); the Origin is the host's own unless ``origin`` is given."""
    from portal.platform.asgi import application

    headers = [(b"host", hostname.encode()), (b"origin", (origin or f"http://{hostname}").encode())]
    if session_key:
        headers.append((b"cookie", f"sbs_session={session_key}".encode()))
    communicator = WebsocketCommunicator(application, "/ws/notifications/", headers=headers)
    connected, code = await communicator.connect()
    return communicator, connected, code
