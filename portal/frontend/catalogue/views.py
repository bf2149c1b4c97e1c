"""Catalogue pages: the public provider and service pages, provider sign-up and self-service.
Thin: reads through selectors and checkpoints, writes through services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist
from django.contrib.auth import login
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.frontend.decorators import member_required
from portal.frontend.forms import apply_domain_error
from portal.marketplace.approvals import access as approval_access
from portal.marketplace.approvals.models import ApprovalStatus
from portal.marketplace.approvals.selectors import (approved_service_ids, over_cap_amount, price_cap_for,
                                                   provider_approval)
from portal.marketplace.catalogue import access, selectors, services
from portal.marketplace.catalogue.models import (
    DeliveryMode,
    Language,
    Location,
    Provider,
    Service,
    TargetGroup,
    Unit,
)
from portal.platform.core.errors import DomainError, NotFound
from portal.platform.core.money import format_eur
from portal.tenants.access import current_municipality, has_role
from portal.tenants.roles import Role

from .forms import CapacityRowForm, LocationForm, ProfileForm, ServiceForm, SignUpForm, StaffForm


def eur(amount) -> str:
    return format_eur(amount, (get_language() or "lv")[:2])


def _labels(values, choices) -> list[str]:
    names = dict(choices)
    return [str(names.get(v, v)) for v in values]


def _languages(values) -> list[str]:
    """The staff's languages for a list ("latviešu, krievu"): Latvian writes a language's name in lower case
    inside a sentence; English keeps the capital ("Latvian, Russian")."""
    labels = _labels(values, Language.choices)
    return labels if (get_language() or "lv").startswith("en") else [label.lower() for label in labels]


PER_UNIT = {Unit.HOUR: gettext_lazy("per hour"), Unit.SESSION: gettext_lazy("per session"),
            Unit.DAY: gettext_lazy("per day"), Unit.COURSE: gettext_lazy("per course")}


def price_context(service) -> dict:
    """What the price means here: against this municipality's cap, with the difference stated."""
    context = {"price": eur(service.unit_price), "per_unit": PER_UNIT.get(service.unit, ""), "cap": None}
    municipality = current_municipality()
    if municipality is None:
        return context
    cap = price_cap_for(service)
    if cap is not None:
        over = over_cap_amount(service, cap)
        context.update(cap=cap, cap_amount=eur(cap.amount), over=over, over_amount=eur(over),
                       refuse=cap.over_cap_rule == cap.OverCapRule.REFUSE)
    return context


# ---- public pages ---------------------------------------------------------------------------------------

def provider_detail(request, slug: str):
    try:
        provider = approval_access.provider_for_visitor(request.user, slug)
    except NotFound:
        raise Http404 from None
    municipality = current_municipality()
    service_list = selectors.provider_services(provider, active_only=True)
    approval = None
    if municipality is not None:
        if has_role(request.user, Role.MUNICIPALITY_ADMIN, municipality=municipality):
            approval = provider_approval(provider)
        else:
            service_list = service_list.filter(pk__in=approved_service_ids())
    return render(request, "catalogue/provider_detail.html", {
        "provider": provider, "services": list(service_list), "locations": list(provider.locations.all()),
        "staff_languages": _languages(provider.languages),
        "approval": approval, "is_admin": approval is not None or (
            municipality is not None and has_role(request.user, Role.MUNICIPALITY_ADMIN, municipality=municipality)),
        "is_staff": selectors.staff_membership(request.user, provider) is not None if municipality is None else False,
    })


def service_detail(request, service_id: int):
    try:
        service = approval_access.service_for_visitor(request.user, service_id)
    except NotFound:
        raise Http404 from None
    return render(request, "catalogue/service_detail.html", {
        "service": service, "provider": service.provider, "locations": service.places(),
        "target_groups": _labels(service.target_groups, TargetGroup.choices),
        "delivery_modes": _labels(service.delivery_modes, DeliveryMode.choices),
        "staff_languages": _languages(service.provider.languages),
        "pricing": price_context(service),
    })


# ---- sign-up --------------------------------------------------------------------------------------------

