"""The open-data API of the ministry's statistics: suppressed aggregates only, no authentication, CORS open.

Field names are stable; each dataset's fields and units are listed at the root. A hidden figure is the
string "<5" (about fewer than five persons) or "x" (hidden so that one cannot be worked out)."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from portal.platform.core.replica import lag_tolerant_view
from portal.statistics import selectors
from portal.statistics.models import Level, StatCell

PAGE_SIZE = 200
RANKED_PAGE_SIZE = 100  # municipalities a page of the ranked dataset (the CSV/XLSX exports hold every row)
FILTERS = [OpenApiParameter(name, str, description=text) for name, text in (
    ("region", "Planning region: kurzeme, zemgale, vidzeme, latgale, riga"),
    ("municipality", "Municipality code, e.g. jelgava"),
    ("target_group", "children or adults (both when absent)"),
    ("service_type", "Service type code (all when absent)"),
    ("period", "YYYY or YYYY-MM (all time when absent)"))]

CELL_FIELDS = [
    ("persons", "persons", "Distinct persons with anything recorded in the cell"),
    ("persons_assessed", "persons", "Persons whose latest assessment falls in the period"),
    ("persons_with_plan", "persons", "Persons whose first support plan was approved in the period"),
    ("persons_with_budget", "persons", "Persons whose first individual budget was granted in the period"),
    ("persons_nothing_booked", "plans", "Approved plans with no agreement eight weeks into the plan"),
    ("goals_achieved", "goals", "Goals reviewed as achieved"),
    ("goals_partly", "goals", "Goals reviewed as partly achieved"),
    ("goals_not", "goals", "Goals reviewed as not achieved"),
    ("agreements_pending", "agreements", "Agreements created in the period, still being agreed"),
    ("agreements_active", "agreements", "Agreements created in the period, now active"),
    ("agreements_ended", "agreements", "Agreements created in the period, completed or expired"),
    ("agreements_stopped", "agreements", "Agreements created in the period, declined or cancelled"),
    ("granted", "EUR", "Granted to budgets (decimal string, cents)"),
    ("reserved", "EUR", "Reserved by agreements, net of releases and payments"),
    ("spent", "EUR", "Paid from budgets"),
    ("returned", "EUR", "Returned unused at period end"),
    ("spent_esf", "EUR", "Spent, European Social Fund share"),
    ("spent_state", "EUR", "Spent, state budget share"),
    ("spent_municipal", "EUR", "Spent, municipal budget share"),
    ("utilisation_percent", "%", "Spent of granted"),
    ("person_years", "years", "Budget periods granted, in person-years"),
    ("cost_per_person_year", "EUR", "Spent per person-year of budgets"),
    ("median_days_to_approve", "days", "Median days from invoice submitted to approved"),
    ("median_days_to_pay", "days", "Median days from invoice approved to paid (empty until payments)"),
    ("providers_active", "providers", "Providers with an active agreement"),
    ("providers_approved", "providers", "Providers approved by the municipality (all time only)"),
]
KEY_FIELDS = [("level", "", "municipality, region or national"), ("geo", "", "Municipality or region code, or lv"),
              ("region", "", "Planning region code"), ("target_group", "", "children, adults or empty for both"),
              ("service_type", "", "Service type code or empty for all"),
              ("period", "", "YYYY, YYYY-MM or empty for all time")]


def _plain(value):
    return str(value) if isinstance(value, Decimal) else value


def cell_data(cell: StatCell) -> dict:
    figures = selectors.figures(cell)
    return {"level": cell.level, "geo": cell.geo, "region": cell.region, "target_group": cell.target_group,
            "service_type": cell.service_type, "period": cell.period,
            **{name: _plain(figures[name]) for name, _u, _d in CELL_FIELDS}}


def table_data(table: selectors.Table) -> dict:
    keys = [c.key for c in table.columns]
    return {"name": table.name, "title": table.title, "summary": table.summary,
            "units": {c.key: c.unit for c in table.columns if c.unit},
            "rows": [{k: _plain(v) for k, v in zip(keys, row)} for row in table.rows]}


def _page(request) -> int | None:
    try:
        return max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        return None


def _bad_page() -> Response:
    return Response({"code": "statistics.invalid_filter", "detail": "Page must be a number.", "field": "page"},
                    status=400)


def _next_url(request, page: int) -> str:
    query = request.query_params.copy()
    query["page"] = page + 1
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


@lag_tolerant_view  # open data, minutes old anyway: the replica may answer
class OpenData(APIView):
    """No authentication (no session, no CSRF), anyone may read; ``Access-Control-Allow-Origin: *`` on these
    responses only."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        return response

    def filters(self, request) -> selectors.Filters:
        return selectors.Filters.from_query(request.query_params, strict=True)


_field = inline_serializer("StatsField", {"name": serializers.CharField(), "unit": serializers.CharField(),
                                          "description": serializers.CharField()})
