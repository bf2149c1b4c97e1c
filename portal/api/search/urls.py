"""URLs of this area: ``public_urlpatterns`` on the national site, ``tenant_urlpatterns`` on a municipality's."""

from django.urls import path

from . import hsds_views as hsds
from . import views

_patterns = [
    path("v1/search/services/", views.SearchServicesView.as_view(), name="search-services"),
    # Open Referral HSDS 3.0: paths as the standard names them (no trailing slash).
    path("hsds/", hsds.HsdsRootView.as_view(), name="search-hsds-root"),
    path("hsds/services", hsds.HsdsServiceListView.as_view(), name="search-hsds-services"),
    path("hsds/services/<str:hsds_id>", hsds.HsdsServiceDetailView.as_view(), name="search-hsds-service"),
    path("hsds/organizations", hsds.HsdsOrganizationListView.as_view(), name="search-hsds-organizations"),
    path("hsds/organizations/<str:hsds_id>", hsds.HsdsOrganizationDetailView.as_view(),
         name="search-hsds-organization"),
    path("hsds/service_at_locations", hsds.HsdsServiceAtLocationListView.as_view(),
         name="search-hsds-service-at-locations"),
    path("hsds/service_at_locations/<str:hsds_id>", hsds.HsdsServiceAtLocationDetailView.as_view(),
         name="search-hsds-service-at-location"),
    path("hsds/taxonomies", hsds.HsdsTaxonomyListView.as_view(), name="search-hsds-taxonomies"),
    path("hsds/taxonomies/<str:hsds_id>", hsds.HsdsTaxonomyDetailView.as_view(), name="search-hsds-taxonomy"),
    path("hsds/taxonomy_terms", hsds.HsdsTaxonomyTermListView.as_view(), name="search-hsds-taxonomy-terms"),
    path("hsds/taxonomy_terms/<str:hsds_id>", hsds.HsdsTaxonomyTermDetailView.as_view(),
         name="search-hsds-taxonomy-term"),
]
public_urlpatterns: list = list(_patterns)
tenant_urlpatterns: list = list(_patterns)
