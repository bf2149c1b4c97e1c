"""Output of the budget endpoints: budgets with balances per category, ledger entries, the methodology."""

from rest_framework import serializers

from portal.budgets.ledger.models import Budget, BudgetCategory, LedgerEntry


class CategoryBalanceOut(serializers.ModelSerializer):
    service_types = serializers.SerializerMethodField()
    available = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    goal = serializers.IntegerField(source="goal_id", allow_null=True)

    class Meta:
        model = BudgetCategory
        fields = ["id", "name", "goal", "service_types", "share_percent", "granted", "reserved", "spent",
                  "returned", "available"]

    def get_service_types(self, category) -> list[str]:
        return [t.code for t in category.service_types.all()]


class BudgetOut(serializers.ModelSerializer):
    person = serializers.IntegerField(source="person_id")
    plan = serializers.IntegerField(source="plan_id")
    categories = CategoryBalanceOut(many=True)

    class Meta:
        model = Budget
        fields = ["id", "person", "plan", "period_start", "period_end", "status", "total", "target_group", "level",
                  "annual_amount", "period_months", "funding", "granted_at", "closed_at", "categories"]


class LedgerEntryOut(serializers.ModelSerializer):
    category = serializers.IntegerField(source="category_id")
    reservation = serializers.IntegerField(source="reservation_id", allow_null=True)

    class Meta:
        model = LedgerEntry
        fields = ["id", "kind", "category", "amount", "reservation", "reference", "created_at"]


class RateOut(serializers.Serializer):
    target_group = serializers.CharField()
    level = serializers.IntegerField()
    annual_amount = serializers.DecimalField(max_digits=10, decimal_places=2)


class FundingOut(serializers.Serializer):
    code = serializers.CharField()
    share_percent = serializers.DecimalField(max_digits=5, decimal_places=2)


class MethodologyOut(serializers.Serializer):
    min_period_months = serializers.IntegerField()
    max_period_months = serializers.IntegerField()
    rates = RateOut(many=True)
    funding = FundingOut(many=True)


class MethodologyIn(serializers.Serializer):
    min_period_months = serializers.IntegerField(min_value=1, max_value=24)
    max_period_months = serializers.IntegerField(min_value=1, max_value=24)
    rates = RateOut(many=True, required=False)
    funding = FundingOut(many=True, required=False)
