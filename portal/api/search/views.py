"""REST search API: the same search as the page, as JSON (public; the scope is the host's)."""

from __future__ import annotations

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
        return Response(SearchResultSerializer(result).data)

