"""Roles on this host: list, grant, revoke (municipality or platform administrators)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from portal.tenants.access import current_municipality
from portal.tenants.models import Membership
from portal.tenants.roles import Role
from portal.tenants.services import membership_confirm, membership_grant, membership_revoke

from .permissions import IsMemberHere


class MembershipOut(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email")
    full_name = serializers.CharField(source="user.full_name")

    class Meta:
        model = Membership
        fields = ["id", "email", "full_name", "role", "created_at", "pending"]


class MembershipIn(serializers.Serializer):
    email = serializers.EmailField()
    full_name = serializers.CharField(required=False, allow_blank=True, default="")
    role = serializers.ChoiceField(choices=Role.choices)


class AdminsOnly(IsMemberHere):
    def has_permission(self, request, view):
        view.required_roles = (Role.PLATFORM_ADMIN,) if current_municipality() is None \
            else (Role.MUNICIPALITY_ADMIN,)
        return super().has_permission(request, view)


class MembershipListView(GenericAPIView):
    permission_classes = [AdminsOnly]
    throttle_scope = "accounts"
    serializer_class = MembershipOut

    def get_queryset(self):
        return (Membership.objects.filter(municipality=current_municipality()).select_related("user")
                .order_by("user__full_name", "role"))

    @extend_schema(responses=MembershipOut(many=True), operation_id="memberships_list")
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(MembershipOut(page, many=True).data)

    @extend_schema(request=MembershipIn, responses={201: MembershipOut}, operation_id="memberships_create")
    def post(self, request):
        data = MembershipIn(data=request.data)
        data.is_valid(raise_exception=True)
        membership, _created = membership_grant(actor=request.user, municipality=current_municipality(),
                                                request=request, **data.validated_data)
        return Response(MembershipOut(membership).data, status=status.HTTP_201_CREATED)


class MembershipDetailView(GenericAPIView):
    permission_classes = [AdminsOnly]
    throttle_scope = "accounts"
    serializer_class = MembershipOut
    queryset = Membership.objects.none()

    @extend_schema(responses={204: None}, operation_id="memberships_destroy")
    def delete(self, request, membership_id: int):
        membership_revoke(actor=request.user, membership_id=membership_id, municipality=current_municipality(),
                          request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MembershipConfirmView(GenericAPIView):
    """A second administrator confirms a pending money-role grant (four eyes)."""

    permission_classes = [AdminsOnly]
    serializer_class = MembershipOut
    queryset = Membership.objects.none()

    @extend_schema(request=None, responses={200: MembershipOut}, operation_id="memberships_confirm")
    def post(self, request, membership_id: int):
        membership = membership_confirm(actor=request.user, membership_id=membership_id,
                                        municipality=current_municipality(), request=request)
        return Response(MembershipOut(membership).data)
