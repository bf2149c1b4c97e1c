"""URLs of this area: ``public_urlpatterns`` on the national site, ``tenant_urlpatterns`` on a municipality's."""

from django.urls import path

from . import views

common = [
    path("v1/catalogue/service-types/", views.ServiceTypeListView.as_view(), name="catalogue-service-types"),
    path("v1/catalogue/services/<int:service_id>/", views.ServiceDetailView.as_view(),
         name="catalogue-service-detail"),
    path("v1/catalogue/providers/<slug:slug>/", views.ProviderDetailView.as_view(),
         name="catalogue-provider-detail"),
]
public_urlpatterns = common + [
    path("v1/catalogue/my/providers/", views.MyProviderListView.as_view(), name="catalogue-my-providers"),
    path("v1/catalogue/my/providers/<slug:slug>/", views.MyProviderDetailView.as_view(),
         name="catalogue-my-provider"),
    path("v1/catalogue/my/providers/<slug:slug>/services/", views.MyServiceListView.as_view(),
         name="catalogue-my-services"),
    path("v1/catalogue/my/providers/<slug:slug>/history/", views.MyProviderHistoryView.as_view(),
         name="catalogue-my-history"),
    path("v1/catalogue/my/services/<int:service_id>/", views.MyServiceDetailView.as_view(),
         name="catalogue-my-service"),
]
tenant_urlpatterns = common + [
    path("v1/catalogue/price-caps/", views.PriceCapListView.as_view(), name="catalogue-price-caps"),
]
