"""Forms of the people pages. They only shape input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.budgets.people.models import (CHILD_DOMAINS, SIS_SUBSCALES, Consent, DisabilityGroup, Goal, Language,
                                          Relation, TargetGroup)
from portal.frontend.forms import GovukFormMixin


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class Radios(forms.RadioSelect):
    govuk_kind = "radios"


class Checkboxes(forms.CheckboxSelectMultiple):
    govuk_kind = "checkboxes"


def _kind(field, kind: str):
    """Mark a choice field so the template renders it as GOV.UK checkboxes or radios in a fieldset."""
    field.widget.govuk_kind = kind
    field.widget.attrs["class"] = "govuk-checkboxes__input" if kind == "checkboxes" else "govuk-radios__input"
    return field


class PeopleForm(GovukFormMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            kind = getattr(field.widget, "govuk_kind", "")
            if kind:
                _kind(field, kind)
            elif isinstance(field.widget, DateInput):
                field.widget.attrs["class"] = "govuk-input govuk-input--width-10"


class PersonForm(PeopleForm):
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    personal_code = forms.CharField(label=_("Personal code"), max_length=14,
                                    help_text=_("For example 010190-12349, or a new code starting with 32."))
    birth_date = forms.DateField(label=_("Date of birth"), widget=DateInput())
    target_group = forms.ChoiceField(label=_("Target group"), choices=TargetGroup.choices,
                                     widget=Radios)
    disability_group = forms.ChoiceField(label=_("Disability set by the State Medical Commission"),
                                         choices=DisabilityGroup.choices, widget=Radios)
    disability_decision_number = forms.CharField(label=_("Decision number"), max_length=40, required=False)
    disability_decided_on = forms.DateField(label=_("Decision date"), required=False, widget=DateInput())
    disability_valid_from = forms.DateField(label=_("Disability valid from"), required=False, widget=DateInput())
    disability_valid_until = forms.DateField(label=_("Disability valid until"), required=False, widget=DateInput(),
                                             help_text=_("Leave empty if set for life."))
    # "True"/"False" so the person's stored value selects its radio on the edit page; no answer means no.
    left_institution = forms.TypedChoiceField(
        label=_("Did the person move to the community from an institution?"), required=False, widget=Radios,
        choices=[("False", _("No")), ("True", _("Yes"))], coerce=lambda value: value == "True", empty_value=False,
        help_text=_("Adults only: long-term social care in an institution before life in the community."))
    left_institution_on = forms.DateField(label=_("Date of leaving the institution"), required=False,
                                          widget=DateInput(), help_text=_("If known."))
    address = forms.CharField(label=_("Address"), max_length=250, required=False)
    latitude = forms.DecimalField(label=_("Latitude"), max_digits=9, decimal_places=6, required=False,
                                  help_text=_("Used to find services near home, e.g. 56.651100."))
    longitude = forms.DecimalField(label=_("Longitude"), max_digits=9, decimal_places=6, required=False,
                                   help_text=_("For example 23.721400."))
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    preferred_language = forms.ChoiceField(label=_("Preferred language"), choices=Language.choices)
    social_worker = forms.TypedChoiceField(label=_("Social worker in charge"), coerce=int, required=False,
                                           empty_value=None)

    def __init__(self, *args, social_workers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["social_worker"].choices = [("", _("Nobody yet"))] + [(u.pk, u.full_name) for u in social_workers]
        self._workers = {u.pk: u for u in social_workers}

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["social_worker"] = self._workers.get(data.get("social_worker"))
        return data


class SearchForm(PeopleForm):
    q = forms.CharField(label=_("Name or personal code"), required=False)
    target_group = forms.ChoiceField(label=_("Target group"), required=False,
                                     choices=[("", _("All"))] + list(TargetGroup.choices))


class AssessmentForm(PeopleForm):
    assessed_on = forms.DateField(label=_("Assessment date"), widget=DateInput())
    valid_until = forms.DateField(label=_("Valid until"), widget=DateInput())
    assessor_name = forms.CharField(label=_("Assessor"), max_length=200, required=False,
                                    help_text=_("Leave empty if you made the assessment."))
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    document = forms.FileField(label=_("Attach a document (optional)"), required=False,
                               help_text=_("PDF, JPEG or PNG, at most 10 MB."))

    def __init__(self, *args, child: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.child = child
        items = CHILD_DOMAINS if child else SIS_SUBSCALES
        low, high = (0, 4) if child else (1, 20)
        hint = (_("0 = no limitation … 4 = complete limitation") if child
                else _("Standard score from 1 to 20"))
        score_fields = {}
        for key, label in items.items():
            score_fields[f"score_{key}"] = forms.IntegerField(label=label, min_value=low, max_value=high,
                                                              help_text=hint)
        if not child:
            score_fields["medical_needs"] = forms.IntegerField(
                label=_("Exceptional medical support needs"), min_value=0, max_value=26, initial=0,
                help_text=_("Section 3A total, 0 to 26"))
            score_fields["behavioural_needs"] = forms.IntegerField(
                label=_("Exceptional behavioural support needs"), min_value=0, max_value=26, initial=0,
                help_text=_("Section 3B total, 0 to 26"))
        for name, field in score_fields.items():
            field.widget.attrs.update({"class": "govuk-input govuk-input--width-3", "inputmode": "numeric"})
            field.widget.attrs["aria-describedby"] = f"id_{name}-hint"
            self.fields[name] = field
        self.score_names = list(score_fields)

    def scores(self) -> dict:
        return {name[len("score_"):]: self.cleaned_data[name] for name in self.score_names
                if name.startswith("score_")}


class PeriodForm(PeopleForm):
    period_start = forms.DateField(label=_("Plan starts"), widget=DateInput())
    period_end = forms.DateField(label=_("Plan ends"), widget=DateInput(),
                                 help_text=_("A plan runs for 6 to 12 months."))


class GoalForm(PeopleForm):
    text = forms.CharField(label=_("The goal in the person's own words"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    service_types = forms.MultipleChoiceField(label=_("Service types that serve this goal"), required=False,
                                              widget=Checkboxes)
    share_percent = forms.DecimalField(label=_("Share of the budget (%)"), max_digits=5, decimal_places=2,
                                       required=False)

    def __init__(self, *args, service_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_types"].choices = [(t.code, t.name) for t in service_types]
        self.fields["share_percent"].widget.attrs["class"] = "govuk-input govuk-input--width-5"
        if "DELETE" in self.fields:
            self.fields["DELETE"].label = _("Remove this goal")
            self.fields["DELETE"].widget.attrs["class"] = "govuk-checkboxes__input"


GoalFormSet = forms.formset_factory(GoalForm, extra=0, can_delete=True, max_num=10, absolute_max=10)


class AgreeForm(PeopleForm):
    given_by_name = forms.CharField(label=_("Who agreed"), max_length=200)
    capacity = forms.ChoiceField(label=_("They agreed as"), widget=Radios, choices=[
        ("self", _("The person themselves")), ("legal_representative", _("Legal representative"))])

class ReviewForm(PeopleForm):
    comment = forms.CharField(label=_("Overall comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, goals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.goal_fields = []
        for index, goal in enumerate(goals):
            outcome = forms.ChoiceField(label=_("Goal %(n)s: outcome") % {"n": index + 1},
                                        choices=Goal.Outcome.choices, widget=Radios,
                                        initial=goal.outcome or None)
            _kind(outcome, "radios")
            comment = forms.CharField(label=_("Goal %(n)s: comment") % {"n": index + 1}, required=False,
                                      initial=goal.outcome_comment, widget=forms.Textarea(
                                          attrs={"rows": 2, "class": "govuk-textarea"}))
            self.fields[f"goals-{index}-outcome"] = outcome
            self.fields[f"goals-{index}-comment"] = comment
            self.goal_fields.append((goal, f"goals-{index}-outcome", f"goals-{index}-comment"))

    def outcomes(self) -> dict:
        return {goal.pk: (self.cleaned_data[o], self.cleaned_data[c]) for goal, o, c in self.goal_fields}


class RelationForm(PeopleForm):
    email = forms.EmailField(label=_("Their e-mail address on the portal"),
                             help_text=_("They need an account with the matching role in this municipality."))
    kind = forms.ChoiceField(label=_("Relation"), choices=Relation.Kind.choices, widget=Radios)
    basis = forms.ChoiceField(label=_("Basis"), choices=Relation.Basis.choices)
    valid_from = forms.DateField(label=_("From"), widget=DateInput())
    valid_until = forms.DateField(label=_("Until"), required=False, widget=DateInput(),
                                  help_text=_("Leave empty if open-ended."))
    may_see = forms.MultipleChoiceField(label=_("What the person allows the support person to see"),
                                        choices=Relation.Section.choices, required=False,
                                        widget=Checkboxes,
                                        help_text=_("Only for a support person; a legal representative sees all."))

class VisibilityForm(PeopleForm):
    may_see = forms.MultipleChoiceField(label=_("What your support person may see"),
                                        choices=Relation.Section.choices, required=False,
                                        widget=Checkboxes)


class ConsentForm(PeopleForm):
    kind = forms.ChoiceField(label=_("Consent"), choices=Consent.Kind.choices, widget=Radios)
    given_on = forms.DateField(label=_("Given on"), widget=DateInput())
    given_by_name = forms.CharField(label=_("Given by"), max_length=200)
    given_by_capacity = forms.ChoiceField(label=_("Given as"), widget=Radios, choices=[
        ("self", _("The person themselves")), ("legal_representative", _("Legal representative"))])


class EndDateForm(PeopleForm):
    on = forms.DateField(label=_("Date"), widget=DateInput())


class ErasureRequestForm(PeopleForm):
    understood = forms.BooleanField(
        label=_("I understand what will be removed and what the municipality must keep"),
        error_messages={"required": _("Confirm that you understand what will be removed and what stays")})
