"""ASGI entry point: HTTP through Django, websockets through Channels.

Websockets bypass Django's middleware, so ``TenantWebsocketMiddleware``
resolves the municipality from the Host header itself and every consumer
runs its database work inside that municipality's schema; ``SameOriginWebsocketValidator``
accepts only the host's own Origin.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.platform.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from portal.frontend.routing import websocket_urlpatterns  # noqa: E402
from portal.tenants.asgi import SameOriginWebsocketValidator, TenantWebsocketMiddleware  # noqa: E402

application = ProtocolTypeRouter({
    "http": django_asgi_app,
    "websocket": SameOriginWebsocketValidator(
        TenantWebsocketMiddleware(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
    ),
})
