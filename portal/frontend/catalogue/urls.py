"""URLs of this area: ``public_urlpatterns`` on the national site, ``tenant_urlpatterns`` on a municipality's."""

from django.urls import path

from . import admin_views, views

# Both sites show the provider and service pages (a municipality's site only what it approved).
common = [
    path("sniedzeji/<slug:slug>/", views.provider_detail, name="provider"),
    path("pakalpojumi/<int:service_id>/", views.service_detail, name="service"),
]

_mine = "mans-sniedzejs/<slug:slug>/"
public_urlpatterns = common + [
    path("sniedzeja-registracija/", views.sign_up, name="sign-up"),
    path("sniedzeja-registracija/apstiprinat/<uidb64>/<token>/", views.sign_up_confirm, name="sign-up-confirm"),
    path("mans-sniedzejs/", views.my_providers, name="my-providers"),
    path(_mine, views.my_provider, name="my-provider"),
    path(_mine + "profils/", views.profile_edit, name="profile-edit"),
    path(_mine + "vietas/jauna/", views.location_edit, name="location-new"),
    path(_mine + "vietas/<int:location_id>/", views.location_edit, name="location-edit"),
    path(_mine + "vietas/<int:location_id>/dzest/", views.location_delete, name="location-delete"),
    path(_mine + "pakalpojumi/", views.my_services, name="my-services"),
    path(_mine + "pakalpojumi/jauns/", views.service_edit, name="service-new"),
    path(_mine + "pakalpojumi/<int:service_id>/", views.service_edit, name="service-edit"),
    path(_mine + "cenas-un-vietas/", views.capacity, name="capacity"),
    path(_mine + "darbinieki/", views.staff, name="staff"),
    path(_mine + "darbinieki/<int:staff_id>/nonemt/", views.staff_remove, name="staff-remove"),
    path(_mine + "vesture/", views.history, name="history"),
    path("sniedzeju-parbaude/", admin_views.verification, name="verification"),
    path("sniedzeju-parbaude/<int:provider_id>/statuss/", admin_views.provider_status, name="provider-status"),
]
tenant_urlpatterns = common + [
    path("apstiprinasana/", admin_views.approvals, name="approvals"),
    path("apstiprinasana/<int:provider_id>/", admin_views.approval_provider, name="approval-provider"),
    path("apstiprinasana/<int:provider_id>/visi-pakalpojumi/", admin_views.approval_services_all,
         name="approval-services-all"),
    path("apstiprinasana/pakalpojumi/<int:service_id>/", admin_views.approval_service, name="approval-service"),
    path("cenu-griesti/", admin_views.caps, name="caps"),
    path("cenu-griesti/<int:cap_id>/dzest/", admin_views.cap_remove, name="cap-remove"),
]
