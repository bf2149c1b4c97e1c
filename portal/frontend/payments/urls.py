"""URLs of this area: ``public_urlpatterns`` on the national site, ``tenant_urlpatterns`` on a municipality's."""

from django.urls import path

from . import views

app_name = "payments"

public_urlpatterns: list = [
    path("sniedzejs/maksajumi/", views.provider_payments, name="provider"),
]
tenant_urlpatterns: list = [
    path("maksajumi/", views.payments, name="list"),
    path("maksajumi/<int:payment_id>/atkartot/", views.retry, name="retry"),
    path("maksajumi/<int:payment_id>/atsaukt/", views.reverse, name="reverse"),
    path("maksajumi/<int:payment_id>/atgutsts/", views.recovered, name="recovered"),
    path("maksajumi/paketes/", views.batches, name="batches"),
    path("maksajumi/paketes/<int:batch_id>/", views.batch, name="batch"),
    path("maksajumi/paketes/<int:batch_id>/pain001.xml", views.batch_file, name="batch-file"),
    path("maksajumi/izraksts/", views.statement, name="statement"),
    path("maksajumi/saskanosana/", views.reconciliation, name="reconciliation"),
    path("maksajumi/finansejums/", views.funding, name="funding"),
    path("maksajumi/iestatijumi/", views.payment_settings, name="settings"),
    path("budzets/samaksats/", views.family, name="family"),
]
