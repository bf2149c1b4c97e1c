"""URLs of this area: ``public_urlpatterns`` on the national site, ``tenant_urlpatterns`` on a municipality's."""

from django.urls import path

from . import views

_BOTH = [
    path("v1/notifications/", views.NotificationListView.as_view(), name="notifications-list"),
    path("v1/notifications/read/", views.NotificationReadView.as_view(), name="notifications-read"),
    path("v1/todo/", views.TodoView.as_view(), name="notifications-todo"),
]
public_urlpatterns: list = [
    *_BOTH,
    path("v1/provider/<slug:code>/agreements/<int:agreement_id>/messages/", views.ProviderMessagesView.as_view(),
         name="provider-messages-list"),
    path("v1/provider/<slug:code>/agreements/<int:agreement_id>/messages/attachments/<int:attachment_id>/",
         views.ProviderAttachmentView.as_view(), name="provider-messages-attachment"),
]
tenant_urlpatterns: list = [
    *_BOTH,
    path("v1/agreements/<int:agreement_id>/messages/", views.MessagesView.as_view(), name="messages-list"),
    path("v1/agreements/<int:agreement_id>/messages/attachments/<int:attachment_id>/",
         views.AttachmentView.as_view(), name="messages-attachment"),
]
