"""Stripe Connect API. National host (provider staff): the account's readiness and an onboarding link.
Municipality host: an agreement's co-payment — its status (whoever may see the agreement) and starting a
payment through Stripe Checkout (the person or the legal representative)."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from portal.api.agreements.views import MemberOrProvider
from portal.api.permissions import IsMemberHere
from portal.marketplace.agreements import access as agreement_access
from portal.marketplace.agreements.models import CoPayment
from portal.marketplace.catalogue.access import provider_for_staff
from portal.marketplace.stripe_connect.accounts import account_connect, connect_account_for, readiness_text
from portal.marketplace.stripe_connect.checkout import copayment_checkout_start, copayment_status
from portal.marketplace.stripe_connect.client import stripe_enabled
from portal.platform.core.errors import PermissionDenied
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


class CoPaymentView(GenericAPIView):
    """An agreement's co-payment: GET its status (family, the provider, staff — whoever may see the agreement;
    another municipality's agreement is not found), POST starts a payment by card (Stripe Checkout) for what is
    still due and answers the payment page's address."""

    permission_classes = [MemberOrProvider]
    serializer_class = s.CoPaymentStatusOut

    def status_of(self, request, agreement):
        state = copayment_status(agreement=agreement, capacity=agreement_access.capacity_for(request.user, agreement))
        return s.CoPaymentStatusOut({**state, "agreement": agreement.pk}).data

    @extend_schema(operation_id="agreements_copayment_retrieve")
    def get(self, request, agreement_id):
        agreement = agreement_access.agreement_for_user(request.user, agreement_id)
        return Response(self.status_of(request, agreement))

    @extend_schema(operation_id="agreements_copayment_start", request=None,
                   responses={201: s.CoPaymentStartOut})
    def post(self, request, agreement_id):
        agreement = agreement_access.agreement_for_user(request.user, agreement_id)
        if agreement_access.capacity_for(request.user, agreement) not in agreement_access.DECIDING_CAPACITIES:
            raise PermissionDenied(_("Only the person or their legal representative can pay the co-payment."),
                                   code="copayment_not_decider")
        back = request.build_absolute_uri(reverse("agreements:detail", args=[agreement.pk]))
        url = copayment_checkout_start(agreement=agreement, actor=request.user, success_url=back, cancel_url=back)
        copayment = CoPayment.objects.filter(agreement=agreement).order_by("-id").first()
        return Response(s.CoPaymentStartOut({"url": url, "copayment": copayment}).data, status=201)
