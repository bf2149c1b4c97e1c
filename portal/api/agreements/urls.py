"""URLs of this area: ``public_urlpatterns`` on the national site, ``tenant_urlpatterns`` on a municipality's."""

from django.urls import path

from . import views

public_urlpatterns: list = []
tenant_urlpatterns: list = [
    path("v1/agreements/", views.AgreementListView.as_view(), name="agreements-list"),
    path("v1/agreements/quote/", views.QuoteView.as_view(), name="agreements-quote"),
    path("v1/agreements/carry-overs/", views.CarryOverListView.as_view(), name="agreements-carry-overs"),
    path("v1/agreements/carry-overs/<int:carry_over_id>/answer/", views.CarryOverAnswerView.as_view(),
         name="agreements-carry-over-answer"),
    path("v1/agreements/<int:agreement_id>/", views.AgreementDetailView.as_view(), name="agreements-detail"),
    path("v1/agreements/<int:agreement_id>/confirm/", views.ConfirmView.as_view(), name="agreements-confirm"),
    path("v1/agreements/<int:agreement_id>/send/", views.SendView.as_view(), name="agreements-send"),
    path("v1/agreements/<int:agreement_id>/accept/", views.AcceptView.as_view(), name="agreements-accept"),
    path("v1/agreements/<int:agreement_id>/decline/", views.DeclineView.as_view(), name="agreements-decline"),
    path("v1/agreements/<int:agreement_id>/approve/", views.ApproveView.as_view(), name="agreements-approve"),
    path("v1/agreements/<int:agreement_id>/reject/", views.RejectView.as_view(), name="agreements-reject"),
    path("v1/agreements/<int:agreement_id>/cancel/", views.CancelView.as_view(), name="agreements-cancel"),
]
