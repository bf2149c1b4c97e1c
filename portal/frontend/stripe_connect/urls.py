"""URLs of this area: ``public_urlpatterns`` on the national site, ``tenant_urlpatterns`` on a municipality's."""

from django.urls import path

from . import views

_mine = "mans-sniedzejs/<slug:slug>/stripe/"
public_urlpatterns = [
    path(_mine, views.provider_account, name="account"),
    path(_mine + "pieslegt/", views.provider_connect, name="connect"),
    path("stripe/bilance/", views.balance, name="balance"),
]
tenant_urlpatterns = [
    path("vienosanas/<int:agreement_id>/lidzmaksajums/", views.copayment_pay, name="copayment-pay"),
]
