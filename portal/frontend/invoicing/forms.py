"""Forms of the invoicing pages (validation of the domain rules stays in the services)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.frontend.forms import GovukFormMixin
from portal.marketplace.invoicing.models import GoalProgress

WEEKDAYS = [(0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")), (4, _("Friday")),
            (5, _("Saturday")), (6, _("Sunday"))]


class DateInput(forms.DateInput):
    input_type = "date"


class TimeInput(forms.TimeInput):
    input_type = "time"


class SessionForm(GovukFormMixin, forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput, error_messages={
        "required": _("Enter the date of the session."), "invalid": _("Enter the date of the session as a real date.")})
    start_time = forms.TimeField(label=_("Start time (optional)"), required=False, widget=TimeInput)
    duration_minutes = forms.IntegerField(label=_("Duration in minutes (optional)"), required=False, min_value=1,
                                          max_value=1440)
    units = forms.DecimalField(label=_("Units"), max_digits=6, decimal_places=2,
                               help_text=_("In the agreement's unit, e.g. 1.5 hours."), error_messages={
                                   "required": _("Enter how many units the session took, e.g. 1.5 hours.")})
    staff_name = forms.CharField(label=_("Staff member"), max_length=120, error_messages={
        "required": _("Enter who delivered the session: the family sees the name.")})
    goal_progress = forms.ChoiceField(label=_("Progress on the goal"), choices=GoalProgress.choices,
                                      required=False)
    note = forms.CharField(label=_("Short note (optional)"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))


class CorrectSessionForm(SessionForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["date"]


class MonthForm(GovukFormMixin, forms.Form):
    month = forms.CharField(label=_("Month"), help_text=_("For example 2026-10."), max_length=7, error_messages={
        "required": _("Enter the month, for example 2026-10.")})

    def clean_month(self):
        value = self.cleaned_data["month"].strip()
        try:
            year, month = (int(part) for part in value.split("-"))
            if not 1 <= month <= 12 or not 2000 <= year <= 2100:
                raise ValueError
        except ValueError:
            raise forms.ValidationError(_("Enter the month as YYYY-MM, for example 2026-10.")) from None
        return year, month


class BulkMonthForm(MonthForm):
    weekdays = forms.TypedMultipleChoiceField(label=_("Days of the week"), choices=WEEKDAYS, coerce=int,
                                              widget=forms.CheckboxSelectMultiple)
    start_time = forms.TimeField(label=_("Start time (optional)"), required=False, widget=TimeInput)
    units = forms.DecimalField(label=_("Units each time"), max_digits=6, decimal_places=2)
    staff_name = forms.CharField(label=_("Staff member"), max_length=120)
    note = forms.CharField(label=_("Short note (optional)"), max_length=500, required=False)


class CsvForm(GovukFormMixin, forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_(
        "Columns: date (YYYY-MM-DD), start (HH:MM, may be empty), duration_minutes, units, staff, note, "
        "goal_progress, external_id. The first line holds the column names."))


class ConfirmMonthForm(forms.Form):
    """"Confirm all for a month": the month is the button pressed; the agreement is optional."""

    month = forms.RegexField(r"^\d{4}-\d{2}$", label=_("Month"),
                             error_messages={"required": _("Choose a month."), "invalid": _("Choose a month.")})
    agreement = forms.IntegerField(required=False, min_value=1)


class ReasonForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))


def default_month() -> str:
    today = timezone.localdate()
    return f"{today.year}-{today.month:02d}"
