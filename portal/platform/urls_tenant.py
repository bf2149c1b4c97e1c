"""URLs of a municipality's site (its own schema)."""

from django.urls import include, path

from portal.api import urls as api_urls
from portal.frontend import area_urls
from portal.frontend import urls as frontend_urls

handler404 = "portal.frontend.views.page_not_found"
handler500 = "portal.frontend.views.server_error"
handler403 = "portal.frontend.views.forbidden"

urlpatterns = [
    path("", include((frontend_urls.tenant_urlpatterns, "frontend"))),
    *[path("", include((patterns, area))) for area, patterns in area_urls("tenant")],
    path("konts/", include("portal.frontend.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include((api_urls.tenant_urlpatterns, "api"))),
    path("healthz", include("portal.platform.health")),
]
