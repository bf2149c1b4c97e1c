from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from . import views

app_name = "api"

docs = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
]
common = [
    path("v1/me/", views.MeView.as_view(), name="me"),
    path("v1/municipalities/", views.MunicipalityListView.as_view(), name="municipality-list"),
]

public_urlpatterns = docs + common
tenant_urlpatterns = docs + common
