"""URLs of this area: ``public_urlpatterns`` on the national site, ``tenant_urlpatterns`` on a municipality's.

The webhook itself (``/stripe/webhook/``, webhook.py) is not under /api/: Stripe posts to it unsigned-in.
"""

from django.urls import path

from . import views

public_urlpatterns: list = [
    path("v1/provider/<slug:slug>/stripe/", views.AccountView.as_view(), name="stripe-provider-account"),
    path("v1/provider/<slug:slug>/stripe/onboarding/", views.OnboardingView.as_view(),
         name="stripe-provider-onboarding"),
]
tenant_urlpatterns: list = [
    path("v1/agreements/<int:agreement_id>/copayment/", views.CoPaymentView.as_view(), name="agreements-copayment"),
]
