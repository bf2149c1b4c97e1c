"""URLs of this area: ``public_urlpatterns`` on the national site, ``tenant_urlpatterns`` on a municipality's."""

from django.urls import path

from . import thread_views, views

app_name = "notifications"

_PAGES = [
    path("pazinojumi/", views.notification_list, name="list"),
    path("pazinojumi/lasiti/", views.mark_all_read, name="read-all"),
    path("pazinojumi/<int:notification_id>/", views.notification_open, name="open"),
    path("pazinojumi/iestatijumi/", views.preferences, name="preferences"),
]
public_urlpatterns: list = [
    *_PAGES,
    path("sniedzejs/<slug:code>/vienosanas/<int:agreement_id>/zinas/", thread_views.provider_thread,
         name="provider-thread"),
    path("sniedzejs/<slug:code>/vienosanas/<int:agreement_id>/zinas/<int:message_id>/zinot/",
         thread_views.provider_report, name="provider-report"),
    path("sniedzejs/<slug:code>/vienosanas/<int:agreement_id>/zinas/pielikumi/<int:attachment_id>/",
         thread_views.provider_attachment, name="provider-attachment"),
]
tenant_urlpatterns: list = [
    *_PAGES,
    path("vienosanas/<int:agreement_id>/zinas/", thread_views.thread, name="thread"),
    path("vienosanas/<int:agreement_id>/zinas/<int:message_id>/zinot/", thread_views.report, name="report"),
    path("vienosanas/<int:agreement_id>/zinas/pielikumi/<int:attachment_id>/", thread_views.attachment,
         name="attachment"),
]
