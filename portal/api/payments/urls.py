"""URLs of this area: ``public_urlpatterns`` on the national site, ``tenant_urlpatterns`` on a municipality's."""

from django.urls import path

from . import views

public_urlpatterns: list = [
    path("v1/provider/payments/", views.ProviderPaymentsView.as_view(), name="payments-provider"),
]
tenant_urlpatterns: list = [
    path("v1/payments/", views.PaymentsView.as_view(), name="payments-list"),
    path("v1/payments/mine/", views.FamilyPaymentsView.as_view(), name="payments-family"),
    path("v1/payments/<int:payment_id>/", views.PaymentView.as_view(), name="payments-detail"),
    path("v1/payments/<int:payment_id>/retry/", views.PaymentRetryView.as_view(), name="payments-retry"),
    path("v1/payments/<int:payment_id>/reverse/", views.PaymentReverseView.as_view(), name="payments-reverse"),
    path("v1/payments/<int:payment_id>/recovered/", views.PaymentRecoveredView.as_view(),
         name="payments-recovered"),
    path("v1/payments/batches/", views.BatchesView.as_view(), name="payments-batches"),
    path("v1/payments/batches/<int:batch_id>/", views.BatchView.as_view(), name="payments-batch"),
    path("v1/payments/batches/<int:batch_id>/pain001.xml", views.BatchFileView.as_view(),
         name="payments-batch-pain001"),
    path("v1/payments/batches/<int:batch_id>/confirm/", views.BatchConfirmView.as_view(),
         name="payments-batch-confirm"),
    path("v1/payments/batches/<int:batch_id>/cancel/", views.BatchCancelView.as_view(),
         name="payments-batch-cancel"),
    path("v1/payments/statements/", views.StatementView.as_view(), name="payments-statements"),
    path("v1/payments/funding/", views.FundingView.as_view(), name="payments-funding"),
]
