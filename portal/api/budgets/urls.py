"""URLs of this area: ``public_urlpatterns`` on the national site, ``tenant_urlpatterns`` on a municipality's."""

from django.urls import path

from . import views

public_urlpatterns: list = []
tenant_urlpatterns: list = [
    path("v1/budgets/", views.BudgetListView.as_view(), name="budgets-list"),
    path("v1/budgets/<int:budget_id>/", views.BudgetDetailView.as_view(), name="budgets-detail"),
    path("v1/budgets/<int:budget_id>/entries/", views.LedgerEntryListView.as_view(), name="budgets-entries"),
    path("v1/budget-methodology/", views.MethodologyView.as_view(), name="budgets-methodology"),
]
