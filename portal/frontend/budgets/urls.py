"""URLs of this area: ``public_urlpatterns`` on the national site, ``tenant_urlpatterns`` on a municipality's."""

from django.urls import path

from . import views

public_urlpatterns: list = []
tenant_urlpatterns: list = [
    path("budzeti/", views.budget_list, name="list"),
    path("budzeti/<int:budget_id>/", views.budget_detail, name="budget"),
    path("budzeti/persona/<int:person_id>/", views.person_budget, name="person-budget"),
    path("mans-budzets/", views.my_budget, name="my-budget"),
    path("mans-budzets/vesture/", views.my_history, name="my-history"),
    path("budzeta-metodika/", views.methodology, name="methodology"),
]
