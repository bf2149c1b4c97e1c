"""Search parameters from a query string — one definition for the search page and the REST API."""

from __future__ import annotations

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.marketplace.catalogue.models import ACCESSIBILITY_FIELDS, DeliveryMode, Language, Provider, TargetGroup
from portal.marketplace.catalogue.taxonomy import SERVICE_TYPES

from .centres import CENTRES, place_named
from .query import MAX_PER_PAGE, SearchQuery

SORT_CHOICES = [("relevance", _("Relevance")), ("distance", _("Distance")), ("price", _("Price, lowest first"))]


def accessibility_choices():
    choices = [(name, Provider._meta.get_field(name).verbose_name) for name in ACCESSIBILITY_FIELDS]
    return choices + [("sign_language", _("staff use sign language"))]


def facet_values(facet: str) -> list[str]:
    """Every value a facet can take (service types come from the taxonomy)."""
    return {
        "target_group": list(TargetGroup.values), "delivery_mode": list(DeliveryMode.values),
        "language": list(Language.values), "accessibility": [*ACCESSIBILITY_FIELDS, "sign_language"],
    }[facet]


def service_type_choices():
    """The taxonomy's codes and names in the active language, from the seed (no query per request)."""
    english = (get_language() or "lv").startswith("en")
    return [(code, name_en if english else name_lv) for code, name_lv, name_en, *_rest in SERVICE_TYPES]


def municipality_choices():
    return sorted(((code, name) for code, (_lat, _lon, name) in CENTRES.items()), key=lambda c: c[1])


class SearchParams(forms.Form):
    q = forms.CharField(label=_("Words to search for"), required=False, max_length=200,
                        help_text=_("For example: psychologist, home care, speech therapist in Liepāja"))
    type = forms.MultipleChoiceField(label=_("Service type"), required=False, widget=forms.CheckboxSelectMultiple)
    group = forms.MultipleChoiceField(label=_("Who it is for"), required=False, choices=TargetGroup.choices,
                                      widget=forms.CheckboxSelectMultiple)
    age = forms.IntegerField(label=_("Age of the person"), required=False, min_value=0, max_value=120,
                             help_text=_("Shows services open to this age"))
    municipality = forms.MultipleChoiceField(label=_("Municipality served"), required=False,
                                             widget=forms.CheckboxSelectMultiple)
    language = forms.MultipleChoiceField(label=_("Language the staff speak"), required=False,
                                         choices=Language.choices, widget=forms.CheckboxSelectMultiple)
    mode = forms.MultipleChoiceField(label=_("Where it is delivered"), required=False, choices=DeliveryMode.choices,
                                     widget=forms.CheckboxSelectMultiple)
    access = forms.MultipleChoiceField(label=_("Accessibility"), required=False,
                                       widget=forms.CheckboxSelectMultiple)
    free = forms.BooleanField(label=_("Only with free places now"), required=False)
    cap = forms.BooleanField(label=_("Only within the municipality's price cap"), required=False)
    budget = forms.BooleanField(label=_("Only what fits my remaining budget"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)
    near = forms.ChoiceField(label=_("Measure distance from"), required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=10000, widget=forms.HiddenInput)
    per_page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PER_PAGE, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = service_type_choices()
        self.fields["municipality"].choices = municipality_choices()
        self.fields["access"].choices = accessibility_choices()
        self.fields["near"].choices = [("", _("my address or this municipality"))] + municipality_choices()

    def clean(self):
        """A place named in the words ("logopēds Liepājā") is where distances are measured from, unless a
        place was chosen; it leaves the words, which then match the service wherever it is."""
        data = super().clean()
        place, rest = place_named(data.get("q") or "")
        self.place = place
        if place is not None:
            data["q"] = rest
            data["near"] = data.get("near") or place
        return data

    def to_query(self) -> SearchQuery:
        data = self.cleaned_data
        text = data.get("q") or ""
        # Unless a sort was chosen: browsing (no words) or a named place ranks by distance — from the place,
        # the person's address or this municipality (backends fall back to relevance without an origin).
        sort = data.get("sort") or ("distance" if not text.strip() or self.place else "relevance")
        return SearchQuery(
            text=text, service_types=data.get("type") or [], target_groups=data.get("group") or [],
            age=data.get("age"), municipalities=data.get("municipality") or [],
            languages=data.get("language") or [], delivery_modes=data.get("mode") or [],
            accessibility=data.get("access") or [], free_places=bool(data.get("free")),
            within_cap=bool(data.get("cap")), fits_budget=bool(data.get("budget")),
            sort=sort, page=data.get("page") or 1, per_page=data.get("per_page") or 20)