def sign_up(request):
    """A provider registers itself (national site); a platform administrator then verifies it.

    A visitor's registration is finished from the link e-mailed to the address; the page answers the
    same whether or not the address already has an account (no account enumeration).
    """
    if current_municipality() is not None:
        raise Http404
    signed_in = request.user.is_authenticated
    form = SignUpForm(request.POST or None, with_account=not signed_in)
    if request.method == "POST" and form.is_valid():
        account = {} if signed_in else {"full_name": form.cleaned_data["full_name"],
                                        "email": form.cleaned_data["account_email"],
                                        "password": form.cleaned_data["password"]}
        try:
            provider = services.provider_sign_up(actor=request.user, profile=form.profile_data(), request=request,
                                                 **account)
        except DomainError as error:
            apply_domain_error(form, error, fields={"email": "account_email"})
        else:
            if not signed_in:
                return render(request, "catalogue/sign_up_sent.html", {"email": account["email"]})
            messages.success(request, _("%(name)s is registered. A platform administrator will verify it; until "
                                        "then it is not listed.") % {"name": provider.name})
            return redirect("catalogue:my-provider", slug=provider.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "catalogue/sign_up.html", {"form": form, "signed_in": signed_in}, status=status)


def sign_up_confirm(request, uidb64, token):
    """The link of the sign-up e-mail: confirms the address, signs the new owner in, shows the provider."""
    if current_municipality() is not None:
        raise Http404
    user = services.provider_sign_up_confirm(uidb64=uidb64, token=token, request=request)
    if user is None:
        return render(request, "catalogue/sign_up_sent.html", {"invalid_link": True}, status=400)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    provider = selectors.providers_for_user(user).first()
    messages.success(request, _("%(name)s is registered. A platform administrator will verify it; until "
                                "then it is not listed.") % {"name": provider.name})
    return redirect("catalogue:my-provider", slug=provider.slug)


# ---- provider self-service ------------------------------------------------------------------------------

def _own_provider(request, slug):
    try:
        return access.provider_for_staff(request.user, slug)
    except NotFound:
        raise Http404 from None


@member_required(Role.PROVIDER_STAFF)
def my_providers(request):
    providers = list(selectors.providers_for_user(request.user))
    if len(providers) == 1:
        return redirect("catalogue:my-provider", slug=providers[0].slug)
    return render(request, "catalogue/my_providers.html", {"providers": providers})


def _decision_label(status: str) -> str:
    return str(dict(ApprovalStatus.choices).get(status, status))


@member_required(Role.PROVIDER_STAFF)
def my_provider(request, slug: str):
    provider = _own_provider(request, slug)
    staff = selectors.staff_membership(request.user, provider)
    return render(request, "catalogue/my_provider.html", {
        "listings": [{**row, "label": _decision_label(row["status"])}
                     for row in selectors.municipal_decisions(provider)],
        "provider": provider, "staff": staff, "locations": list(selectors.provider_locations(provider)),
        "service_count": provider.services.count(),
        "staff_languages": _languages(provider.languages),
    })


@member_required(Role.PROVIDER_STAFF)
def profile_edit(request, slug: str):
    provider = _own_provider(request, slug)
    form = ProfileForm(request.POST or None, instance=provider)
    if request.method == "POST" and form.is_valid():
        try:
            services.provider_update(provider=provider, actor=request.user, request=request, **form.profile_data())
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("The profile was saved."))
            return redirect("catalogue:my-provider", slug=provider.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "catalogue/profile_form.html", {"form": form, "provider": provider}, status=status)


@member_required(Role.PROVIDER_STAFF)
def location_edit(request, slug: str, location_id: int | None = None):
    provider = _own_provider(request, slug)
    location = None
    if location_id is not None:
        location = provider.locations.filter(pk=location_id).first()
        if location is None:
            raise Http404
    form = LocationForm(request.POST or None, instance=location)
    if request.method == "POST" and form.is_valid():
        try:
            if location is None:
                services.location_create(provider=provider, actor=request.user, **form.location_data())
            else:
                services.location_update(location=location, actor=request.user, **form.location_data())
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("The location was saved."))
            return redirect("catalogue:my-provider", slug=provider.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "catalogue/location_form.html", {"form": form, "provider": provider,
                                                            "location": location}, status=status)


