"""Forms for agreements. They validate shape only; the services decide (and their errors land on fields)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.frontend.forms import GovukFormMixin

UNIT_WEEK_LABELS = {
    "hour": _("Hours a week"),
    "session": _("Sessions a week"),
    "day": _("Days a week"),
    "course": _("Courses a week"),
}
# The hint follows the unit: "Days a week" with an example in hours read as a contradiction.
UNIT_WEEK_HINTS = {
    "hour": _("For example 4 for four hours a week."),
    "session": _("For example 2 for two sessions a week."),
    "day": _("For example 3 for three days a week."),
    "course": _("Usually empty: give the courses in total below."),
}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class AgreementForm(GovukFormMixin, forms.Form):
    units_per_week = forms.DecimalField(label=_("Units a week"), required=False, min_value=0, max_digits=6,
                                        decimal_places=2, help_text=_("For example 4 for four hours a week."))
    total_units = forms.DecimalField(label=_("Or: units in total"), required=False, min_value=0, max_digits=8,
                                     decimal_places=2, help_text=_("For a course or a one-off service. "
                                                                   "Leave empty to count from the units a week."))
    period_start = forms.DateField(label=_("From"), widget=DateInput(), error_messages={
        "required": _("Enter the date the service starts."), "invalid": _("Enter the start date as a real date.")})
    period_end = forms.DateField(label=_("Until"), widget=DateInput(), error_messages={
        "required": _("Enter the date the service ends."), "invalid": _("Enter the end date as a real date.")},
                                 help_text=_("Inside the period of your support plan."))
    goal = forms.TypedChoiceField(label=_("Which goal of the plan it serves"), required=False, coerce=int,
                                  empty_value=None)
    accept_copayment = forms.BooleanField(label=_("I accept paying the difference above the cap myself"),
                                          required=False)
    explanation = forms.CharField(label=_("Explanation for the person (optional)"), required=False,
                                  max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text=_("In plain words: what the service is, when and what it costs."))

    def __init__(self, *args, unit="hour", goals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units_per_week"].label = UNIT_WEEK_LABELS.get(unit, _("Units a week"))
        self.fields["units_per_week"].help_text = UNIT_WEEK_HINTS.get(unit, _("For example 4 for four hours a week."))
        self.fields["goal"].choices = [("", _("Choose a goal"))] + [(g.pk, g.text[:120]) for g in goals]
        self._bound_fields_cache.clear()  # the mixin built bound fields before the label changed

    def clean(self):
        data = super().clean()
        if not data.get("units_per_week") and not data.get("total_units") and not self.errors:
            self.add_error("units_per_week", _("Enter how many units a week, or how many units in total."))
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The end date must be on or after the start date."))
        return data


class ReasonForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("The family and the provider will see it."))


class CancelForm(GovukFormMixin, forms.Form):
    effective = forms.DateField(label=_("Cancel from"), required=False, widget=DateInput(),
                                help_text=_("Leave empty to cancel from today."))
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))


class FilterForm(forms.Form):
    status = forms.CharField(required=False)
    q = forms.CharField(required=False, max_length=100)


class RulesForm(GovukFormMixin, forms.Form):
    provider_response_days = forms.IntegerField(label=_("Days the provider has to answer a request"),
                                                min_value=1, max_value=60)
    approval_service_types = forms.MultipleChoiceField(
        label=_("Service types that need the municipality's approval"), required=False,
        widget=forms.CheckboxSelectMultiple)
    approval_above_amount = forms.DecimalField(
        label=_("Agreements above this amount need the municipality's approval (EUR)"), required=False,
        min_value=0, max_digits=12, decimal_places=2, help_text=_("Leave empty for no limit."))
    cancellation_notice_hours = forms.IntegerField(label=_("Cancellation notice (hours)"), min_value=0,
                                                   max_value=1440)
    short_notice_billable_units = forms.DecimalField(
        label=_("Units the provider may bill after a short-notice cancellation"), min_value=0, max_value=100,
        max_digits=6, decimal_places=2)
    invoice_approval_days = forms.IntegerField(label=_("Target for approving invoices (working days)"),
                                               min_value=1, max_value=60)
    respite_days_per_year = forms.IntegerField(
        label=_("Respite care: days a person may have in a calendar year"), required=False, min_value=1,
        max_value=366, help_text=_("Leave empty for no limit."))

    def __init__(self, *args, service_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["approval_service_types"].choices = [(t.code, t.name) for t in service_types]
