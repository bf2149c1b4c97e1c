"""Input and output shapes of the invoicing API."""

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from portal.marketplace.invoicing.models import GoalProgress, Invoice, InvoiceLine, Session
from portal.marketplace.registry.models import ProviderWorkItem


class SessionIn(serializers.Serializer):
    date = serializers.DateField()
    start_time = serializers.TimeField(required=False, allow_null=True, default=None)
    duration_minutes = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1,
                                                max_value=1440)
    units = serializers.DecimalField(max_digits=6, decimal_places=2)
    staff_name = serializers.CharField(max_length=120)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    goal_progress = serializers.CharField(required=False, allow_blank=True, default="",
                                          help_text="one of: " + ", ".join(v for v in GoalProgress.values if v))
    unit_price = serializers.DecimalField(max_digits=10, decimal_places=2, required=False, allow_null=True,
                                          default=None)
    external_id = serializers.CharField(max_length=80, required=False, allow_blank=True, default="",
                                        help_text="Your system's id: sending it again returns the same session.")


class SessionsBulkIn(serializers.Serializer):
    sessions = SessionIn(many=True, allow_empty=False)


class SessionOut(serializers.ModelSerializer):
    agreement = serializers.IntegerField(source="agreement_id")
    # Plain strings, not enums: one enum per field name across the whole API keeps the schema warning-free.
    status = serializers.CharField(read_only=True, help_text="recorded, confirmed, disputed or withdrawn")
    flag = serializers.CharField(read_only=True, help_text="empty, duplicate or overlap")
    goal_progress = serializers.CharField(read_only=True)

    class Meta:
        model = Session
        fields = ["id", "agreement", "date", "start_time", "duration_minutes", "units", "unit_price", "staff_name",
                  "note", "goal_progress", "status", "flag", "external_id", "dispute_reason", "decided_at"]


class FamilySessionOut(SessionOut):
    person = serializers.IntegerField(source="agreement.person_id")
    service = serializers.CharField(source="agreement.service.title")
    provider = serializers.CharField(source="agreement.provider.name")

    class Meta(SessionOut.Meta):
        fields = [*SessionOut.Meta.fields, "person", "service", "provider"]


@extend_schema_serializer(component_name="InvoicingReasonIn")  # agreements has its own ReasonIn
class ReasonIn(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, allow_blank=True)


class MonthIn(serializers.Serializer):
    month = serializers.RegexField(r"^\d{4}-\d{2}$", help_text="YYYY-MM")


class ConfirmMonthIn(MonthIn):
    agreement = serializers.IntegerField(required=False, min_value=1, help_text="only this agreement's sessions")


class ConfirmMonthOut(serializers.Serializer):
    confirmed = serializers.IntegerField()
    sessions = serializers.ListField(child=serializers.IntegerField())


class ProblemOut(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class InvoiceLineOut(serializers.ModelSerializer):
    date = serializers.DateField(source="session.date")
    problems = serializers.SerializerMethodField()

    class Meta:
        model = InvoiceLine
        fields = ["id", "session", "date", "units", "unit_price", "amount", "problems"]

    def get_problems(self, line) -> list[dict]:
        result = self.context.get("result")
        problems = result.lines.get(line.pk, []) if result else []
        return [{"code": p.code, "message": p.message} for p in problems]


class InvoiceOut(serializers.ModelSerializer):
    number = serializers.CharField(source="display_number")
    reference = serializers.CharField(source="display_number", read_only=True,
                                      help_text="The invoice's reference as pages, the PDF and e-mails show it: "
                                                "SBS-<provider>-<number>, or the draft's month")
    agreement = serializers.IntegerField(source="agreement_id")
    provider = serializers.IntegerField(source="provider_id")
    status = serializers.CharField(read_only=True, help_text="draft, submitted, approved, rejected or paid")

    class Meta:
        model = Invoice
        fields = ["id", "number", "reference", "agreement", "provider", "period_start", "period_end", "status", "total",
                  "copayment", "budget_amount", "created_at", "submitted_at", "decided_at", "paid_at",
                  "rejection_reason"]


class InvoiceDetailOut(InvoiceOut):
    lines = serializers.SerializerMethodField()
    clean = serializers.SerializerMethodField()
    problems = serializers.SerializerMethodField()

    class Meta(InvoiceOut.Meta):
        fields = [*InvoiceOut.Meta.fields, "clean", "problems", "lines"]

    def get_lines(self, invoice) -> list[dict]:
        return InvoiceLineOut(invoice.lines.select_related("session"), many=True, context=self.context).data

    def get_clean(self, invoice) -> bool:
        return self.context["result"].clean

    def get_problems(self, invoice) -> list[dict]:
        return [{"code": p.code, "message": p.message} for p in self.context["result"].invoice]


class WorkItemOut(serializers.ModelSerializer):
    municipality = serializers.CharField(source="municipality.code")
    kind = serializers.CharField(help_text="agreement, session or invoice")

    class Meta:
        model = ProviderWorkItem
        fields = ["municipality", "kind", "object_id", "agreement_id", "reference", "title", "status",
                  "status_label", "date", "amount", "updated_at"]
