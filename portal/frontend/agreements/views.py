"""Agreement pages: choose a service within the budget, confirm, accept or decline, approve, cancel.

Thin: reads through selectors and the checkpoint ``agreement_for_user``, writes through services; a
service's refusal is shown next to the field it concerns (or as a message at the top).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.budgets.ledger.selectors import category_for, current_budget
from portal.frontend.decorators import member_or_provider, member_required, signed_in
from portal.frontend.forms import apply_domain_error
from portal.frontend.views import municipality_url, national_url, signed_in_url
from portal.marketplace.agreements import access, pricing, selectors, services
from portal.marketplace.agreements.models import AgreementStatus
from portal.marketplace.approvals.selectors import approved_services
from portal.marketplace.catalogue.selectors import providers_for_user, service_types
from portal.marketplace.invoicing.period import carry_over_decide, carry_overs_for_user, carry_overs_to_answer
from portal.marketplace.stripe_connect.checkout import copayment_status
from portal.platform.core.errors import DomainError
from portal.tenants.access import current_municipality, roles_for
from portal.tenants.models import Municipality
from portal.tenants.roles import Role

from .forms import AgreementForm, CancelForm, FilterForm, ReasonForm, RulesForm

PAGE_SIZE = 25
S = AgreementStatus


# --------------------------------------------------------------------------------------------- lists

@member_or_provider
def agreement_list(request):
    filters = FilterForm(request.GET or None)
    status = query = ""
    if filters.is_valid():
        status, query = filters.cleaned_data["status"], filters.cleaned_data["q"]
    queryset = selectors.agreements_filtered(access.agreements_for_user(request.user), status=status, query=query)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    is_provider = access.is_provider_staff(request.user) and not access.is_staff_here(request.user)
    return render(request, "agreements/list.html", {
        "page": page, "status": status, "query": query, "statuses": S.choices, "is_provider": is_provider,
        "national_url": signed_in_url(request, national_url(request) + "vienosanas/") if is_provider else "",
        "to_answer": [] if is_provider else carry_overs_to_answer(request.user),
    })


@member_required(Role.MUNICIPALITY_ADMIN, Role.SOCIAL_WORKER)
def approval_queue(request):
    page = Paginator(selectors.agreements_awaiting_approval(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "agreements/approvals.html", {"page": page})


# ------------------------------------------------------------------------------------------- choosing

def _person_for_choice(request):
    """The person the user chooses for: ?person=<id> among those they may act for (first by default)."""
    choices = selectors.persons_user_can_choose_for(request.user)
    if not choices:
        return None, None, choices
    wanted = request.GET.get("person") or request.POST.get("person")
    for person, capacity in choices:
        if wanted is None or str(person.pk) == str(wanted):
            return person, capacity, choices
    raise Http404


@member_required(Role.PERSON, Role.LEGAL_REPRESENTATIVE, Role.SUPPORT_PERSON)
def agreement_new(request, service_id: int):
    service = (approved_services().select_related("provider", "service_type").filter(pk=service_id).first())
    if service is None:
        raise Http404
    person, capacity, choices = _person_for_choice(request)
    if person is None:
        return render(request, "frontend/forbidden.html", status=403)
    budget = current_budget(person)
    category = category_for(budget, service.service_type) if budget is not None else None
    goals = pricing.servable_goals(budget, category)  # only the goals the service's money serves
    start, end = pricing.default_period(budget)
    initial = {"period_start": start, "period_end": end, "units_per_week": 1}
    form = AgreementForm(request.POST or None, unit=service.unit, goals=goals, initial=initial)
    q = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)  # a refusal below removes its field from cleaned_data
            numbers = {name: data[name] for name in ("units_per_week", "total_units", "period_start", "period_end")}
            if request.POST.get("action") == "save":
                try:
                    agreement = services.agreement_start(
                        person_id=person.pk, service_id=service.pk, goal_id=data["goal"], actor=request.user,
                        accept_copayment=data["accept_copayment"], explanation=data["explanation"], **numbers)
                except DomainError as error:
                    apply_domain_error(form, error)
                    q = error.params.get("quote")  # the quote the refusal was based on
                else:
                    messages.success(request, _("The draft is saved. Read it once more and confirm it."))
                    return redirect("agreements:detail", agreement_id=agreement.pk)
            if q is None:
                q = pricing.quote(person=person, service=service, budget=budget, category=category, **numbers)
        if form.errors:
            status = 400
    if q is None:
        q = pricing.quote(person=person, service=service, units_per_week=1, period_start=start, period_end=end,
                          budget=budget, category=category)
    return render(request, "agreements/new.html", {
        "service": service, "person": person, "capacity": capacity, "choices": choices, "form": form,
        "quote": q, "budget": budget,
    }, status=status)


# --------------------------------------------------------------------------------------------- detail

def _actions(user, agreement, capacity):
    """Which steps this user may take now (the services check again when they do)."""
    status = agreement.status
    deciding = capacity in access.DECIDING_CAPACITIES
    preparer = capacity == access.SUPPORT_PERSON and agreement.prepared_by_id == user.pk
    held = roles_for(user, current_municipality())
    return {
        "confirm": deciding and status in (S.DRAFT, S.AWAITING_PERSON),
        "send": preparer and status == S.DRAFT,
        "withdraw": (deciding and status in (S.DRAFT, S.AWAITING_PERSON, S.AWAITING_PROVIDER,
                                              S.AWAITING_MUNICIPALITY)) or (preparer and status in (
                                                  S.DRAFT, S.AWAITING_PERSON)),
        "accept": capacity == access.PROVIDER and status == S.AWAITING_PROVIDER,
        "decline": capacity == access.PROVIDER and status == S.AWAITING_PROVIDER,
        "approve": bool(held & {Role.MUNICIPALITY_ADMIN, Role.SOCIAL_WORKER}) and status == S.AWAITING_MUNICIPALITY,
        "cancel": (deciding or capacity == access.PROVIDER) and status == S.ACTIVE,
    }


@signed_in
def agreement_detail(request, agreement_id: int):
    agreement = access.agreement_for_user(request.user, agreement_id)
    capacity = access.capacity_for(request.user, agreement)
    actions = _actions(request.user, agreement, capacity)
    carry_over = carry_overs_for_user(request.user).filter(agreement=agreement).first()
    return render(request, "agreements/detail.html", {
        "agreement": agreement, "capacity": capacity, "actions": actions, "carry_over": carry_over,
        "may_answer": bool(carry_over) and carry_over.status == "asked" and agreement.status == S.ACTIVE
        and capacity in access.DECIDING_CAPACITIES,
        "events": selectors.agreement_events(agreement, user=request.user), "reject_form": ReasonForm(prefix="reject"),
        "terms": services.cancellation_terms(agreement, by_provider=capacity == access.PROVIDER)
        if actions["cancel"] else None,
        **_copayments(agreement, capacity),
    })


def _copayments(agreement, capacity) -> dict:
    """The co-payments paid by card (Stripe Checkout): provider and family see them; the deciders pay."""
    if not agreement.copayment_per_unit:
        return {}
    state = copayment_status(agreement=agreement, capacity=capacity)
    return {"copayments": state["copayments"], "copayment_due": state["due"], "copayment_can_pay": state["can_pay"]}


def _run(request, agreement_id, step, success, **kwargs):
    agreement = access.agreement_for_user(request.user, agreement_id)
    try:
        step(agreement=agreement, actor=request.user, **kwargs)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect("agreements:detail", agreement_id=agreement.pk)


@require_POST
@signed_in
def agreement_confirm(request, agreement_id: int):
    accept = None  # no co-payment on this agreement: nothing to accept
    if request.POST.get("copayment_shown"):
        accept = request.POST.get("accept_copayment") == "on"
    return _run(request, agreement_id, services.agreement_confirm,
                _("Confirmed. The request is sent to the provider."), accept_copayment=accept)


@require_POST
@signed_in
def agreement_send(request, agreement_id: int):
    return _run(request, agreement_id, services.agreement_send_to_person,
                _("Sent to the person. They read it and decide."))


@require_POST
@signed_in
def agreement_accept(request, agreement_id: int):
    return _run(request, agreement_id, services.agreement_accept, _("Accepted. The budget is reserved."))


@require_POST
@signed_in
def agreement_carry_over(request, agreement_id: int):
    """The person answers whether the agreement continues under their new support plan."""
    agreement = access.agreement_for_user(request.user, agreement_id)
    question = carry_overs_for_user(request.user).filter(agreement=agreement, status="asked").first()
    answer = request.POST.get("answer")
    if question is None or answer not in ("continue", "end"):
        raise Http404
    try:
        done = carry_over_decide(carry_over=question, carry_on=answer == "continue", actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("It continues under your new support plan.") if done.status == "continued"
                         else _("It continues, paid from your previous budget.") if done.status == "kept"
                         else _("It ends when your new support plan starts."))
    return redirect("agreements:detail", agreement_id=agreement.pk)


@require_POST
@signed_in
def agreement_withdraw(request, agreement_id: int):
    return _run(request, agreement_id, services.agreement_cancel, _("The request is withdrawn."), only_if_open=True)


@signed_in
def agreement_decline(request, agreement_id: int):
    agreement = access.agreement_for_user(request.user, agreement_id)
    if access.capacity_for(request.user, agreement) != access.PROVIDER:
        return render(request, "frontend/forbidden.html", status=403)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_decline(agreement=agreement, actor=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("The request is declined. The family sees your reason."))
            return redirect("agreements:detail", agreement_id=agreement.pk)
    return render(request, "agreements/decline.html", {"agreement": agreement, "form": form},
                  status=400 if form.errors else 200)


@require_POST
@member_required(Role.MUNICIPALITY_ADMIN, Role.SOCIAL_WORKER)
def agreement_decide(request, agreement_id: int):
    if request.POST.get("decision") == "approve":
        return _run(request, agreement_id, services.agreement_approve,
                    _("Approved. The budget is reserved and the agreement is active."))
    form = ReasonForm(request.POST, prefix="reject")
    reason = form.data.get("reject-reason", "")
    return _run(request, agreement_id, services.agreement_reject, _("Not approved. The family and the provider "
                                                                    "see the reason."), reason=reason)


@signed_in
def agreement_cancel(request, agreement_id: int):
    agreement = access.agreement_for_user(request.user, agreement_id)
    capacity = access.capacity_for(request.user, agreement)
    if agreement.status != S.ACTIVE or not (capacity in access.DECIDING_CAPACITIES or capacity == access.PROVIDER):
        return render(request, "frontend/forbidden.html", status=403)
    form = CancelForm(request.POST or None)
    by_provider = capacity == access.PROVIDER
    effective = None
    if request.method == "POST" and form.is_valid():
        effective = form.cleaned_data["effective"]
        if request.POST.get("action") == "cancel":
            try:
                services.agreement_cancel(agreement=agreement, actor=request.user, effective=effective,
                                          reason=form.cleaned_data["reason"])
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("The agreement is cancelled."))
                return redirect("agreements:detail", agreement_id=agreement.pk)
    terms = services.cancellation_terms(agreement, effective=effective, by_provider=by_provider)
    return render(request, "agreements/cancel.html", {"agreement": agreement, "form": form, "terms": terms,
                                                      "by_provider": by_provider},
                  status=400 if form.errors else 200)


# ---------------------------------------------------------------------------------------------- rules

@member_required(Role.MUNICIPALITY_ADMIN)
def rules(request):
    current = selectors.municipal_rules()
    types = list(service_types())
    initial = {"provider_response_days": current.provider_response_days,
               "approval_service_types": current.approval_service_types,
               "approval_above_amount": current.approval_above_amount,
               "cancellation_notice_hours": current.cancellation_notice_hours,
               "short_notice_billable_units": current.short_notice_billable_units,
               "invoice_approval_days": current.invoice_approval_days,
               "respite_days_per_year": current.respite_days_per_year}
    form = RulesForm(request.POST or None, initial=initial, service_types=types)
    if request.method == "POST" and form.is_valid():
        try:
            services.municipal_rules_update(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("The rules are saved. They apply to requests sent from now on."))
            return redirect("agreements:rules")
    return render(request, "agreements/rules.html", {"form": form}, status=400 if form.errors else 200)


# ------------------------------------------------------------------------------- national: provider staff

def provider_home(request):
    """On the national site: the provider's agreements live on each municipality's site; link to them."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not access.is_provider_staff(request.user):
        return render(request, "frontend/forbidden.html", status=403)
    providers = list(providers_for_user(request.user).order_by("name"))
    codes = sorted({code for p in providers for code in (p.municipalities_served or [])})
    municipalities = {m.code: m for m in Municipality.objects.filter(code__in=codes)
                      .exclude(schema_name=settings.PUBLIC_SCHEMA_NAME)}
    rows = []
    for provider in providers:
        served = [municipalities[c] for c in sorted(provider.municipalities_served or []) if c in municipalities]
        rows.append((provider, [(m, signed_in_url(request, municipality_url(request, m) + "vienosanas/"))
                               for m in served]))
    return render(request, "agreements/provider_home.html", {"rows": rows})
