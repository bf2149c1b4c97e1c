"""Budget endpoints: budgets with balances, a budget's ledger entries, the methodology.

Tenant and role checks: ``IsMemberHere`` (a role on this municipality's host)
plus the checkpoint ``budget_for_user`` / ``budgets_for_user`` (staff see all,
the family only the persons they act for) — the same as the HTML pages.
"""

from django.db.models import Prefetch, prefetch_related_objects
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from portal.api.permissions import IsMemberHere
from portal.budgets.ledger import selectors
from portal.budgets.ledger.access import budget_for_user, budgets_for_user
from portal.budgets.ledger.methodology import methodology_current, methodology_update
from portal.budgets.ledger.models import BudgetCategory, FundingSource, LedgerEntry, MethodologyRate
from portal.tenants.roles import FAMILY_ROLES, STAFF_ROLES, Role

from .serializers import BudgetOut, LedgerEntryOut, MethodologyIn, MethodologyOut

_CATEGORIES = Prefetch("categories", queryset=BudgetCategory.objects.order_by("pk").prefetch_related("service_types"))


class BudgetReaders(IsMemberHere):
    def has_permission(self, request, view):
        view.required_roles = STAFF_ROLES | FAMILY_ROLES
        return super().has_permission(request, view)


class BudgetListView(GenericAPIView):
    permission_classes = [BudgetReaders]
    serializer_class = BudgetOut

    def get_queryset(self):
        budgets = budgets_for_user(self.request.user).prefetch_related(_CATEGORIES)
        person = self.request.query_params.get("person", "")
        if person.isdigit():
            budgets = budgets.filter(person_id=int(person))
        status = self.request.query_params.get("status", "")
        if status:
            budgets = budgets.filter(status=status)
        return budgets.order_by("-period_start", "-pk")

    @extend_schema(operation_id="budgets_list", responses=BudgetOut(many=True), parameters=[
        OpenApiParameter("person", OpenApiTypes.INT, description="Only this person's budgets"),
        OpenApiParameter("status", OpenApiTypes.STR, enum=["open", "closed"])])
    def get(self, request):
        """Budgets you may see here, each with its balances per category."""
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(BudgetOut(page, many=True).data)


class BudgetDetailView(GenericAPIView):
    permission_classes = [BudgetReaders]
    serializer_class = BudgetOut

    @extend_schema(operation_id="budgets_retrieve", responses=BudgetOut)
    def get(self, request, budget_id: int):
        """One budget with its balances per category (granted, reserved, spent, returned, available)."""
        budget = budget_for_user(request.user, budget_id, request=request)
        prefetch_related_objects([budget], _CATEGORIES)
        return Response(BudgetOut(budget).data)


class LedgerEntryListView(GenericAPIView):
    permission_classes = [BudgetReaders]
    serializer_class = LedgerEntryOut

    @extend_schema(operation_id="budgets_entries_list", responses=LedgerEntryOut(many=True), parameters=[
        OpenApiParameter("kind", OpenApiTypes.STR, enum=LedgerEntry.Kind.values),
        OpenApiParameter("category", OpenApiTypes.INT)])
    def get(self, request, budget_id: int):
        """The budget's ledger, newest first; filter by kind and category."""
        budget = budget_for_user(request.user, budget_id, request=request)
        category = request.query_params.get("category", "")
        entries = selectors.ledger_entries(budget, kind=request.query_params.get("kind", ""),
                                           category_id=int(category) if category.isdigit() else None)
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(LedgerEntryOut(page, many=True).data)


class MethodologyReaders(IsMemberHere):
    def has_permission(self, request, view):
        view.required_roles = (Role.MUNICIPALITY_ADMIN,) if request.method == "PUT" else STAFF_ROLES
        return super().has_permission(request, view)


def _methodology_data():
    current = methodology_current()
    return {"min_period_months": current.min_period_months, "max_period_months": current.max_period_months,
            "rates": list(MethodologyRate.objects.values("target_group", "level", "annual_amount")),
            "funding": list(FundingSource.objects.values("code", "share_percent"))}


class MethodologyView(GenericAPIView):
    permission_classes = [MethodologyReaders]
    serializer_class = MethodologyOut

    @extend_schema(operation_id="budget_methodology_retrieve", responses=MethodologyOut)
    def get(self, request):
        """The municipality's budget methodology (staff)."""
        return Response(MethodologyOut(_methodology_data()).data)

    @extend_schema(operation_id="budget_methodology_update", request=MethodologyIn, responses=MethodologyOut)
    def put(self, request):
        """Change the methodology (municipality administrator). Budgets already granted keep their amounts."""
        data = MethodologyIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        methodology_update(
            min_period_months=values["min_period_months"], max_period_months=values["max_period_months"],
            rates={(r["target_group"], r["level"]): r["annual_amount"] for r in values.get("rates", [])},
            funding={f["code"]: f["share_percent"] for f in values.get("funding", [])},
            actor=request.user, request=request)
        return Response(MethodologyOut(_methodology_data()).data)
