"""Input and output shapes of the people API. Validation of meaning is the services' job."""

from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers

from portal.budgets.people.models import (Assessment, AssessmentDocument, Consent, DisabilityGroup, Goal, Language,
                                          Person, Relation, SupportPlan, TargetGroup)


CONTACTS = ("phone", "email", "address")


class PersonBriefOut(serializers.ModelSerializer):
    """What the family side sees of a person: the name; a support person also the contacts if the person allowed.

    Closed (no other properties), so a client tells it from ``PersonOut`` by its shape.
    """

    additional_properties = False  # portal.api.schema: "additionalProperties": false
    full_name = serializers.CharField(read_only=True)
    # Only for a support person whom the person allowed to see the contacts (context "contacts": True).
    phone = serializers.CharField(required=False, help_text="Only when the person allowed the contacts.")
    email = serializers.CharField(required=False, help_text="Only when the person allowed the contacts.")
    address = serializers.CharField(required=False, help_text="Only when the person allowed the contacts.")

    class Meta:
        model = Person
        fields = ["id", "first_name", "last_name", "full_name", "target_group", "preferred_language", *CONTACTS]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("contacts"):
            for name in CONTACTS:
                data.pop(name, None)
        return data


class PersonOut(serializers.ModelSerializer):
    full_name = serializers.CharField(read_only=True)
    social_worker = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = ["id", "first_name", "last_name", "full_name", "personal_code", "birth_date", "target_group",
                  "disability_group", "disability_decision_number", "disability_decided_on",
                  "disability_valid_from", "disability_valid_until", "left_institution", "left_institution_on",
                  "address", "latitude", "longitude", "phone",
                  "email", "preferred_language", "social_worker", "created_at", "modified_at"]

    def get_social_worker(self, obj) -> dict | None:
        worker = obj.social_worker
        return {"id": worker.pk, "full_name": worker.full_name, "email": worker.email} if worker else None


def person_for_role(*, many: bool = False) -> PolymorphicProxySerializer:
    """Staff get the whole person (``PersonOut``), the family side the brief one (``PersonBriefOut``)."""
    return PolymorphicProxySerializer(component_name="PersonForRole", serializers=[PersonOut, PersonBriefOut],
                                      resource_type_field_name=None, many=many)


class PersonIn(serializers.Serializer):
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    personal_code = serializers.CharField(max_length=14)
    birth_date = serializers.DateField()
    target_group = serializers.ChoiceField(choices=TargetGroup.choices)
    disability_group = serializers.ChoiceField(choices=DisabilityGroup.choices)
    disability_decision_number = serializers.CharField(max_length=40, required=False, allow_blank=True)
    disability_decided_on = serializers.DateField(required=False, allow_null=True)
    disability_valid_from = serializers.DateField(required=False, allow_null=True)
    disability_valid_until = serializers.DateField(required=False, allow_null=True)
    left_institution = serializers.BooleanField(required=False, help_text="Adults: moved from long-term social "
                                                "care in an institution to life in the community")
    left_institution_on = serializers.DateField(required=False, allow_null=True)
    address = serializers.CharField(max_length=250, required=False, allow_blank=True)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    preferred_language = serializers.ChoiceField(choices=Language.choices, required=False)
    social_worker_id = serializers.IntegerField(required=False, allow_null=True)


class RelationOut(serializers.ModelSerializer):
    user = serializers.SerializerMethodField()

    class Meta:
        model = Relation
        fields = ["id", "user", "kind", "basis", "may_see", "valid_from", "valid_until", "created_at"]

    def get_user(self, obj) -> dict:
        return {"id": obj.user_id, "full_name": obj.user.full_name, "email": obj.user.email}


class RelationIn(serializers.Serializer):
    user_email = serializers.EmailField()
    kind = serializers.ChoiceField(choices=Relation.Kind.choices)
    basis = serializers.ChoiceField(choices=Relation.Basis.choices)
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(required=False, allow_null=True)
    may_see = serializers.ListField(child=serializers.ChoiceField(choices=Relation.Section.choices), required=False,
                                    default=list)


class VisibilityIn(serializers.Serializer):
    may_see = serializers.ListField(child=serializers.ChoiceField(choices=Relation.Section.choices))


class EndIn(serializers.Serializer):
    on = serializers.DateField()


class ConsentOut(serializers.ModelSerializer):
    class Meta:
        model = Consent
        fields = ["id", "kind", "given_on", "given_by_name", "given_by_capacity", "withdrawn_on", "recorded_at"]


class ConsentIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Consent.Kind.choices)
    given_on = serializers.DateField()
    given_by_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    given_by_capacity = serializers.ChoiceField(choices=["self", "legal_representative"], required=False,
                                                default="self")


class DocumentOut(serializers.ModelSerializer):
    class Meta:
        model = AssessmentDocument
        fields = ["id", "file_name", "content_type", "size", "uploaded_at"]


class AssessmentOut(serializers.ModelSerializer):
    documents = DocumentOut(many=True, read_only=True)

    class Meta:
        model = Assessment
        fields = ["id", "kind", "scores", "medical_needs", "behavioural_needs", "level", "summary", "assessor_name",
                  "assessed_on", "valid_until", "documents", "created_at"]


class AssessmentIn(serializers.Serializer):
    scores = serializers.DictField(child=serializers.IntegerField(),
                                   help_text="SIS sub-scale standard scores 1–20 (adults) or domain scores 0–4 "
                                             "(children)")
    medical_needs = serializers.IntegerField(required=False, default=0)
    behavioural_needs = serializers.IntegerField(required=False, default=0)
    assessed_on = serializers.DateField()
    valid_until = serializers.DateField()
    assessor_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    summary = serializers.CharField(required=False, allow_blank=True)


class GoalOut(serializers.ModelSerializer):
    service_types = serializers.SerializerMethodField()

    class Meta:
        model = Goal
        fields = ["id", "position", "text", "service_types", "share_percent", "outcome", "outcome_comment"]

    def get_service_types(self, obj) -> list[str]:
        return [t.code for t in obj.service_types.all()]


class GoalIn(serializers.Serializer):
    text = serializers.CharField()
    service_types = serializers.ListField(child=serializers.CharField(), help_text="Service type codes")
    share_percent = serializers.DecimalField(max_digits=5, decimal_places=2)


class PlanOut(serializers.ModelSerializer):
    goals = GoalOut(many=True, read_only=True)

    class Meta:
        model = SupportPlan
        fields = ["id", "version", "assessment", "period_start", "period_end", "status", "agreed_by_name",
                  "agreed_capacity", "agreed_at", "approved_at", "reviewed_at", "review_comment", "goals",
                  "created_at"]


class PlanIn(serializers.Serializer):
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    assessment_id = serializers.IntegerField(required=False, allow_null=True)
    goals = GoalIn(many=True)


class AgreeIn(serializers.Serializer):
    given_by_name = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                          help_text="Only when a social worker records the agreement")
    capacity = serializers.ChoiceField(choices=["self", "legal_representative"], required=False, allow_blank=True)


class OutcomeIn(serializers.Serializer):
    goal_id = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=Goal.Outcome.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ReviewIn(serializers.Serializer):
    outcomes = OutcomeIn(many=True)
    comment = serializers.CharField(required=False, allow_blank=True, default="")
