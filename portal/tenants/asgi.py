"""Tenant resolution for websockets (they never pass TenantMainMiddleware)."""

from urllib.parse import urlsplit

from channels.db import database_sync_to_async
from django.db import connection
from django_tenants.utils import get_tenant_domain_model, remove_www


def _header(scope, wanted: bytes) -> str:
    for name, value in scope.get("headers", []):
        if name == wanted:
            return value.decode("latin-1")
    return ""


def _host(scope) -> str:
    return remove_www(_header(scope, b"host").split(":")[0])


class SameOriginWebsocketValidator:
    """Accepts a websocket only when its Origin is the host it connects to (scheme aside).

    Channels' ``AllowedHostsOriginValidator`` accepts any allowed host, so a page on another
    municipality's host (``.localhost`` is allowed) could open a socket to this one with the
    visitor's cookies. A missing or different Origin closes the socket with 4403.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        origin = urlsplit(_header(scope, b"origin"))
        host = _header(scope, b"host").lower()
        if not host or origin.scheme not in ("http", "https") or (origin.netloc or "").lower() != host:
            await send({"type": "websocket.close", "code": 4403})
            return
        return await self.app(scope, receive, send)


@database_sync_to_async
def _lookup(hostname):
    connection.set_schema_to_public()
    domain = get_tenant_domain_model().objects.select_related("tenant").filter(domain=hostname).first()
    return domain.tenant if domain else None


class TenantWebsocketMiddleware:
    """Puts ``scope["tenant"]`` in place, or closes the socket for an unknown host."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        tenant = await _lookup(_host(scope))
        if tenant is None:
            await send({"type": "websocket.close", "code": 4404})
            return
        return await self.app(dict(scope, tenant=tenant), receive, send)


def in_tenant(scope, func):
    """Wrap a sync DB function so it runs inside the scope's municipality schema."""

    def run(*args, **kwargs):
        connection.set_tenant(scope["tenant"])
        try:
            return func(*args, **kwargs)
        finally:
            connection.set_schema_to_public()

    return database_sync_to_async(run)
