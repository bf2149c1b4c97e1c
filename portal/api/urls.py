from importlib import import_module

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from . import memberships, views

# Each feature area adds its endpoints in portal/api/<area>/urls.py (names prefixed with the area).
AREA_NAMES = ("catalogue", "search", "people", "budgets", "agreements", "invoicing", "payments", "stripe_connect", "statistics", "notifications")
_areas = [import_module(f"portal.api.{name}.urls") for name in AREA_NAMES]

app_name = "api"



def docs(urlconf: str) -> list:
    """The OpenAPI schema and its viewers, describing the site they are served on."""
    return [
        path("schema/", SpectacularAPIView.as_view(urlconf=urlconf), name="schema"),
        # /api/docs/ is the accessible, server-rendered reference (frontend: api_reference); Swagger UI stays
        # here for trying requests out. The viewers hold no personal data; Swagger UI's split view has no
        # inline script (only a style), ReDoc needs its inline start-up script and a worker.
        path("swagger/", csp_update({"style-src": [UNSAFE_INLINE]})(
            SpectacularSwaggerSplitView.as_view(url_name="api:schema")), name="docs"),
        path("redoc/", csp_update({"script-src": [UNSAFE_INLINE], "style-src": [UNSAFE_INLINE],
                                   "worker-src": ["blob:"]})(
            SpectacularRedocView.as_view(url_name="api:schema")), name="redoc"),
    ]


common = [
    path("v1/me/", views.MeView.as_view(), name="me"),
    path("v1/municipalities/", views.MunicipalityListView.as_view(), name="municipality-list"),
    path("v1/memberships/", memberships.MembershipListView.as_view(), name="membership-list"),
    path("v1/memberships/<int:membership_id>/", memberships.MembershipDetailView.as_view(),
         name="membership-detail"),
    path("v1/memberships/<int:membership_id>/confirm/", memberships.MembershipConfirmView.as_view(),
         name="membership-confirm"),
]

public_urlpatterns = docs("portal.platform.urls_public") + common + [
    p for area in _areas for p in area.public_urlpatterns]
tenant_urlpatterns = docs("portal.platform.urls_tenant") + common + [
    p for area in _areas for p in area.tenant_urlpatterns]
