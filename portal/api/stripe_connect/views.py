"""Stripe Connect API (national host, provider staff): the account's readiness and an onboarding link."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from portal.api.permissions import IsMemberHere
from portal.marketplace.catalogue.access import provider_for_staff
from portal.marketplace.stripe_connect.accounts import account_connect, connect_account_for, readiness_text
from portal.marketplace.stripe_connect.client import stripe_enabled
from portal.tenants.access import current_municipality
from portal.tenants.roles import Role

from . import serializers as s


class ProviderStripeView(GenericAPIView):
    permission_classes = [IsMemberHere]
    required_roles = (Role.PROVIDER_STAFF,)

    def provider(self, request, slug):
        if current_municipality() is not None:
            raise Http404
        return provider_for_staff(request.user, slug)


class AccountView(ProviderStripeView):
    """The provider's Stripe Connect account as the newest ``account.updated`` left it."""

    serializer_class = s.AccountOut

    @extend_schema(operation_id="stripe_provider_account")
    def get(self, request, slug):
        account = connect_account_for(self.provider(request, slug))
        return Response(s.AccountOut({
            "stripe_enabled": stripe_enabled(), "connected": account is not None,
            "account_id": account.account_id if account else "",
            "details_submitted": bool(account and account.details_submitted),
            "payouts_enabled": bool(account and account.payouts_enabled),
            "currently_due": account.currently_due if account else [], "ready": bool(account and account.is_ready),
            "readiness": readiness_text(account)}).data)


class OnboardingView(ProviderStripeView):
    """Create the account once (later calls reuse it) and answer a fresh onboarding link."""

    serializer_class = s.OnboardingOut

    @extend_schema(operation_id="stripe_provider_onboarding", request=None, responses=s.OnboardingOut)
    def post(self, request, slug):
        provider = self.provider(request, slug)
        back = request.build_absolute_uri(reverse("stripe_connect:account", args=[provider.slug]))
        url = account_connect(provider=provider, actor=request.user, return_url=back, refresh_url=back,
                              request=request)
        return Response(s.OnboardingOut({"url": url}).data)
