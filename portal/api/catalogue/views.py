"""Catalogue API: detail of services and providers (both sites), provider self-management (national
site), price caps (municipality site). Thin: checkpoints, selectors and services do the work."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from portal.api.permissions import IsMemberHere
from portal.marketplace.approvals import access as approval_access
from portal.marketplace.approvals import selectors as approval_selectors
from portal.marketplace.approvals import services as approval_services
from portal.marketplace.catalogue import access, selectors, services
from portal.marketplace.catalogue.models import ServiceType
from portal.platform.core.money import ZERO
from portal.platform.core.replica import lag_tolerant_view
from portal.tenants.access import current_municipality
from portal.tenants.roles import Role

from .serializers import (
    ChangeOut,
    OwnProviderOut,
    PriceAgainstCapOut,
    PriceCapIn,
    PriceCapOut,
    ProviderIn,
    ProviderOut,
    ServiceDetailOut,
    ServiceIn,
    ServiceOut,
    ServiceTypeOut,
)


@lag_tolerant_view
class ServiceTypeListView(GenericAPIView):
    """The taxonomy of community-based services."""

    permission_classes = [AllowAny]
    serializer_class = ServiceTypeOut
    pagination_class = None
    queryset = ServiceType.objects.all()

    @extend_schema(operation_id="catalogue_service_types_list", responses=ServiceTypeOut(many=True))
    def get(self, request):
        return Response(ServiceTypeOut(self.get_queryset(), many=True).data)


def _price_against_cap(service) -> dict | None:
    municipality = current_municipality()
    if municipality is None:
        return None
    cap = approval_selectors.price_cap_for(service)
    return PriceAgainstCapOut({
        "municipality": municipality.code, "cap": cap.amount if cap else None,
        "over_cap_rule": cap.over_cap_rule if cap else None,
        "over_cap_amount": approval_selectors.over_cap_amount(service, cap) if cap else ZERO}).data


@lag_tolerant_view
class ServiceDetailView(GenericAPIView):
    """One service. On a municipality's host only services approved there, with the price against its cap."""

    permission_classes = [AllowAny]
    serializer_class = ServiceDetailOut

    @extend_schema(operation_id="catalogue_services_retrieve")
    def get(self, request, service_id: int):
        service = approval_access.service_for_visitor(request.user, service_id)
        return Response(ServiceDetailOut(service, context={"price_against_cap": _price_against_cap(service)}).data)


@lag_tolerant_view
class ProviderDetailView(GenericAPIView):
    """One provider's public profile."""

    permission_classes = [AllowAny]
    serializer_class = ProviderOut

    @extend_schema(operation_id="catalogue_providers_retrieve")
    def get(self, request, slug: str):
        provider = approval_access.provider_for_visitor(request.user, slug)
        return Response(ProviderOut(provider).data)


class ProviderStaffOnly(IsMemberHere):
    def has_permission(self, request, view):
        view.required_roles = (Role.PROVIDER_STAFF,)
        return super().has_permission(request, view)


class MyProviderListView(GenericAPIView):
    """The providers I work for; POST registers a new provider (it waits for verification)."""

    permission_classes = [ProviderStaffOnly]
    serializer_class = OwnProviderOut

    def get_permissions(self):
        # Anyone signed in may register a provider; listing needs the provider role.
        if self.request.method == "POST":
            return [IsAuthenticated()]
        return super().get_permissions()

    @extend_schema(operation_id="catalogue_my_providers_list", responses=OwnProviderOut(many=True))
    def get(self, request):
        page = self.paginate_queryset(selectors.providers_for_user(request.user).prefetch_related("locations")
                                      .order_by("name"))
        return self.get_paginated_response(OwnProviderOut(page, many=True).data)

    @extend_schema(request=ProviderIn, responses={201: OwnProviderOut}, operation_id="catalogue_my_providers_create")
    def post(self, request):
        if current_municipality() is not None:
            raise Http404
        data = ProviderIn(data=request.data)
        data.is_valid(raise_exception=True)
        provider = services.provider_sign_up(actor=request.user, profile=data.validated_data, request=request)
        return Response(OwnProviderOut(provider).data, status=status.HTTP_201_CREATED)


