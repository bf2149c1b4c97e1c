"""Reads of this municipality's approvals and price caps (call inside a tenant schema)."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.db.models import Count, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from portal.marketplace.catalogue.models import Provider, Service, ServiceType
from portal.platform.core.money import ZERO

from .models import ApprovalStatus, PriceCap, ProviderApproval, ServiceApproval


def approved_provider_ids() -> QuerySet:
    return ProviderApproval.objects.filter(status=ApprovalStatus.APPROVED).values("provider_id")


def approved_service_ids() -> QuerySet:
    return ServiceApproval.objects.filter(status=ApprovalStatus.APPROVED).values("service_id")


def approved_services() -> QuerySet[Service]:
    """Services families of the current municipality may choose: the service and its provider are
    approved here, the provider is verified nationally and the service is offered now."""
    return Service.objects.filter(
        is_active=True,
        provider__status=Provider.Status.VERIFIED,
        provider_id__in=approved_provider_ids(),
        id__in=approved_service_ids(),
    )


def is_service_approved(service) -> bool:
    return approved_services().filter(pk=service.pk).exists()


def price_caps() -> QuerySet[PriceCap]:
    return PriceCap.objects.select_related("service_type")


def cap_amounts() -> dict[tuple[str, str], Decimal]:
    """{(service type code, unit): cap amount} of this municipality, in one plain statement (every search
    on a municipality's site asks)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT t.code, c.unit, c.amount FROM {PriceCap._meta.db_table} c"
                       f" JOIN {ServiceType._meta.db_table} t ON t.id = c.service_type_id")
        return {(code, unit): amount for code, unit, amount in cursor.fetchall()}


def price_cap_for(service) -> PriceCap | None:
    """This municipality's cap for the service's type and unit, or None when there is none."""
    return PriceCap.objects.filter(service_type_id=service.service_type_id, unit=service.unit).first()


def over_cap_amount(service, cap: PriceCap | None = None) -> Decimal:
    """How much the price per unit is above this municipality's cap (0.00 if within or uncapped)."""
    cap = cap if cap is not None else price_cap_for(service)
    if cap is None or service.unit_price <= cap.amount:
        return ZERO
    return (service.unit_price - cap.amount).quantize(Decimal("0.01"))


def _approval_status_subquery(model, field: str):
    return Subquery(model.objects.filter(**{field: OuterRef("pk")}).values("status")[:1])


def providers_for_review(municipality, *, status: str | None = None) -> QuerySet[Provider]:
    """Providers serving ``municipality``, each with ``approval_status`` (pending when undecided)."""
    qs = (Provider.objects.filter(municipalities_served__contains=[municipality.code])
          .annotate(approval_status=Coalesce(_approval_status_subquery(ProviderApproval, "provider_id"),
                                             Value(ApprovalStatus.PENDING.value)),
                    service_count=Count("services"))
          .order_by("name"))
    if status:
        qs = qs.filter(approval_status=status)
    return qs


def provider_approval(provider) -> ProviderApproval | None:
    return ProviderApproval.objects.filter(provider=provider).first()


def services_for_review(provider) -> QuerySet[Service]:
    """The provider's services, each with ``approval_status`` in this municipality."""
    return (provider.services.select_related("service_type")
            .annotate(approval_status=Coalesce(_approval_status_subquery(ServiceApproval, "service_id"),
                                               Value(ApprovalStatus.PENDING.value)))
            .order_by("service_type__position", "title_lv"))


def caps_by_type_unit() -> dict:
    """{(service_type_id, unit): PriceCap} for the whole municipality: one query for a list page."""
    return {(cap.service_type_id, cap.unit): cap for cap in PriceCap.objects.all()}
