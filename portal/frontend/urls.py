from django.urls import path

from . import views

app_name = "frontend"

# Pages shared by the national site and every municipality's site.
common = [
    path("", views.home, name="home"),
    path("panelis/", views.dashboard, name="dashboard"),
    path("pasvaldibas/", views.municipalities, name="municipalities"),
]

public_urlpatterns = common
tenant_urlpatterns = common + [
    path("audits/", views.audit_log, name="audit-log"),
]
