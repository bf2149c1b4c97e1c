"""Administration pages: who holds which role (municipality and platform administrators),
and provisioning municipalities (platform administrator)."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.platform.core.errors import DomainError
from portal.tenants.access import current_municipality, roles_for
from portal.tenants.models import Membership, PlanningRegion
from portal.tenants.provisioning import municipality_provision
from portal.tenants.roles import Role
from portal.tenants.services import (
    GRANTABLE_BY_MUNICIPALITY_ADMIN,
    GRANTABLE_BY_PLATFORM_ADMIN,
    membership_grant,
    membership_revoke,
)

from .decorators import member_required
from .forms import GovukFormMixin, apply_domain_error


def _grantable(municipality):
    allowed = GRANTABLE_BY_MUNICIPALITY_ADMIN if municipality else GRANTABLE_BY_PLATFORM_ADMIN - {
        Role.MUNICIPALITY_ADMIN}
    return [(role.value, role.label) for role in Role if role in allowed]


class MembershipForm(GovukFormMixin, forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-mail address"), max_length=254)
    full_name = forms.CharField(label=gettext_lazy("Full name"), max_length=200, required=False,
                                help_text=gettext_lazy("Needed only when the person has no account yet."))
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=())

    def __init__(self, *args, municipality=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", _("Choose a role"))] + _grantable(municipality)


@member_required(Role.MUNICIPALITY_ADMIN, Role.PLATFORM_ADMIN)
def members(request):
    municipality = current_municipality()
    if municipality is None and Role.PLATFORM_ADMIN not in roles_for(request.user, None):
        return render(request, "frontend/forbidden.html", status=403)
    form = MembershipForm(request.POST or None, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        try:
            _membership, created = membership_grant(actor=request.user, municipality=municipality,
                                                    request=request, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("%(email)s now holds the role.") % {"email": form.cleaned_data["email"]}
                             + (" " + _("We sent them a link to choose a password.") if created else ""))
            return redirect("frontend:members")
    queryset = (Membership.objects.filter(municipality=municipality).select_related("user")
                .order_by("user__full_name", "role"))
    query = request.GET.get("q", "").strip()
    if query:
        queryset = queryset.filter(user__email__icontains=query) | queryset.filter(user__full_name__icontains=query)
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    status = 400 if request.method == "POST" else 200
    return render(request, "frontend/members.html", {"form": form, "page": page, "query": query}, status=status)


@member_required(Role.MUNICIPALITY_ADMIN, Role.PLATFORM_ADMIN)
def member_remove(request, membership_id: int):
    if request.method != "POST":
        return redirect("frontend:members")
    try:
        membership_revoke(actor=request.user, membership_id=membership_id, municipality=current_municipality(),
                          request=request)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The role was removed."))
    return redirect("frontend:members")


class MunicipalityForm(GovukFormMixin, forms.Form):
    code = forms.CharField(label=gettext_lazy("Short code"), max_length=30, help_text=gettext_lazy(
        "Lower-case Latin letters and digits; it becomes the site's address, e.g. sigulda.localhost."))
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    region = forms.ChoiceField(label=gettext_lazy("Planning region"), choices=PlanningRegion.choices)
    social_service_name = forms.CharField(label=gettext_lazy("Social service"), max_length=200, required=False)
    email = forms.EmailField(label=gettext_lazy("E-mail"), required=False)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=40, required=False)


@member_required(Role.PLATFORM_ADMIN)
def municipality_new(request):
    form = MunicipalityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = municipality_provision(**form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            if result.created:
                messages.success(request, _("%(name)s has its own site now.") % {"name": result.municipality.name})
            else:
                messages.success(request, _("%(name)s already existed; nothing changed.") % {
                    "name": result.municipality.name})
            return redirect("frontend:municipalities")
    status = 400 if request.method == "POST" else 200
    return render(request, "frontend/municipality_new.html", {"form": form}, status=status)
