from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.tenants.access import current_municipality, roles_for
from portal.tenants.models import Municipality

from .serializers import MeSerializer, MunicipalitySerializer


class MeView(APIView):
    """Who am I, and which roles do I hold on this host?"""

    permission_classes = [IsAuthenticated]
    throttle_scope = "accounts"

    @extend_schema(responses=MeSerializer, operation_id="me_retrieve")
    def get(self, request):
        municipality = current_municipality()
        roles = sorted(roles_for(request.user, municipality))
        data = {"email": request.user.email, "full_name": request.user.full_name,
                "preferred_language": request.user.preferred_language,
                "municipality": municipality.code if municipality else None, "roles": roles}
        return Response(MeSerializer(data).data)


class MunicipalityListView(generics.ListAPIView):
    """The municipalities on the portal (public information)."""

    permission_classes = [AllowAny]
    serializer_class = MunicipalitySerializer

    def get_queryset(self):
        return (Municipality.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME)
                .prefetch_related("domains").order_by("name"))
