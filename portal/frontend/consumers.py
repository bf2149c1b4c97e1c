"""Live notifications: each signed-in user joins a group named by schema and user id
(``n.<schema>.<user id>``), so a message for a user of one municipality never reaches another's.

Only authenticated users holding a role on this site connect. Only a page of this very host opens a socket
here: ``tenants.asgi.SameOriginWebsocketValidator`` refuses any other Origin before a consumer runs."""

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from portal.notifications.services import group_name, unread_count
from portal.notifications.todo import todo_count, todo_for
from portal.tenants import two_factor
from portal.tenants.access import roles_for
from portal.tenants.asgi import in_tenant


class NotificationsConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        tenant = self.scope["tenant"]
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        is_public = tenant.schema_name == "public"
        municipality = None if is_public else tenant
        session = self.scope.get("session") or {}

        def counts():
            # A session that still owes the two-factor step holds no role here yet.
            if two_factor.owed(session) or not roles_for(user, municipality):
                return None
            return unread_count(user), todo_count(todo_for(user, municipality))

        found = await in_tenant(self.scope, counts)()
        if found is None:
            await self.close(code=4403)
            return
        self.group = group_name(tenant.schema_name, user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello", "municipality": None if is_public else tenant.code,
                              "unread": found[0], "todo": found[1]})

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def notify(self, event):
        await self.send_json({"type": "notification", **{k: v for k, v in event.items() if k != "type"}})