@member_required(Role.PROVIDER_STAFF)
def location_delete(request, slug: str, location_id: int):
    provider = _own_provider(request, slug)
    location = provider.locations.filter(pk=location_id).first()
    if location is None:
        raise Http404
    if request.method == "POST":
        services.location_delete(location=location, actor=request.user)
        messages.success(request, _("The location was removed."))
    return redirect("catalogue:my-provider", slug=provider.slug)


@member_required(Role.PROVIDER_STAFF)
def my_services(request, slug: str):
    provider = _own_provider(request, slug)
    rows = [(s, eur(s.unit_price)) for s in selectors.provider_services(provider)]
    return render(request, "catalogue/my_services.html", {"provider": provider, "rows": rows})


@member_required(Role.PROVIDER_STAFF)
def service_edit(request, slug: str, service_id: int | None = None):
    provider = _own_provider(request, slug)
    service = None
    if service_id is not None:
        service = provider.services.filter(pk=service_id).first()
        if service is None:
            raise Http404
    form = ServiceForm(request.POST or None, instance=service, provider=provider)
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        try:
            if service is None:
                services.service_create(provider=provider, actor=request.user, **data)
            else:
                services.service_update(service=service, actor=request.user, request=request, **data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("The service was saved."))
            return redirect("catalogue:my-services", slug=provider.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "catalogue/service_form.html", {"form": form, "provider": provider,
                                                           "service": service}, status=status)


@member_required(Role.PROVIDER_STAFF)
def capacity(request, slug: str):
    """Prices, free places and waiting times of every service on one page; saved all or nothing."""
    provider = _own_provider(request, slug)
    service_list = list(selectors.provider_services(provider))
    data = request.POST if request.method == "POST" else None
    forms = [CapacityRowForm(data, service=service) for service in service_list]
    error = None
    if data is not None and all(form.is_valid() for form in forms):
        changes = {form.service.pk: form.cleaned_data for form in forms}
        try:
            changed = services.services_capacity_update(provider=provider, actor=request.user, changes=changes,
                                                        request=request)
        except DomainError as refusal:
            error = refusal
            service_id, _sep, field = (refusal.field or "").partition("-")
            form = next((f for f in forms if str(f.service.pk) == service_id), None)
            if form is not None:
                form.add_error(field if field in form.fields else None, refusal.message)
                error = None  # shown on its row and in the summary
        else:
            messages.success(request, _("Saved: %(n)s change(s).") % {"n": changed})
            return redirect("catalogue:my-services", slug=provider.slug)
    status = 400 if data is not None else 200
    return render(request, "catalogue/capacity.html", {
        "provider": provider, "forms": forms, "error": error,
        "has_errors": bool(error) or any(form.errors for form in forms)}, status=status)


@member_required(Role.PROVIDER_STAFF)
def staff(request, slug: str):
    provider = _own_provider(request, slug)
    me = selectors.staff_membership(request.user, provider)
    form = StaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_add(provider=provider, actor=request.user, request=request, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("%(email)s now works for %(name)s.") % {
                "email": form.cleaned_data["email"], "name": provider.name})
            return redirect("catalogue:staff", slug=provider.slug)
    members = provider.staff.select_related("user").order_by("user__full_name")
    status = 400 if request.method == "POST" else 200
    return render(request, "catalogue/staff.html", {"provider": provider, "form": form, "members": members,
                                                    "me": me}, status=status)


@member_required(Role.PROVIDER_STAFF)
def staff_remove(request, slug: str, staff_id: int):
    provider = _own_provider(request, slug)
    member = provider.staff.select_related("user", "provider").filter(pk=staff_id).first()
    if member is None:
        raise Http404
    if request.method == "POST":
        try:
            services.staff_remove(staff=member, actor=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("%(email)s no longer works for this provider.") % {"email": member.user.email})
    return redirect("catalogue:staff", slug=provider.slug)


@member_required(Role.PROVIDER_STAFF)
def history(request, slug: str):
    provider = _own_provider(request, slug)
    rows = [(change, [(_field_label(name), pair[0], pair[1]) for name, pair in change.changes.items()])
            for change in selectors.provider_history(provider, limit=200)]
    return render(request, "catalogue/history.html", {"provider": provider, "rows": rows})


def _field_label(name: str) -> str:
    """A field's name as people read it (history rows store model field names)."""
    for model in (Provider, Service, Location):
        try:
            return str(model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            continue
    return {"staff": _("staff member"), "location": _("location")}.get(name, name)
