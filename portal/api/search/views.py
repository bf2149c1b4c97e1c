"""REST search API: the same search as the page, as JSON (public; the scope is the host's)."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.marketplace.search.params import SearchParams
from portal.marketplace.search.selectors import catalogue_search, person_for_search, search_scope
from portal.tenants.access import current_municipality


class HitSerializer(serializers.Serializer):
    service_id = serializers.IntegerField()
    title_lv = serializers.CharField()
    title_en = serializers.CharField()
    summary_lv = serializers.CharField()
    summary_en = serializers.CharField()
    provider_name = serializers.CharField()
    provider_slug = serializers.CharField()
    service_type_code = serializers.CharField()
    target_groups = serializers.ListField(child=serializers.CharField())
    delivery_modes = serializers.ListField(child=serializers.CharField())
    languages = serializers.ListField(child=serializers.CharField())
    accessibility = serializers.ListField(child=serializers.CharField())
    min_age = serializers.IntegerField(allow_null=True)
    max_age = serializers.IntegerField(allow_null=True)
    unit = serializers.CharField()
    unit_price = serializers.DecimalField(max_digits=10, decimal_places=2)
    cap = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True,
                                   help_text="The municipality's price cap per unit (null: none, or national site)")
    over_cap = serializers.DecimalField(max_digits=10, decimal_places=2)
    free_places = serializers.IntegerField(allow_null=True)
    waiting_weeks = serializers.IntegerField(allow_null=True)
    place = serializers.CharField()
    distance_km = serializers.FloatField(allow_null=True)


class SearchResultSerializer(serializers.Serializer):
    count = serializers.IntegerField(source="total")
    page = serializers.IntegerField()
    per_page = serializers.IntegerField()
    pages = serializers.IntegerField()
    backend = serializers.CharField()
    relaxed = serializers.BooleanField(help_text="No service matched every word; services matching any are shown")
    facets = serializers.DictField(child=serializers.DictField(child=serializers.IntegerField()))
    results = HitSerializer(many=True, source="hits")


_CENT = Decimal("0.01")


def _money(value) -> str | None:
    """What DRF's DecimalField(decimal_places=2) renders: a string with two places, half-even."""
    if value is None:
        return None
    if not isinstance(value, Decimal):
        value = Decimal(str(value).strip())
    return format(value.quantize(_CENT, rounding=ROUND_HALF_EVEN), "f")


def _int(value) -> int | None:
    return None if value is None else int(value)


def result_data(result) -> dict:
    """``SearchResultSerializer(result).data``, built directly: the same JSON for a fraction of the CPU.

    The serializers above stay the schema (drf-spectacular) and the reference; a test asserts both agree.
    """
    return {
        "count": int(result.total), "page": int(result.page), "per_page": int(result.per_page),
        "pages": int(result.pages), "backend": str(result.backend), "relaxed": bool(result.relaxed),
        "facets": {str(facet): {str(k): int(v) for k, v in counts.items()}
                   for facet, counts in result.facets.items()},
        "results": [{
            "service_id": int(h.service_id), "title_lv": str(h.title_lv), "title_en": str(h.title_en),
            "summary_lv": str(h.summary_lv), "summary_en": str(h.summary_en),
            "provider_name": str(h.provider_name), "provider_slug": str(h.provider_slug),
            "service_type_code": str(h.service_type_code),
            "target_groups": [str(x) for x in h.target_groups], "delivery_modes": [str(x) for x in h.delivery_modes],
            "languages": [str(x) for x in h.languages], "accessibility": [str(x) for x in h.accessibility],
            "min_age": _int(h.min_age), "max_age": _int(h.max_age), "unit": str(h.unit),
            "unit_price": _money(h.unit_price), "cap": _money(h.cap), "over_cap": _money(h.over_cap),
            "free_places": _int(h.free_places), "waiting_weeks": _int(h.waiting_weeks), "place": str(h.place),
            "distance_km": None if h.distance_km is None else float(h.distance_km),
        } for h in result.hits],
    }


_MULTI = "Repeat the parameter for several values"
_PARAMETERS = [
    OpenApiParameter("q", str, description="Words to search for (accents, inflections and typos tolerated)"),
    OpenApiParameter("type", str, many=True, description=f"Service type code. {_MULTI}"),
    OpenApiParameter("group", str, many=True, enum=["children", "adults"], description="Target group"),
    OpenApiParameter("age", int, description="Age of the person"),
    OpenApiParameter("municipality", str, many=True, description="Municipality served (code)"),
    OpenApiParameter("language", str, many=True, enum=["lv", "ru", "en", "uk", "sgn"]),
    OpenApiParameter("mode", str, many=True, enum=["home", "provider", "online"], description="Delivery mode"),
    OpenApiParameter("access", str, many=True, description="Accessibility feature (all must be present)"),
    OpenApiParameter("free", bool, description="Only with free places now"),
    OpenApiParameter("cap", bool, description="Only within the municipality's price cap (municipality hosts)"),
    OpenApiParameter("budget", bool, description="Only what fits the signed-in person's remaining budget"),
    OpenApiParameter("sort", str, enum=["relevance", "distance", "price"]),
    OpenApiParameter("near", str, description="Municipality code distances are measured from"),
    OpenApiParameter("page", int), OpenApiParameter("per_page", int, description="1–100, default 20"),
]


class SearchServicesView(APIView):
    """Search the service catalogue of this host: a municipality's approved services, or all listed ones."""

    permission_classes = [AllowAny]

    @extend_schema(operation_id="search_services", tags=["search"], parameters=_PARAMETERS,
                   responses={200: SearchResultSerializer})
    def get(self, request):
        params = SearchParams(request.query_params)
        if not params.is_valid():
            field, errors = next(iter(params.errors.items()))
            raise ValidationError({field: errors})
        query = params.to_query()
        person = person_for_search(request.user) if current_municipality() else None
        scope = search_scope(request.user, near=params.cleaned_data.get("near") or None, person=person,
                             want_budget=query.fits_budget)
        result = catalogue_search(query, scope)
        return Response(result_data(result))

