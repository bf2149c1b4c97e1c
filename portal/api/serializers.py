from rest_framework import serializers

from portal.tenants.models import Municipality
from portal.tenants.roles import Role


class MunicipalitySerializer(serializers.ModelSerializer):
    host = serializers.SerializerMethodField()

    class Meta:
        model = Municipality
        fields = ["code", "name", "region", "social_service_name", "email", "phone", "address", "website", "host"]

    def get_host(self, obj) -> str:
        domain = next((d for d in obj.domains.all() if d.is_primary), None)
        return domain.domain if domain else ""


class MeSerializer(serializers.Serializer):
    email = serializers.EmailField()
    full_name = serializers.CharField()
    preferred_language = serializers.CharField()
    municipality = serializers.CharField(allow_null=True, help_text="Code of the municipality of this host")
    roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices),
                                  help_text="Roles held on this host")
