"""URLs of this area: ``public_urlpatterns`` on the national site, ``tenant_urlpatterns`` on a municipality's."""

from django.urls import path

from . import views

app_name = "notifications"

_PAGES = [
    path("pazinojumi/", views.notification_list, name="list"),
    path("pazinojumi/lasiti/", views.mark_all_read, name="read-all"),
    path("pazinojumi/<int:notification_id>/", views.notification_open, name="open"),
    path("pazinojumi/iestatijumi/", views.preferences, name="preferences"),
]
public_urlpatterns: list = list(_PAGES)
tenant_urlpatterns: list = list(_PAGES)
