"""The statistics pages: the ministry analyst's dashboard and pilot report on the national site; the same
dashboard for a municipality's administrator and finance officer on its own site, pinned to it.

Every figure comes from ``portal.statistics.selectors`` (the public cube, suppressed); nothing here reads a
municipality's schema."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
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


def _dashboard(request):
    filters = _filters(request)
    municipality = current_municipality()
    names = selectors.municipality_names()
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    tables = selectors.dashboard_tables(filters, page=page, names=names)
    return render(request, "statistics/dashboard.html", {
        "filters": filters, "query": filters.as_query(), "tables": tables, "own": municipality,
        "regions": PlanningRegion.choices, "municipalities": sorted(names.items(), key=lambda kv: kv[1]),
        "groups": TargetGroup.choices, "service_types": ServiceType.objects.values_list("code", "name_lv",
                                                                                         "name_en"),
        "periods": selectors.available_periods(), "refreshed": selectors.last_refreshed()})


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
