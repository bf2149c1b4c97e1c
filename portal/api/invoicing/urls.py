"""URLs of this area: ``public_urlpatterns`` on the national site, ``tenant_urlpatterns`` on a municipality's."""

from django.urls import path

from . import views

public_urlpatterns: list = [
    path("v1/provider/work/", views.ProviderWorkView.as_view(), name="invoicing-provider-work"),
    path("v1/provider/<slug:code>/agreements/<int:agreement_id>/sessions/", views.ProviderSessionsView.as_view(),
         name="invoicing-provider-sessions"),
    path("v1/provider/<slug:code>/agreements/<int:agreement_id>/invoices/",
         views.ProviderInvoiceCreateView.as_view(), name="invoicing-provider-invoice-create"),
    path("v1/provider/<slug:code>/invoices/<int:invoice_id>/", views.ProviderInvoiceView.as_view(),
         name="invoicing-provider-invoice"),
    path("v1/provider/<slug:code>/invoices/<int:invoice_id>/submit/", views.ProviderInvoiceSubmitView.as_view(),
         name="invoicing-provider-invoice-submit"),
]
tenant_urlpatterns: list = [
    path("v1/sessions/", views.FamilySessionsView.as_view(), name="invoicing-sessions"),
    path("v1/sessions/confirm-month/", views.SessionsConfirmMonthView.as_view(),
         name="invoicing-sessions-confirm-month"),
    path("v1/sessions/<int:session_id>/confirm/", views.SessionConfirmView.as_view(),
         name="invoicing-session-confirm"),
    path("v1/sessions/<int:session_id>/dispute/", views.SessionDisputeView.as_view(),
         name="invoicing-session-dispute"),
    path("v1/invoices/", views.FinanceInvoicesView.as_view(), name="invoicing-invoices"),
    path("v1/invoices/<int:invoice_id>/", views.FinanceInvoiceView.as_view(), name="invoicing-invoice"),
    path("v1/invoices/<int:invoice_id>/approve/", views.FinanceApproveView.as_view(),
         name="invoicing-invoice-approve"),
    path("v1/invoices/<int:invoice_id>/reject/", views.FinanceRejectView.as_view(), name="invoicing-invoice-reject"),
]
