"""Agreement API shapes: small input serializers per operation, one output shape."""

from rest_framework import serializers

from portal.marketplace.agreements.models import Agreement, AgreementEvent, CarryOver


class AgreementEventOut(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.email", default=None)

    class Meta:
        model = AgreementEvent
        fields = ["at", "actor", "capacity", "from_status", "to_status", "note"]


class AgreementOut(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.full_name")
    service_title = serializers.CharField(source="service.title")
    provider_name = serializers.CharField(source="provider.name")
    category_name = serializers.CharField(source="category.name")
    budget_unit_price = serializers.DecimalField(max_digits=10, decimal_places=2)
    copayment_total = serializers.DecimalField(max_digits=12, decimal_places=2)
    prepared_by = serializers.CharField(source="prepared_by.email", default=None, allow_null=True)
    decided_by = serializers.CharField(source="decided_by.email", default=None, allow_null=True)
    reservation_id = serializers.IntegerField(allow_null=True)

    class Meta:
        model = Agreement
        fields = ["id", "status", "person", "person_name", "service", "service_title", "provider", "provider_name",
                  "goal", "category", "category_name", "unit", "unit_price", "copayment_per_unit",
                  "budget_unit_price", "units_per_week", "total_units", "total_amount", "copayment_total",
                  "period_start", "period_end", "explanation", "prepared_by", "decided_by", "decided_as",
                  "decided_at", "sent_at", "respond_by", "requires_approval", "approved_at", "decline_reason",
                  "cancelled_at", "cancel_effective", "cancellation_fee", "reservation_id", "created_at"]


class AgreementDetailOut(AgreementOut):
    events = AgreementEventOut(source="shown_events", many=True, read_only=True)  # as the reader may see them

    class Meta(AgreementOut.Meta):
        fields = [*AgreementOut.Meta.fields, "events"]


class AgreementCreateIn(serializers.Serializer):
    person = serializers.IntegerField()
    service = serializers.IntegerField()
    units_per_week = serializers.DecimalField(max_digits=6, decimal_places=2, required=False, allow_null=True)
    total_units = serializers.DecimalField(max_digits=8, decimal_places=2, required=False, allow_null=True)
    period_start = serializers.DateField(required=False, allow_null=True)
    period_end = serializers.DateField(required=False, allow_null=True)
    goal = serializers.IntegerField(required=False, allow_null=True)
    accept_copayment = serializers.BooleanField(required=False, default=False)
    explanation = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class ConfirmIn(serializers.Serializer):
    accept_copayment = serializers.BooleanField(required=False, allow_null=True, default=None)


class SendIn(serializers.Serializer):
    explanation = serializers.CharField(required=False, allow_blank=True, allow_null=True, default=None,
                                        max_length=4000)


class ReasonIn(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, allow_blank=True)


class CancelIn(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    effective = serializers.DateField(required=False, allow_null=True, default=None)
    only_if_open = serializers.BooleanField(
        required=False, default=False,
        help_text="Withdraw a request only: refuse (agreement.wrong_state) if it became active meanwhile.")


class QuoteIn(serializers.Serializer):
    person = serializers.IntegerField()
    service = serializers.IntegerField()
    units_per_week = serializers.DecimalField(max_digits=6, decimal_places=2, required=False, allow_null=True)
    total_units = serializers.DecimalField(max_digits=8, decimal_places=2, required=False, allow_null=True)
    period_start = serializers.DateField(required=False, allow_null=True)
    period_end = serializers.DateField(required=False, allow_null=True)


class QuoteOut(serializers.Serializer):
    """What the agreement would cost, before anything is sent (nothing is written)."""

    unit = serializers.CharField()
    unit_price = serializers.DecimalField(max_digits=10, decimal_places=2)
    cap_amount = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    over_cap_rule = serializers.CharField(allow_null=True)
    over_cap_per_unit = serializers.DecimalField(max_digits=10, decimal_places=2)
    copayment_per_unit = serializers.DecimalField(max_digits=10, decimal_places=2)
    total_units = serializers.DecimalField(max_digits=8, decimal_places=2)
    gross_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    total_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    copayment_total = serializers.DecimalField(max_digits=12, decimal_places=2)
    period_start = serializers.DateField(allow_null=True)
    period_end = serializers.DateField(allow_null=True)
    category = serializers.IntegerField(source="category.pk", allow_null=True, default=None)
    category_name = serializers.CharField(source="category.name", allow_null=True, default=None)
    available = serializers.DecimalField(max_digits=12, decimal_places=2)
    available_after = serializers.DecimalField(max_digits=12, decimal_places=2)
    units_left_after = serializers.DecimalField(max_digits=12, decimal_places=0)
    fits = serializers.BooleanField()
    refused_over_cap = serializers.BooleanField()


class CarryOverOut(serializers.ModelSerializer):
    """A question to the person: does this agreement continue under their new support plan?"""

    service = serializers.CharField(source="agreement.service.title")
    provider = serializers.CharField(source="agreement.provider.name")
    new_plan_starts = serializers.DateField(source="budget.period_start")

    class Meta:
        model = CarryOver
        fields = ["id", "agreement", "service", "provider", "previous_budget", "budget", "new_plan_starts",
                  "status", "kept_reason", "asked_at", "decided_at", "decided_as"]


class CarryOverAnswerIn(serializers.Serializer):
    carry_on = serializers.BooleanField(help_text="true: continue under the new plan; false: end it when the new "
                                                  "plan starts")
