"""Input and output shapes of the catalogue API."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.marketplace.approvals.models import PriceCap
from portal.marketplace.catalogue.models import (
    DESCRIPTION_MAX,
    CatalogueChange,
    DeliveryMode,
    Language,
    LegalForm,
    Location,
    Provider,
    Service,
    ServiceType,
    TargetGroup,
    Unit,
)


class ServiceTypeOut(serializers.ModelSerializer):
    # Plain text, not an enum: the same choices as Service.unit would get a second enum name in the schema.
    default_unit = serializers.CharField(help_text="hour, session, day or course")

    class Meta:
        model = ServiceType
        fields = ["code", "name_lv", "name_en", "default_unit"]


class LocationOut(serializers.ModelSerializer):
    class Meta:
        model = Location
        fields = ["id", "name", "address", "municipality_code", "latitude", "longitude", "step_free_access",
                  "accessible_toilet", "accessible_parking", "hearing_loop", "easy_read", "accessibility_notes"]


class ProviderSummaryOut(serializers.ModelSerializer):
    class Meta:
        model = Provider
        fields = ["slug", "name", "status"]


class ProviderOut(serializers.ModelSerializer):
    locations = LocationOut(many=True, read_only=True)

    class Meta:
        model = Provider
        fields = ["slug", "name", "social_register_number", "company_number", "legal_form", "email", "phone",
                  "website", "address", "description_lv", "description_en", "languages", "municipalities_served",
                  "step_free_access", "accessible_toilet", "accessible_parking", "hearing_loop", "easy_read",
                  "accessibility_notes", "status", "verified_at", "created_at", "modified_at", "locations"]


class OwnProviderOut(ProviderOut):
    """What the provider's own staff see: also the payment details."""

    class Meta(ProviderOut.Meta):
        fields = ProviderOut.Meta.fields + ["iban", "vat_payer", "vat_number"]


class ServiceOut(serializers.ModelSerializer):
    service_type = serializers.SlugRelatedField(slug_field="code", read_only=True)
    provider = ProviderSummaryOut(read_only=True)
    locations = LocationOut(many=True, read_only=True)

    class Meta:
        model = Service
        fields = ["id", "provider", "service_type", "title_lv", "title_en", "description_lv", "description_en",
                  "target_groups", "min_age", "max_age", "delivery_modes", "unit", "unit_price", "free_places",
                  "waiting_weeks", "schedule", "is_active", "locations", "created_at", "modified_at"]


class PriceAgainstCapOut(serializers.Serializer):
    municipality = serializers.CharField(help_text="Code of the municipality of this host")
    cap = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True,
                                   help_text="The municipality's cap per unit for this type and unit, or null")
    over_cap_rule = serializers.ChoiceField(choices=PriceCap.OverCapRule.choices, allow_null=True)
    over_cap_amount = serializers.DecimalField(max_digits=10, decimal_places=2,
                                               help_text="How much the price per unit is above the cap (0.00 if within)")


class ServiceDetailOut(ServiceOut):
    price_against_cap = serializers.SerializerMethodField()

    class Meta(ServiceOut.Meta):
        fields = ServiceOut.Meta.fields + ["price_against_cap"]

    @extend_schema_field(PriceAgainstCapOut(allow_null=True))
    def get_price_against_cap(self, obj):
        """Null on the national site: caps belong to municipalities."""
        return self.context.get("price_against_cap")


class ProviderIn(serializers.Serializer):
    """Every field optional on PATCH; sign-up needs the required ones (the service says which is missing)."""

    name = serializers.CharField(max_length=200, required=False)
    social_register_number = serializers.CharField(max_length=20, required=False)
    company_number = serializers.CharField(max_length=20, required=False)
    legal_form = serializers.ChoiceField(choices=LegalForm.choices, required=False)
    email = serializers.EmailField(required=False)
    phone = serializers.CharField(max_length=40, required=False)
    website = serializers.URLField(required=False, allow_blank=True)
    address = serializers.CharField(max_length=250, required=False)
    description_lv = serializers.CharField(max_length=DESCRIPTION_MAX, required=False)
    description_en = serializers.CharField(max_length=DESCRIPTION_MAX, required=False, allow_blank=True)
    languages = serializers.ListField(child=serializers.ChoiceField(choices=Language.choices), required=False)
    municipalities_served = serializers.ListField(child=serializers.CharField(max_length=30), required=False)
    iban = serializers.CharField(max_length=40, required=False)
    vat_payer = serializers.BooleanField(required=False)
    vat_number = serializers.CharField(max_length=20, required=False, allow_blank=True)
    step_free_access = serializers.BooleanField(required=False)
    accessible_toilet = serializers.BooleanField(required=False)
    accessible_parking = serializers.BooleanField(required=False)
    hearing_loop = serializers.BooleanField(required=False)
    easy_read = serializers.BooleanField(required=False)
    accessibility_notes = serializers.CharField(max_length=300, required=False, allow_blank=True)


class ServiceIn(serializers.Serializer):
    service_type = serializers.SlugRelatedField(slug_field="code", queryset=ServiceType.objects.all(),
                                                required=False)
    title_lv = serializers.CharField(max_length=200, required=False)
    title_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    description_lv = serializers.CharField(max_length=DESCRIPTION_MAX, required=False)
    description_en = serializers.CharField(max_length=DESCRIPTION_MAX, required=False, allow_blank=True)
    target_groups = serializers.ListField(child=serializers.ChoiceField(choices=TargetGroup.choices), required=False)
    min_age = serializers.IntegerField(min_value=0, max_value=150, required=False, allow_null=True)
    max_age = serializers.IntegerField(min_value=0, max_value=150, required=False, allow_null=True)
    delivery_modes = serializers.ListField(child=serializers.ChoiceField(choices=DeliveryMode.choices),
                                           required=False)
    unit = serializers.ChoiceField(choices=Unit.choices, required=False)
    unit_price = serializers.DecimalField(max_digits=10, decimal_places=2, required=False)
    free_places = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    waiting_weeks = serializers.IntegerField(min_value=0, max_value=520, required=False, allow_null=True)
    schedule = serializers.CharField(max_length=300, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)
    locations = serializers.ListField(child=serializers.IntegerField(), required=False,
                                      help_text="Ids of this provider's locations")


class ChangeOut(serializers.ModelSerializer):
    class Meta:
        model = CatalogueChange
        fields = ["id", "at", "kind", "actor_label", "service", "changes"]


class PriceCapOut(serializers.ModelSerializer):
    service_type = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = PriceCap
        fields = ["id", "service_type", "unit", "amount", "over_cap_rule", "modified_at"]


class PriceCapIn(serializers.Serializer):
    service_type = serializers.SlugRelatedField(slug_field="code", queryset=ServiceType.objects.all())
    unit = serializers.ChoiceField(choices=Unit.choices)
    amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    over_cap_rule = serializers.ChoiceField(choices=PriceCap.OverCapRule.choices, default="copay")
