"""Open Referral HSDS 3.0 read API under /api/hsds/ — public, callable from any website (CORS *)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.platform.core.replica import lag_tolerant_view
from portal.marketplace.search import hsds, hsds_reads

TAG = ["HSDS 3.0"]
PAGE_PARAMETERS = [
    OpenApiParameter("page", int, description="Page number, from 1"),
    OpenApiParameter("per_page", int, description="Items per page, 1–200 (default 50)"),
]
FILTER_PARAMETERS = [
    OpenApiParameter("search", str, description="Free text"),
    OpenApiParameter("taxonomy_term_id", str, description="Only services with this taxonomy term (service type)"),
    OpenApiParameter("modified_after", OpenApiTypes.DATETIME, description="Only records changed after this time"),
]


# The HSDS 3.0 API's paginated wrapper (portal.marketplace.search.hsds.page); the records in ``contents`` follow
# the HSDS 3.0 schema of their kind (https://docs.openreferral.org/en/latest/hsds/schema_reference.html).
HSDS_PAGE = inline_serializer("HsdsPage", {
    "total_items": serializers.IntegerField(), "total_pages": serializers.IntegerField(),
    "page_number": serializers.IntegerField(), "size": serializers.IntegerField(),
    "first_page": serializers.BooleanField(), "last_page": serializers.BooleanField(),
    "empty": serializers.BooleanField(), "contents": serializers.ListField(child=serializers.DictField())})
HSDS_ROOT = inline_serializer("HsdsRoot", {"version": serializers.CharField(), "profile": serializers.URLField(),
                                           "openapi_url": serializers.URLField()})


class HsdsParams(serializers.Serializer):
    page = serializers.IntegerField(required=False, min_value=1, max_value=100000, default=1)
    per_page = serializers.IntegerField(required=False, min_value=1, max_value=200, default=50)
    search = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    taxonomy_term_id = serializers.CharField(required=False, allow_blank=True, max_length=64, default="")
    taxonomy_id = serializers.CharField(required=False, allow_blank=True, max_length=64, default="")
    modified_after = serializers.DateTimeField(required=False, default=None)


@lag_tolerant_view  # public catalogue reads: the replica may answer
class HsdsView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    def params(self, request) -> dict:
        serializer = HsdsParams(data=request.query_params)
        if not serializer.is_valid():
            raise ValidationError(serializer.errors)
        return serializer.validated_data

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Accept, Content-Type"
        return response

    @staticmethod
    def found(data):
        if data is None:
            raise NotFound()
        return Response(data)


class HsdsRootView(HsdsView):
    @extend_schema(operation_id="hsds_root", tags=TAG, responses=HSDS_ROOT)
    def get(self, request):
        return Response({"version": hsds.HSDS_VERSION, "profile": "https://openreferral.org/",
                         "openapi_url": request.build_absolute_uri("/api/schema/")})


class HsdsServiceListView(HsdsView):
    @extend_schema(operation_id="hsds_services", tags=TAG, parameters=FILTER_PARAMETERS + PAGE_PARAMETERS,
                   responses=HSDS_PAGE, description="Paginated HSDS 3.0 services")
    def get(self, request):
        p = self.params(request)
        return Response(hsds_reads.service_page(text=p["search"], taxonomy_term_id=p["taxonomy_term_id"],
                                                modified_after=p["modified_after"], page=p["page"],
                                                per_page=p["per_page"]))


class HsdsServiceDetailView(HsdsView):
    @extend_schema(operation_id="hsds_service", tags=TAG, responses={200: OpenApiTypes.OBJECT})
    def get(self, request, hsds_id: str):
        return self.found(hsds_reads.service_detail(hsds_id))


class HsdsOrganizationListView(HsdsView):
    @extend_schema(operation_id="hsds_organizations", tags=TAG,
                   parameters=[FILTER_PARAMETERS[0], FILTER_PARAMETERS[2]] + PAGE_PARAMETERS,
                   responses=HSDS_PAGE)
    def get(self, request):
        p = self.params(request)
        return Response(hsds_reads.organization_page(text=p["search"], modified_after=p["modified_after"],
                                                     page=p["page"], per_page=p["per_page"]))


class HsdsOrganizationDetailView(HsdsView):
    @extend_schema(operation_id="hsds_organization", tags=TAG, responses={200: OpenApiTypes.OBJECT})
    def get(self, request, hsds_id: str):
        return self.found(hsds_reads.organization_detail(hsds_id))


class HsdsServiceAtLocationListView(HsdsView):
    @extend_schema(operation_id="hsds_service_at_locations", tags=TAG,
                   parameters=FILTER_PARAMETERS + PAGE_PARAMETERS, responses=HSDS_PAGE)
    def get(self, request):
        p = self.params(request)
        return Response(hsds_reads.service_at_location_page(
            text=p["search"], taxonomy_term_id=p["taxonomy_term_id"], modified_after=p["modified_after"],
            page=p["page"], per_page=p["per_page"]))


class HsdsServiceAtLocationDetailView(HsdsView):
    @extend_schema(operation_id="hsds_service_at_location", tags=TAG, responses={200: OpenApiTypes.OBJECT})
    def get(self, request, hsds_id: str):
        return self.found(hsds_reads.service_at_location_detail(hsds_id))


class HsdsTaxonomyListView(HsdsView):
    @extend_schema(operation_id="hsds_taxonomies", tags=TAG, parameters=PAGE_PARAMETERS,
                   responses=HSDS_PAGE)
    def get(self, request):
        p = self.params(request)
        return Response(hsds_reads.taxonomy_page(page=p["page"], per_page=p["per_page"]))


class HsdsTaxonomyDetailView(HsdsView):
    @extend_schema(operation_id="hsds_taxonomy", tags=TAG, responses={200: OpenApiTypes.OBJECT})
    def get(self, request, hsds_id: str):
        return self.found(hsds_reads.taxonomy_detail(hsds_id))


class HsdsTaxonomyTermListView(HsdsView):
    @extend_schema(operation_id="hsds_taxonomy_terms", tags=TAG,
                   parameters=[FILTER_PARAMETERS[0], OpenApiParameter("taxonomy_id", str)] + PAGE_PARAMETERS,
                   responses=HSDS_PAGE)
    def get(self, request):
        p = self.params(request)
        return Response(hsds_reads.taxonomy_term_page(text=p["search"], taxonomy_id=p["taxonomy_id"],
                                                      page=p["page"], per_page=p["per_page"]))


class HsdsTaxonomyTermDetailView(HsdsView):
    @extend_schema(operation_id="hsds_taxonomy_term", tags=TAG, responses={200: OpenApiTypes.OBJECT})
    def get(self, request, hsds_id: str):
        return self.found(hsds_reads.taxonomy_term_detail(hsds_id))
