"""The statistics pages: the ministry analyst's dashboard and pilot report on the national site; the same
dashboard for a municipality's administrator and finance officer on its own site, pinned to it.

Every figure comes from ``portal.statistics.selectors`` (the public cube, suppressed); nothing here reads a
municipality's schema."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from portal.marketplace.catalogue.models import ServiceType
from portal.platform.core.choices import TargetGroup
from portal.platform.core.replica import lag_tolerant_view
from portal.statistics import selectors
from portal.statistics.exports import table_csv, table_xlsx
from portal.tenants.access import current_municipality, is_member_here, national_roles
from portal.tenants.models import PlanningRegion
from portal.tenants.roles import Role

from ..decorators import _guarded

logger = logging.getLogger("portal.statistics")

FORMATS = {"csv": ("text/csv; charset=utf-8", table_csv), "xlsx": (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", table_xlsx)}


def _may_see(request) -> bool:
    """National site: the ministry analyst. A municipality's site: its administrator or finance officer."""
    if current_municipality() is None:
        return Role.MINISTRY_ANALYST in national_roles(request.user)
    return is_member_here(request.user, Role.MUNICIPALITY_ADMIN, Role.FINANCE_OFFICER)


def _analyst(request) -> bool:
    if current_municipality() is not None:
        raise Http404
    return Role.MINISTRY_ANALYST in national_roles(request.user)


def _filters(request) -> selectors.Filters:
    return selectors.Filters.from_query(request.GET, municipality=current_municipality())


def _dashboard_body(filters: selectors.Filters, municipality, page: int) -> str:
    """The filter form and every table and chart, rendered."""
    names = selectors.municipality_names()
    query = filters.as_query()
    return render_to_string("statistics/_dashboard_body.html", {
        "filters": filters, "query": query, "query_string": urlencode(query), "own": municipality,
        "tables": selectors.dashboard_tables(filters, page=page, names=names),
        "regions": PlanningRegion.choices, "municipalities": sorted(names.items(), key=lambda kv: kv[1]),
        "groups": TargetGroup.choices, "service_types": ServiceType.objects.values_list("code", "name_lv",
                                                                                         "name_en"),
        "periods": selectors.available_periods()})


def _body_key(token: str, filters: selectors.Filters, municipality, page: int) -> str:
    """One entry per publication, viewer's scope (the ministry's national dashboard or one municipality's own),
    language and normalised filters (unknown values already dropped) and page."""
    scope = "national" if municipality is None else f"municipality:{municipality.code}"
    query = urlencode(sorted(filters.as_query().items()))
    return f"statistics:dashboard:{token}:{scope}:{get_language()}:{query}:{page}"


def _dashboard(request):
    filters = _filters(request)
    municipality = current_municipality()
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    # The cube changes only at publication: the body is cached under the publication's token (read from the
    # same database as the cube, so a new token is only seen with the new cube). No cache: rendered each time.
    token = selectors.publication_token()
    key = None if token is None else _body_key(token, filters, municipality, page)
    body = _cache_get(key)
    if body is None:
        body = _dashboard_body(filters, municipality, page)
        _cache_set(key, body)
    return render(request, "statistics/dashboard.html", {
        "own": municipality, "body": mark_safe(body),  # noqa: S308 — our own template's output
        "refreshed": selectors.last_refreshed()})


def _cache_get(key):
    if key is None:
        return None
    try:
        return cache.get(key)
    except Exception:  # the cache is an optimisation: a page is rendered without it
        logger.warning("statistics: dashboard cache unavailable", exc_info=True)
        return None


def _cache_set(key, body: str) -> None:
    if key is None:
        return
    try:
        cache.set(key, body, getattr(settings, "STATISTICS_PAGE_CACHE_SECONDS", 3600))
    except Exception:
        logger.warning("statistics: dashboard cache unavailable", exc_info=True)


def _export(tables, table: str, fmt: str, filename: str):
    if fmt not in FORMATS:
        raise Http404
    found = next((t for t in tables if t.name == table), None)
    if found is None:
        raise Http404
    content_type, render_table = FORMATS[fmt]
    response = HttpResponse(render_table(found), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}-{table}.{fmt}"'
    return response


def _export_view(request, table: str, fmt: str):
    return _export(selectors.dashboard_tables(_filters(request)), table, fmt, "statistika")


def _pilot(request):
    return render(request, "statistics/pilot.html", {"tables": selectors.pilot_tables(),
                                                     "refreshed": selectors.last_refreshed(),
                                                     "title": _("Pilot report")})


def _pilot_export(request, table: str, fmt: str):
    return _export(selectors.pilot_tables(), table, fmt, "pilots")


# The statistics and their exports are published tables: the replica may answer.
dashboard = _guarded(lag_tolerant_view(_dashboard), _may_see)
export = _guarded(lag_tolerant_view(_export_view), _may_see)
pilot = _guarded(lag_tolerant_view(_pilot), _analyst)
pilot_export = _guarded(lag_tolerant_view(_pilot_export), _analyst)
