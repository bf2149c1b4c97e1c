"""URLs of this area: ``public_urlpatterns`` on the national site, ``tenant_urlpatterns`` on a municipality's."""

from django.urls import path

from . import views

app_name = "statistics"

_pages = [
    path("statistika/", views.dashboard, name="dashboard"),
    path("statistika/eksports/<slug:table>.<str:fmt>", views.export, name="export"),
]
public_urlpatterns: list = _pages + [
    path("statistika/pilots/", views.pilot, name="pilot"),
    path("statistika/pilots/eksports/<slug:table>.<str:fmt>", views.pilot_export, name="pilot-export"),
]
tenant_urlpatterns: list = list(_pages)
