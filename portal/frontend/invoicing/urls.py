"""URLs of this area: ``public_urlpatterns`` on the national site, ``tenant_urlpatterns`` on a municipality's."""

from django.urls import path

from . import municipal_views, provider_views

app_name = "invoicing"

public_urlpatterns: list = [
    path("sniedzejs/darbs/", provider_views.hub, name="provider-hub"),
    path("sniedzejs/<slug:code>/vienosanas/<int:agreement_id>/", provider_views.agreement,
         name="provider-agreement"),
    path("sniedzejs/<slug:code>/vienosanas/<int:agreement_id>/nodarbibas/menesis/", provider_views.bulk,
         name="provider-bulk"),
    path("sniedzejs/<slug:code>/vienosanas/<int:agreement_id>/nodarbibas/csv/", provider_views.csv_upload,
         name="provider-csv"),
    path("sniedzejs/<slug:code>/vienosanas/<int:agreement_id>/rekins/", provider_views.invoice_create,
         name="provider-invoice-create"),
    path("sniedzejs/<slug:code>/nodarbibas/<int:session_id>/", provider_views.session, name="provider-session"),
    path("sniedzejs/<slug:code>/rekini/<int:invoice_id>/", provider_views.invoice, name="provider-invoice"),
    path("sniedzejs/<slug:code>/rekini/<int:invoice_id>/pdf/", provider_views.invoice_pdf,
         name="provider-invoice-pdf"),
]
tenant_urlpatterns: list = [
    path("nodarbibas/", municipal_views.sessions, name="family-sessions"),
    path("nodarbibas/menesis/", municipal_views.sessions_confirm_month_view, name="family-sessions-confirm-month"),
    path("nodarbibas/<int:session_id>/", municipal_views.session, name="family-session"),
    path("rekini/", municipal_views.queue, name="finance-queue"),
    path("rekini/<int:invoice_id>/", municipal_views.invoice, name="finance-invoice"),
    path("rekini/<int:invoice_id>/pdf/", municipal_views.invoice_pdf, name="finance-invoice-pdf"),
]
