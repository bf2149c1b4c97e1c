from django.urls import path

from . import admin_views, views

app_name = "frontend"

# Pages shared by the national site and every municipality's site.
common = [
    path("", views.home, name="home"),
    path("panelis/", views.dashboard, name="dashboard"),
    path("pasvaldibas/", views.municipalities, name="municipalities"),
    path("api/docs/", views.api_reference, name="api-reference"),
    path("lietotaji/", admin_views.members, name="members"),
    path("lietotaji/<int:membership_id>/nonemt/", admin_views.member_remove, name="member-remove"),
]

public_urlpatterns = common + [
    path("pasvaldibas/jauna/", admin_views.municipality_new, name="municipality-new"),
]
tenant_urlpatterns = common + [
    path("audits/", views.audit_log, name="audit-log"),
]
