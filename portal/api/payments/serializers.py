"""Input and output shapes of the payments API."""

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from portal.marketplace.payments.models import MoneyEntry, Payment, PaymentBatch, PaymentSettings
from portal.marketplace.payments.schedule import expected_date
from portal.marketplace.registry.models import ProviderWorkItem


class PaymentOut(serializers.ModelSerializer):
    invoice = serializers.IntegerField(source="invoice_id")
    invoice_number = serializers.CharField(source="invoice.display_number")
    provider = serializers.IntegerField(source="provider_id")
    batch = serializers.IntegerField(source="batch_id", allow_null=True)
    # Plain strings, not enums: one enum per field name across the whole API keeps the schema warning-free.
    status = serializers.CharField(read_only=True, help_text="requested, waiting, sent, paid, failed, returned, "
                                                             "reversed or to_recover")
    rail = serializers.CharField(read_only=True, help_text="bank_file or stripe")
    expected_date = serializers.SerializerMethodField()

    class Meta:
        model = Payment
        fields = ["id", "invoice", "invoice_number", "provider", "amount", "currency", "rail", "status", "reason",
                  "reference", "batch", "attempts", "requested_at", "sent_at", "settled_at", "expected_date",
                  "reversal_reason", "reversal_reference", "reversed_at"]

    def get_expected_date(self, payment) -> str | None:
        rules = self.context.setdefault("payment_rules", PaymentSettings.current())  # once per response
        day = expected_date(payment, rules)
        return day.isoformat() if day else None


class ReverseIn(serializers.Serializer):
    reason = serializers.CharField(max_length=500, allow_blank=True,
                                   help_text="Why the paid invoice is cancelled; the provider sees it.")


class BatchOut(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="draft, exported, confirmed or cancelled")

    class Meta:
        model = PaymentBatch
        fields = ["id", "message_id", "status", "execution_date", "count", "total", "created_at", "exported_at",
                  "decided_at"]


class BatchIn(serializers.Serializer):
    payment_ids = serializers.ListField(child=serializers.IntegerField(), required=False, allow_empty=False,
                                        help_text="Leave out for every payment waiting for a bank batch.")
    execution_date = serializers.DateField(required=False)


class StatementLineOut(serializers.Serializer):
    end_to_end_id = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    payment = serializers.IntegerField(source="payment.pk", allow_null=True, default=None)
    note = serializers.CharField()


class StatementOut(serializers.Serializer):
    statement_id = serializers.CharField()
    matched = StatementLineOut(many=True)
    returned = StatementLineOut(many=True)
    unmatched = StatementLineOut(many=True)


class EntryOut(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True)

    class Meta:
        model = MoneyEntry
        fields = ["id", "kind", "debit", "credit", "amount", "note", "created_at"]


@extend_schema_serializer(component_name="MunicipalFundingOut")  # budgets.FundingOut is a funding share
class FundingOut(serializers.Serializer):
    balance = serializers.DecimalField(max_digits=14, decimal_places=2)
    payable = serializers.DecimalField(max_digits=14, decimal_places=2)
    paid = serializers.DecimalField(max_digits=14, decimal_places=2)
    topped_up = serializers.DecimalField(max_digits=14, decimal_places=2)
    overdrawn = serializers.BooleanField()


class TopUpIn(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ProviderPaymentOut(serializers.ModelSerializer):
    municipality = serializers.CharField(source="municipality.code")
    invoice_id = serializers.IntegerField(source="object_id")
    invoice_number = serializers.CharField(source="reference")
    expected_date = serializers.DateField(source="date")
    status = serializers.CharField(read_only=True)

    class Meta:
        model = ProviderWorkItem
        fields = ["municipality", "invoice_id", "invoice_number", "status", "status_label", "amount",
                  "expected_date", "agreement_id"]
