"""Tenant resolution for websockets (they never pass TenantMainMiddleware)."""

from channels.db import database_sync_to_async
from django.db import connection
from django_tenants.utils import get_tenant_domain_model, remove_www


def _host(scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"host":
            return remove_www(value.decode("latin-1").split(":")[0])
    return ""


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
