"""Forms of the payments pages (the rules stay in the services)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.frontend.forms import GovukFormMixin
from portal.marketplace.payments.models import WEEKDAYS, Rail


class DateInput(forms.DateInput):
    input_type = "date"


class BatchForm(GovukFormMixin, forms.Form):
    execution_date = forms.DateField(label=_("Execution date (optional)"), required=False, widget=DateInput,
                                     help_text=_("Empty: today."))


class StatementForm(GovukFormMixin, forms.Form):
    file = forms.FileField(label=_("Bank statement (camt.053 XML)"))


class TopUpForm(GovukFormMixin, forms.Form):
    amount = forms.DecimalField(label=_("Amount in euro"), max_digits=14, decimal_places=2, min_value=0.01)
    note = forms.CharField(label=_("Note (optional)"), max_length=200, required=False)


class SettingsForm(GovukFormMixin, forms.Form):
    rail = forms.ChoiceField(label=_("How the municipality pays providers"), choices=Rail.choices)
    debtor_name = forms.CharField(label=_("Account holder"), max_length=70, required=False)
    debtor_iban = forms.CharField(label=_("IBAN the municipality pays from"), max_length=40, required=False,
                                  help_text=_("Needed for bank files."))
    debtor_bic = forms.CharField(label=_("BIC (optional)"), max_length=11, required=False)
    # The bank rail's schedule (what providers are told to expect); checked by the service.
    payment_weekday = forms.ChoiceField(label=_("Weekly payment run (bank file)"), required=False,
                                        choices=[("", _("No weekly run: count business days"))] + WEEKDAYS)
    business_days_after_approval = forms.CharField(
        label=_("Business days from approval to payment (bank file)"), max_length=3, required=False,
        help_text=_("Used when there is no weekly run. Weekends and Latvian public holidays are not counted."))


class ReverseForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(label=_("Why the paid invoice is cancelled"), max_length=500, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("The provider sees this. It can invoice the sessions again, corrected."))
