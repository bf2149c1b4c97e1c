"""The catalogue search page: a GET form that works without JavaScript; htmx swaps only the results."""

from __future__ import annotations

from django.shortcuts import render

from portal.marketplace.search.query import Scope, SearchResult
from portal.marketplace.search.selectors import catalogue_search, person_for_search, search_scope
from portal.tenants.access import current_municipality

from . import page
from .forms import SearchForm


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
    # The filters, the count and the results are drawn in Python (page.py): through the template engine they
    # cost several times the search.
    context = {
        "form": form, "municipality": municipality, "status": page.status(form, result),
        "results": page.results(
            result=result, scope=scope or Scope(), pages=_pages(request, result),
            budget_unknown=bool(result and form.cleaned_data.get("budget") and scope.budget is None),
            by_distance=bool(result and query.sort == "distance" and scope.origin is not None)),
    }
    if getattr(request, "htmx", False):
        context["counts"] = page.facet_counts_oob(form, result)
        return render(request, "search/_results.html", context)
    context["filters"] = page.filters(form, result, national=municipality is None)
    return render(request, "search/search.html", context)


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
