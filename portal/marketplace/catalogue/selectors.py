"""Reads of the national catalogue."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Prefetch, QuerySet

from portal.tenants.access import has_role
from portal.tenants.models import Municipality
from portal.tenants.roles import Role

from .models import CatalogueChange, Location, Provider, ProviderStaff, Service, ServiceType


def service_types() -> QuerySet[ServiceType]:
    return ServiceType.objects.all()


def providers_for_user(user) -> QuerySet[Provider]:
    """The providers ``user`` works for (as provider staff); empty for everyone else."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Provider.objects.none()
    if not has_role(user, Role.PROVIDER_STAFF):
        return Provider.objects.none()
    return Provider.objects.filter(staff__user=user).distinct()


def staff_membership(user, provider) -> ProviderStaff | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return ProviderStaff.objects.filter(user=user, provider=provider).first()


def provider_services(provider, *, active_only: bool = False) -> QuerySet[Service]:
    qs = provider.services.select_related("service_type").order_by("service_type__position", "title_lv")
    return qs.filter(is_active=True) if active_only else qs


def provider_locations(provider) -> QuerySet[Location]:
    return provider.locations.all()


def provider_history(provider, *, limit: int = 50) -> QuerySet[CatalogueChange]:
    return provider.changes.select_related("service")[:limit]


def listed_providers() -> QuerySet[Provider]:
    """Providers the public may see: verified ones."""
    return Provider.objects.filter(status=Provider.Status.VERIFIED)


def service_detail_queryset() -> QuerySet[Service]:
    return (Service.objects.select_related("provider", "service_type")
            .prefetch_related(Prefetch("locations", queryset=Location.objects.order_by("name"))))


def municipal_decisions(provider) -> list[dict]:
    """Each municipality the provider serves, with its decision (pending when it has not decided)."""
    names = dict(Municipality.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME)
                 .filter(code__in=provider.municipalities_served).values_list("code", "name"))
    listings = {item.municipality_code: item for item in provider.listings.all()}
    rows = []
    for code in provider.municipalities_served:
        listing = listings.get(code)
        rows.append({"code": code, "name": names.get(code, code),
                     "status": listing.status if listing else "pending",
                     "note": listing.note if listing else "", "decided_at": listing.decided_at if listing else None})
    return rows
