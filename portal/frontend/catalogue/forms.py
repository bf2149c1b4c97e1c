"""Forms of the catalogue pages. They validate and render; saving goes through the services."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from portal.frontend.forms import GovukFormMixin
from portal.marketplace.approvals.models import ApprovalStatus, PriceCap
from portal.marketplace.catalogue.models import (
    ACCESSIBILITY_FIELDS,
    DeliveryMode,
    Language,
    Location,
    Provider,
    Service,
    ServiceType,
    TargetGroup,
    Unit,
)
from portal.marketplace.catalogue.services import LOCATION_FIELDS, PROFILE_FIELDS, SERVICE_FIELDS
from portal.tenants.models import Municipality


def municipality_choices():
    return list(Municipality.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME)
                .order_by("name").values_list("code", "name"))


class _Checkboxes(forms.CheckboxSelectMultiple):
    pass


def _fix_checkbox_classes(form):
    """The mixin gives every widget a class; checkbox groups and single checkboxes need theirs."""
    for field in form.fields.values():
        if isinstance(field.widget, forms.CheckboxSelectMultiple):
            field.widget.attrs["class"] = "govuk-checkboxes__input"
        elif isinstance(field.widget, forms.CheckboxInput):
            field.widget.attrs["class"] = "govuk-checkboxes__input"
        elif isinstance(field.widget, forms.RadioSelect):
            field.widget.attrs["class"] = "govuk-radios__input"


class ProfileForm(GovukFormMixin, forms.ModelForm):
    languages = forms.MultipleChoiceField(label=_("Languages your staff speak"), choices=Language.choices,
                                          widget=_Checkboxes, required=False)
    municipalities_served = forms.MultipleChoiceField(label=_("Municipalities you serve"), choices=(),
                                                      widget=_Checkboxes, required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = Provider
        fields = list(PROFILE_FIELDS)
        widgets = {"description_lv": forms.Textarea(attrs={"rows": 5}),
                   "description_en": forms.Textarea(attrs={"rows": 5})}
        help_texts = {
            "social_register_number": _("S and 5 digits, as in the register of social service providers."),
            "company_number": _("11 digits, from the Register of Enterprises."),
            "iban": _("Payments for your invoices go to this account."),
            "vat_number": _("Only if you are registered for VAT: LV and 11 digits."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipalities_served"].choices = municipality_choices()
        _fix_checkbox_classes(self)

    def accessibility_fields(self):
        return [self[name] for name in ACCESSIBILITY_FIELDS]

    def clean(self):
        data = super().clean()
        if data.get("vat_payer") and not data.get("vat_number"):
            self.add_error("vat_number", _("Enter your VAT number, or untick “registered for VAT”."))
        return data

    def profile_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in PROFILE_FIELDS if name in self.cleaned_data}


class SignUpForm(ProfileForm):
    """Profile plus the account of the person signing up (when not signed in)."""

    full_name = forms.CharField(label=_("Your full name"), max_length=200)
    account_email = forms.EmailField(label=_("Your e-mail address"), help_text=_("You will sign in with it."))
    password = forms.CharField(label=_("Choose a password"), widget=forms.PasswordInput(render_value=False),
                               help_text=_("At least 10 characters."))

    def __init__(self, *args, with_account: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_account:
            for name in ("full_name", "account_email", "password"):
                del self.fields[name]
        else:
            self.fields["password"].widget.attrs["autocomplete"] = "new-password"
            self.fields["account_email"].widget.attrs["autocomplete"] = "email"


class LocationForm(GovukFormMixin, forms.ModelForm):
    municipality_code = forms.ChoiceField(label=_("Municipality"), choices=())

    class Meta:
        model = Location
        fields = list(LOCATION_FIELDS)
        help_texts = {"latitude": _("Decimal degrees, e.g. 56.651100 (optional; used for the map link)."),
                      "longitude": _("Decimal degrees, e.g. 23.721400.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality_code"].choices = [("", _("Choose a municipality"))] + municipality_choices()
        _fix_checkbox_classes(self)

    def accessibility_fields(self):
        return [self[name] for name in ACCESSIBILITY_FIELDS]

    def location_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in LOCATION_FIELDS if name in self.cleaned_data}


class ServiceForm(GovukFormMixin, forms.ModelForm):
    service_type = forms.ModelChoiceField(label=_("Service type"), queryset=ServiceType.objects.all(),
                                          empty_label=_("Choose a service type"))
    target_groups = forms.MultipleChoiceField(label=_("Who it is for"), choices=TargetGroup.choices,
                                              widget=_Checkboxes)
    delivery_modes = forms.MultipleChoiceField(label=_("Where it is delivered"), choices=DeliveryMode.choices,
                                               widget=_Checkboxes)
    unit = forms.ChoiceField(label=_("Unit"), choices=Unit.choices)
    locations = forms.ModelMultipleChoiceField(label=_("Locations"), queryset=Location.objects.none(),
                                               widget=_Checkboxes, required=False)

    class Meta:
        model = Service
        fields = [*SERVICE_FIELDS, "locations"]
        widgets = {"description_lv": forms.Textarea(attrs={"rows": 5}),
                   "description_en": forms.Textarea(attrs={"rows": 5})}
        help_texts = {"free_places": _("How many people you can take now; 0 means full."),
                      "waiting_weeks": _("If you are full: about how many weeks until a place is free."),
                      "unit_price": _("In euros, e.g. 12.50.")}

    def __init__(self, *args, provider=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["locations"].queryset = Location.objects.filter(provider=provider)
        _fix_checkbox_classes(self)

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in SERVICE_FIELDS if name in self.cleaned_data}
        data["locations"] = list(self.cleaned_data.get("locations") or [])
        return data


class CapacityRowForm(GovukFormMixin, forms.Form):
    """One row of the "prices and free places" table (prefix = service id)."""

    unit_price = forms.DecimalField(label=_("Price per unit (EUR)"), max_digits=10, decimal_places=2)
    free_places = forms.IntegerField(label=_("Free places now"), min_value=0, required=False)
    waiting_weeks = forms.IntegerField(label=_("Waiting time (weeks)"), min_value=0, max_value=520, required=False)

    def __init__(self, *args, service=None, **kwargs):
        self.service = service
        self.summary_label = service.title  # the error summary names the row
        super().__init__(*args, prefix=str(service.pk), initial={
            "unit_price": service.unit_price, "free_places": service.free_places,
            "waiting_weeks": service.waiting_weeks}, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] += " govuk-input--width-5"


class StaffForm(GovukFormMixin, forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    full_name = forms.CharField(label=_("Full name"), max_length=200, required=False,
                                help_text=_("Needed only when the person has no account yet."))
    is_owner = forms.BooleanField(label=_("May also manage staff"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _fix_checkbox_classes(self)


class DecisionForm(GovukFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("Decision"), choices=[
        (ApprovalStatus.APPROVED, _("Approve")), (ApprovalStatus.REFUSED, _("Refuse")),
        (ApprovalStatus.SUSPENDED, _("Suspend"))], widget=forms.RadioSelect)
    note = forms.CharField(label=_("Reason or note"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Required when you refuse or suspend."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _fix_checkbox_classes(self)


class PriceCapForm(GovukFormMixin, forms.Form):
    service_type = forms.ModelChoiceField(label=_("Service type"), queryset=ServiceType.objects.all(),
                                          empty_label=_("Choose a service type"))
    unit = forms.ChoiceField(label=_("Unit"), choices=Unit.choices)
    amount = forms.DecimalField(label=_("Cap per unit (EUR)"), max_digits=10, decimal_places=2, min_value=0.01,
                                help_text=_("The most the municipality pays per unit, e.g. 12.50."))
    over_cap_rule = forms.ChoiceField(label=_("If a provider's price is above the cap"),
                                      choices=PriceCap.OverCapRule.choices, widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _fix_checkbox_classes(self)