class MyProviderDetailView(GenericAPIView):
    permission_classes = [ProviderStaffOnly]
    serializer_class = OwnProviderOut

    @extend_schema(operation_id="catalogue_my_provider_retrieve")
    def get(self, request, slug: str):
        return Response(OwnProviderOut(access.provider_for_staff(request.user, slug)).data)

    @extend_schema(request=ProviderIn, operation_id="catalogue_my_provider_update")
    def patch(self, request, slug: str):
        provider = access.provider_for_staff(request.user, slug)
        data = ProviderIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        provider = services.provider_update(provider=provider, actor=request.user, request=request,
                                            **data.validated_data)
        return Response(OwnProviderOut(provider).data)


class MyServiceListView(GenericAPIView):
    permission_classes = [ProviderStaffOnly]
    serializer_class = ServiceOut

    @extend_schema(operation_id="catalogue_my_services_list", responses=ServiceOut(many=True))
    def get(self, request, slug: str):
        provider = access.provider_for_staff(request.user, slug)
        queryset = selectors.provider_services(provider).select_related("provider").prefetch_related("locations")
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(ServiceOut(page, many=True).data)

    @extend_schema(request=ServiceIn, responses={201: ServiceOut}, operation_id="catalogue_my_services_create")
    def post(self, request, slug: str):
        provider = access.provider_for_staff(request.user, slug)
        data = ServiceIn(data=request.data)
        data.is_valid(raise_exception=True)
        service = services.service_create(provider=provider, actor=request.user, **data.validated_data)
        return Response(ServiceOut(service).data, status=status.HTTP_201_CREATED)


class MyServiceDetailView(GenericAPIView):
    """One of my services: change price, free places, waiting time or anything else."""

    permission_classes = [ProviderStaffOnly]
    serializer_class = ServiceOut

    @extend_schema(operation_id="catalogue_my_service_retrieve")
    def get(self, request, service_id: int):
        return Response(ServiceOut(access.service_for_staff(request.user, service_id)).data)

    @extend_schema(request=ServiceIn, operation_id="catalogue_my_service_update")
    def patch(self, request, service_id: int):
        service = access.service_for_staff(request.user, service_id)
        data = ServiceIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        locations = fields.pop("locations", None)
        service = services.service_update(service=service, actor=request.user, locations=locations,
                                          request=request, **fields)
        return Response(ServiceOut(service).data)


class MyProviderHistoryView(GenericAPIView):
    """Every change to the profile and services: who, when, old → new."""

    permission_classes = [ProviderStaffOnly]
    serializer_class = ChangeOut

    @extend_schema(operation_id="catalogue_my_provider_history", responses=ChangeOut(many=True))
    def get(self, request, slug: str):
        provider = access.provider_for_staff(request.user, slug)
        page = self.paginate_queryset(provider.changes.all())
        return self.get_paginated_response(ChangeOut(page, many=True).data)


class PriceCapListView(GenericAPIView):
    """This municipality's price caps (public); its administrator sets them with POST."""

    serializer_class = PriceCapOut
    pagination_class = None

    def get_permissions(self):
        if self.request.method == "POST":
            return [_MunicipalityAdminOnly()]
        return [AllowAny()]

    @extend_schema(operation_id="catalogue_price_caps_list", responses=PriceCapOut(many=True))
    def get(self, request):
        return Response(PriceCapOut(approval_selectors.price_caps(), many=True).data)

    @extend_schema(request=PriceCapIn, responses={200: PriceCapOut}, operation_id="catalogue_price_caps_set")
    def post(self, request):
        data = PriceCapIn(data=request.data)
        data.is_valid(raise_exception=True)
        cap = approval_services.price_cap_set(actor=request.user, request=request, **data.validated_data)
        return Response(PriceCapOut(cap).data)


class _MunicipalityAdminOnly(IsMemberHere):
    def has_permission(self, request, view):
        view.required_roles = (Role.MUNICIPALITY_ADMIN,)
        return super().has_permission(request, view)
