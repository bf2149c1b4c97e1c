"""Thin views over ``portal.marketplace.stripe_connect``: connect a provider, the balance, pay a co-payment."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from portal.frontend.decorators import member_required, signed_in
from portal.marketplace.agreements import access as agreement_access
from portal.marketplace.catalogue import access as catalogue_access
from portal.marketplace.stripe_connect.accounts import account_connect, connect_account_for, readiness_text
from portal.marketplace.stripe_connect.checkout import copayment_checkout_start, platform_balance
from portal.marketplace.stripe_connect.client import stripe_enabled
from portal.platform.core.errors import DomainError, NotFound
from portal.tenants.access import current_municipality
from portal.tenants.roles import Role


def _own_provider(request, slug):
    if current_municipality() is not None:
        raise Http404
    try:
        return catalogue_access.provider_for_staff(request.user, slug)
    except NotFound:
        raise Http404 from None


@member_required(Role.PROVIDER_STAFF)
def provider_account(request, slug: str):
    provider = _own_provider(request, slug)
    account = connect_account_for(provider)
    return render(request, "stripe_connect/account.html", {
        "provider": provider, "account": account, "readiness": readiness_text(account),
        "stripe_on": stripe_enabled()})


@require_POST
@member_required(Role.PROVIDER_STAFF)
def provider_connect(request, slug: str):
    provider = _own_provider(request, slug)
    back = request.build_absolute_uri(reverse("stripe_connect:account", args=[provider.slug]))
    try:
        onboarding = account_connect(provider=provider, actor=request.user, return_url=back, refresh_url=back,
                                     request=request)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("stripe_connect:account", slug=provider.slug)
    return redirect(onboarding)


@member_required(Role.PLATFORM_ADMIN)
def balance(request):
    if current_municipality() is not None:
        raise Http404
    rows, error = [], None
    if stripe_enabled():
        try:
            rows = [(currency.upper(), cents / 100) for currency, cents in platform_balance()]
        except DomainError as failure:  # Stripe unreachable: the page says so instead of failing
            error = failure.message
    return render(request, "stripe_connect/balance.html", {"rows": rows, "error": error, "stripe_on": stripe_enabled()})


@require_POST
@signed_in
def copayment_pay(request, agreement_id: int):
    agreement = agreement_access.agreement_for_user(request.user, agreement_id)
    if agreement_access.capacity_for(request.user, agreement) not in agreement_access.DECIDING_CAPACITIES:
        return render(request, "frontend/forbidden.html", status=403)
    back = request.build_absolute_uri(reverse("agreements:detail", args=[agreement.pk]))
    try:
        page = copayment_checkout_start(agreement=agreement, actor=request.user, success_url=back, cancel_url=back)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("agreements:detail", agreement_id=agreement.pk)
    return redirect(page)
