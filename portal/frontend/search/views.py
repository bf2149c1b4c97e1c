"""The catalogue search page: a GET form that works without JavaScript; htmx swaps only the results."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language

from portal.marketplace.search.query import Scope, SearchResult
from portal.marketplace.search.selectors import catalogue_search, person_for_search, search_scope
from portal.tenants.access import current_municipality

from .forms import SearchForm

# form field → facet name in the result
FACET_FIELDS = [("type", "service_type"), ("group", "target_group"), ("mode", "delivery_mode"),
                ("language", "language"), ("access", "accessibility")]


def service_url(service_id: int) -> str | None:
    try:
        return reverse("catalogue:service", args=[service_id])
    except NoReverseMatch:
        return None


def search(request):
    form = SearchForm(request.GET)
    municipality = current_municipality()
    if not municipality:
        for name in ("cap", "budget"):
            form.fields.pop(name)
    person = person_for_search(request.user) if municipality else None
    if municipality and person is None:
        form.fields.pop("budget", None)
    result, scope, query = None, None, None
    if form.is_valid():
        query = form.to_query()
        scope = search_scope(request.user, near=form.cleaned_data.get("near") or None, person=person,
                             want_budget=query.fits_budget)
        result = catalogue_search(query, scope)
    context = {
        "form": form, "result": result, "scope": scope or Scope(), "municipality": municipality,
        "hits": _hits(result), "facet_groups": _facet_groups(form, result), "pages": _pages(request, result),
        "english": (get_language() or "lv").startswith("en"),
        "start": (result.page - 1) * result.per_page + 1 if result else 1,
        "chosen_municipalities": request.GET.getlist("municipality"),
        "budget_unknown": bool(result and form.cleaned_data.get("budget") and scope.budget is None),
        "by_distance": bool(result and query.sort == "distance" and scope.origin is not None),
    }
    template = "search/_results.html" if getattr(request, "htmx", False) else "search/search.html"
    return render(request, template, context)


def _hits(result: SearchResult | None):
    if result is None:
        return []
    english = (get_language() or "lv").startswith("en")
    rows = []
    for hit in result.hits:
        rows.append({
            "hit": hit, "url": service_url(hit.service_id),
            "title": (hit.title_en if english and hit.title_en else hit.title_lv),
            "summary": (hit.summary_en if english and hit.summary_en else hit.summary_lv),
            "type_name": (hit.service_type_name_en if english else hit.service_type_name_lv),
        })
    return rows


def _facet_groups(form: SearchForm, result: SearchResult | None):
    """Each filter fieldset: its checkboxes with the number of current results that have the value."""
    groups = []
    facets = result.facets if result else {}
    for field_name, facet in FACET_FIELDS:
        field = form[field_name]
        chosen = set(form.data.getlist(field_name)) if hasattr(form.data, "getlist") else set()
        counts = facets.get(facet, {})
        options = [{"value": value, "label": label, "checked": value in chosen, "count": counts.get(value, 0),
                    "id": f"id_{field_name}_{index}"}
                   for index, (value, label) in enumerate(field.field.choices)]
        groups.append({"name": field_name, "legend": field.label, "options": options})
    return groups


def _pages(request, result: SearchResult | None):
    if result is None or result.pages <= 1:
        return None

    def link(number):
        params = request.GET.copy()
        params["page"] = str(number)
        return "?" + params.urlencode()

    return {
        "number": result.page, "total": result.pages,
        "previous": link(result.page - 1) if result.page > 1 else None,
        "next": link(result.page + 1) if result.page < result.pages else None,
    }
