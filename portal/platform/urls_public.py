"""URLs of the national site (public schema)."""

from django.contrib import admin
from django.urls import include, path

from portal.api import urls as api_urls
from portal.api.stripe_connect.webhook import stripe_webhook
from portal.frontend import area_urls
from portal.frontend import urls as frontend_urls

handler404 = "portal.frontend.views.page_not_found"
handler500 = "portal.frontend.views.server_error"
handler403 = "portal.frontend.views.forbidden"

urlpatterns = [
    path("", include((frontend_urls.public_urlpatterns, "frontend"))),
    *[path("", include((patterns, area))) for area, patterns in area_urls("public")],
    path("konts/", include("portal.frontend.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include((api_urls.public_urlpatterns, "api"))),
    path("admin/", admin.site.urls),
    path("healthz", include("portal.platform.health")),
    # Stripe's events (Connect accounts, transfers, co-payment checkout): one endpoint, national site only.
    path("stripe/webhook/", stripe_webhook, name="stripe-webhook"),
]
