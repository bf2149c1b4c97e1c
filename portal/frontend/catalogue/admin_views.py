"""Administration of the catalogue: the platform administrator verifies providers (national site);
a municipality administrator approves providers and services and sets price caps (municipality site)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from portal.frontend.decorators import member_required
from portal.frontend.forms import apply_domain_error
from portal.marketplace.approvals import selectors as approval_selectors
from portal.marketplace.approvals import services as approval_services
from portal.marketplace.approvals.models import ApprovalStatus, PriceCap
from portal.marketplace.catalogue import services
from portal.marketplace.catalogue.models import Provider, Service, Unit
from portal.marketplace.stripe_connect.accounts import connect_account_for, readiness_text
from portal.platform.core.errors import DomainError
from portal.tenants.access import current_municipality
from portal.tenants.roles import Role

from .forms import DecisionForm, PriceCapForm
from .views import eur

# ---- platform administrator: verification ----------------------------------------------------------------


@member_required(Role.PLATFORM_ADMIN)
def verification(request):
    if current_municipality() is not None:
        raise Http404
    status = request.GET.get("status") or Provider.Status.PENDING
    if status not in Provider.Status.values:
        status = Provider.Status.PENDING
    queryset = Provider.objects.filter(status=status).order_by("created_at", "name")
    page = Paginator(queryset, 25).get_page(request.GET.get("page"))
    return render(request, "catalogue/verification.html", {
        "page": page, "status": status, "statuses": Provider.Status.choices})


@member_required(Role.PLATFORM_ADMIN)
def provider_status(request, provider_id: int):
    if current_municipality() is not None:
        raise Http404
    provider = Provider.objects.filter(pk=provider_id).first()
    if provider is None:
        raise Http404
    if request.method == "POST":
        try:
            services.provider_status_set(provider=provider, status=request.POST.get("status", ""),
                                         actor=request.user, request=request)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The status of %(name)s was changed.") % {"name": provider.name})
    return redirect("catalogue:verification")


# ---- municipality administrator: approvals and caps -------------------------------------------------------

def _municipality_or_404():
    municipality = current_municipality()
    if municipality is None:
        raise Http404
    return municipality


@member_required(Role.MUNICIPALITY_ADMIN)
def approvals(request):
    municipality = _municipality_or_404()
    status = request.GET.get("status", "")
    if status not in ApprovalStatus.values:
        status = ""
    queryset = approval_selectors.providers_for_review(municipality, status=status or None)
    page = Paginator(queryset, 25).get_page(request.GET.get("page"))
    return render(request, "catalogue/approvals.html", {
        "page": page, "status": status, "statuses": ApprovalStatus.choices,
        "status_labels": dict(ApprovalStatus.choices)})


def _service_rows(provider):
    caps = approval_selectors.caps_by_type_unit()
    rows = []
    for service in approval_selectors.services_for_review(provider):
        cap = caps.get((service.service_type_id, service.unit))
        over = approval_selectors.over_cap_amount(service, cap) if cap else None
        rows.append({"service": service, "price": eur(service.unit_price),
                     "cap": eur(cap.amount) if cap else None, "over": eur(over) if over else None,
                     "status_label": dict(ApprovalStatus.choices)[service.approval_status]})
    return rows


@member_required(Role.MUNICIPALITY_ADMIN)
def approval_provider(request, provider_id: int):
    municipality = _municipality_or_404()
    provider = approval_selectors.providers_for_review(municipality).filter(pk=provider_id).first()
    if provider is None:
        raise Http404
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            approval_services.provider_approval_decide(provider=provider, actor=request.user, request=request,
                                                       **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Your decision on %(name)s was saved.") % {"name": provider.name})
            return redirect("catalogue:approval-provider", provider_id=provider.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "catalogue/approval_provider.html", {
        "provider": provider, "form": form, "approval": approval_selectors.provider_approval(provider),
        "status_label": dict(ApprovalStatus.choices)[provider.approval_status],
        "rows": _service_rows(provider), "account": (account := connect_account_for(provider)),
        "readiness": readiness_text(account)}, status=status)


@member_required(Role.MUNICIPALITY_ADMIN)
def approval_service(request, service_id: int):
    municipality = _municipality_or_404()
    service = (Service.objects.select_related("provider")
               .filter(pk=service_id, provider__municipalities_served__contains=[municipality.code]).first())
    if service is None:
        raise Http404
    if request.method == "POST":
        try:
            approval_services.service_approval_decide(service=service, status=request.POST.get("status", ""),
                                                      note=request.POST.get("note", ""), actor=request.user,
                                                      request=request)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your decision on “%(title)s” was saved.") % {"title": service.title})
    return redirect("catalogue:approval-provider", provider_id=service.provider_id)


@member_required(Role.MUNICIPALITY_ADMIN)
def approval_services_all(request, provider_id: int):
    municipality = _municipality_or_404()
    provider = approval_selectors.providers_for_review(municipality).filter(pk=provider_id).first()
    if provider is None:
        raise Http404
    if request.method == "POST":
        try:
            count = approval_services.services_approve_all(provider=provider, actor=request.user, request=request)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Services approved: %(n)s.") % {"n": count})
    return redirect("catalogue:approval-provider", provider_id=provider_id)


@member_required(Role.MUNICIPALITY_ADMIN)
def caps(request):
    _municipality_or_404()
    initial = {"over_cap_rule": PriceCap.OverCapRule.COPAY}
    form = PriceCapForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            approval_services.price_cap_set(actor=request.user, request=request, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("The price cap was saved."))
            return redirect("catalogue:caps")
    units = dict(Unit.choices)
    rows = [{"cap": cap, "amount": eur(cap.amount), "unit": units.get(cap.unit, cap.unit)}
            for cap in approval_selectors.price_caps()]
    status = 400 if request.method == "POST" else 200
    return render(request, "catalogue/caps.html", {"form": form, "rows": rows}, status=status)


@member_required(Role.MUNICIPALITY_ADMIN)
def cap_remove(request, cap_id: int):
    _municipality_or_404()
    cap = PriceCap.objects.filter(pk=cap_id).first()
    if cap is None:
        raise Http404
    if request.method == "POST":
        try:
            approval_services.price_cap_remove(cap=cap, actor=request.user, request=request)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The price cap was removed."))
    return redirect("catalogue:caps")
