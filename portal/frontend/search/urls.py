"""URLs of this area: ``public_urlpatterns`` on the national site, ``tenant_urlpatterns`` on a municipality's."""

from django.urls import path

from . import views

public_urlpatterns: list = [
    path("meklet/", views.search, name="search"),
]
tenant_urlpatterns: list = [
    path("meklet/", views.search, name="search"),
]
