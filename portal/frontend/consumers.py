"""Live notifications: each signed-in user joins a group named by schema and user id,
so a message for a user of one municipality never reaches another's."""

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from portal.tenants import two_factor
from portal.tenants.access import roles_for
from portal.tenants.asgi import in_tenant


def group_name(schema_name: str, user_id: int) -> str:
    return f"notify.{schema_name}.{user_id}"


class NotificationsConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        tenant = self.scope["tenant"]
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        is_public = tenant.schema_name == "public"
        session = self.scope.get("session") or {}
        # A session that still owes the two-factor step holds no role here yet.
        held = await in_tenant(self.scope, lambda: not two_factor.owed(session)
                               and roles_for(user, None if is_public else tenant))()
        if not held:
            await self.close(code=4403)
            return
        self.group = group_name(tenant.schema_name, user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello", "municipality": None if is_public else tenant.code})

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def notify(self, event):
        await self.send_json({"type": "notification", "message": event["message"]})