_dataset = inline_serializer("StatsDataset", {"name": serializers.CharField(), "url": serializers.URLField(),
                                              "description": serializers.CharField(),
                                              "fields": _field.__class__(many=True)})

_TABLE_FIELDS = {"name": serializers.CharField(), "title": serializers.CharField(),
                 "summary": serializers.CharField(), "units": serializers.DictField(),
                 "rows": serializers.ListField(child=serializers.DictField())}
_table = inline_serializer("StatsTable", _TABLE_FIELDS)


class StatsRootView(OpenData):
    """The datasets of the open-data statistics, with their URLs, fields and units."""

    @extend_schema(operation_id="stats_root", responses=inline_serializer("StatsRoot", {
        "datasets": _dataset.__class__(many=True), "hidden_values": serializers.DictField()}))
    def get(self, request):
        fields = [{"name": n, "unit": u, "description": d} for n, u, d in KEY_FIELDS + CELL_FIELDS]
        return Response({
            "datasets": [
                {"name": "cells", "url": reverse("api:stats-cells", request=request),
                 "description": "Every figure by place, target group, service type and period "
                                "(filters: level, region, municipality, target_group, service_type, period; "
                                f"{PAGE_SIZE} a page, ?page=)", "fields": fields},
                {"name": "municipalities", "url": reverse("api:stats-municipalities", request=request),
                 "description": "Municipalities ranked by utilisation (filters: region, target_group, "
                                f"service_type, period; {RANKED_PAGE_SIZE} a page, ?page=, the next page's URL "
                                "in next)", "fields": []},
                {"name": "pilot", "url": reverse("api:stats-pilot", request=request),
                 "description": "Participants against the pilot targets, cost per person-year against the "
                                "pilots, goals at review", "fields": []},
            ],
            "hidden_values": {"<5": "a figure about fewer than five persons",
                              "x": "hidden so that a figure about fewer than five persons cannot be worked out"},
        })


class StatsCellsView(OpenData):
    """Figures of the statistics cube. Without ``level``: the level the filters name (Latvia by default)."""

    @extend_schema(operation_id="stats_cells", parameters=[
        *FILTERS, OpenApiParameter("level", str, description="municipality, region or national; with "
                                   "municipality or region and no place filter: every one of them"),
        OpenApiParameter("page", int)],
        responses=inline_serializer("StatsCells", {"count": serializers.IntegerField(),
                                                   "next": serializers.URLField(allow_null=True),
                                                   "results": serializers.ListField(
                                                       child=serializers.DictField())}))
    def get(self, request):
        filters = self.filters(request)
        level = request.query_params.get("level", "")
        if level and level not in Level.values:
            return Response({"code": "statistics.invalid_filter", "detail": "Unknown level.", "field": "level"},
                            status=400)
        cells = StatCell.objects.filter(target_group=filters.target_group, service_type=filters.service_type,
                                        period=filters.period)
        place_level, geo = filters.place()
        if level and level != place_level and level != Level.NATIONAL and place_level == Level.NATIONAL:
            cells = cells.filter(level=level)
        elif level == Level.MUNICIPALITY and place_level == Level.REGION:
            cells = cells.filter(level=level, region=filters.region)
        else:
            cells = cells.filter(level=place_level, geo=geo)
        page = _page(request)
        if page is None:
            return _bad_page()
        count = cells.count()
        rows = list(cells.order_by("level", "geo")[(page - 1) * PAGE_SIZE: page * PAGE_SIZE])
        next_url = _next_url(request, page) if page * PAGE_SIZE < count else None
        return Response({"count": count, "next": next_url, "results": [cell_data(c) for c in rows]})


class StatsMunicipalitiesView(OpenData):
    """Municipalities ranked by utilisation (spent of granted); hidden figures last. ``RANKED_PAGE_SIZE`` rows a
    page: ``count`` is every municipality, ``next`` the next page's URL (null on the last)."""

    @extend_schema(operation_id="stats_municipalities", parameters=[*FILTERS, OpenApiParameter("page", int)],
                   responses=inline_serializer("StatsRanked", {
                       **_TABLE_FIELDS, "count": serializers.IntegerField(),
                       "next": serializers.URLField(allow_null=True)}))
    def get(self, request):
        filters = self.filters(request)
        page = _page(request)
        if page is None:
            return _bad_page()
        table = selectors.municipalities_table(filters, selectors.municipality_names(), page=page,
                                               page_size=RANKED_PAGE_SIZE)
        return Response({**table_data(table), "count": table.total_rows,
                         "next": _next_url(request, page) if page * RANKED_PAGE_SIZE < table.total_rows else None})


class StatsPilotView(OpenData):
    """The pilot report: participants per region against the targets, cost per child-year and adult-year
    against the pilots, goals at review."""

    @extend_schema(operation_id="stats_pilot",
                   responses=inline_serializer("StatsPilot", {"tables": _table.__class__(many=True)}))
    def get(self, request):
        return Response({"tables": [table_data(t) for t in selectors.pilot_tables()]})
