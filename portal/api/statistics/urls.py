"""URLs of this area: the open-data API on the national site only."""

from django.urls import path

from . import views

public_urlpatterns: list = [
    path("v1/stats/", views.StatsRootView.as_view(), name="stats-root"),
    path("v1/stats/cells/", views.StatsCellsView.as_view(), name="stats-cells"),
    path("v1/stats/municipalities/", views.StatsMunicipalitiesView.as_view(), name="stats-municipalities"),
    path("v1/stats/pilot/", views.StatsPilotView.as_view(), name="stats-pilot"),
]
tenant_urlpatterns: list = []
