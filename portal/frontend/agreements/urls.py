"""URLs of this area: ``public_urlpatterns`` on the national site, ``tenant_urlpatterns`` on a municipality's."""

from django.urls import path

from . import views

public_urlpatterns: list = [
    path("vienosanas/", views.provider_home, name="provider-home"),
]
tenant_urlpatterns: list = [
    path("vienosanas/", views.agreement_list, name="list"),
    path("vienosanas/saskanosana/", views.approval_queue, name="approvals"),
    path("vienosanas/noteikumi/", views.rules, name="rules"),
    path("vienosanas/jauna/<int:service_id>/", views.agreement_new, name="new"),
    path("vienosanas/<int:agreement_id>/", views.agreement_detail, name="detail"),
    path("vienosanas/<int:agreement_id>/apstiprinat/", views.agreement_confirm, name="confirm"),
    path("vienosanas/<int:agreement_id>/nosutit/", views.agreement_send, name="send"),
    path("vienosanas/<int:agreement_id>/atsaukt/", views.agreement_withdraw, name="withdraw"),
    path("vienosanas/<int:agreement_id>/pienemt/", views.agreement_accept, name="accept"),
    path("vienosanas/<int:agreement_id>/noraidit/", views.agreement_decline, name="decline"),
    path("vienosanas/<int:agreement_id>/lemums/", views.agreement_decide, name="decide"),
    path("vienosanas/<int:agreement_id>/atcelt/", views.agreement_cancel, name="cancel"),
    path("vienosanas/<int:agreement_id>/turpinat/", views.agreement_carry_over, name="carry-over"),
]
