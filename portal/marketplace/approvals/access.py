"""Checkpoints for the public pages of a provider and a service: on a municipality's site what matters is
whether the municipality approved it, so these live here, above the catalogue (which never imports approvals)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from portal.marketplace.catalogue.errors import ProviderNotFound, ServiceNotFound
from portal.marketplace.catalogue.models import Provider, Service
from portal.marketplace.catalogue.selectors import service_detail_queryset
from portal.tenants.access import current_municipality, has_role
from portal.tenants.roles import Role

from .selectors import approved_provider_ids, approved_services


def _is_staff_of(user, provider_id) -> bool:
    if not getattr(user, "is_authenticated", False) or not has_role(user, Role.PROVIDER_STAFF):
        return False
    return Provider.objects.filter(pk=provider_id, staff__user=user).exists()


def _platform_admin(user) -> bool:
    """The platform administrator checks unverified providers before verifying them."""
    return has_role(user, Role.PLATFORM_ADMIN)


def _municipality_admin_here(user, municipality) -> bool:
    return has_role(user, Role.MUNICIPALITY_ADMIN, municipality=municipality)


def provider_for_visitor(user, slug: str) -> Provider:
    """A provider's public page. National site: verified providers (its own staff and the platform
    administrator also see unverified ones).
    Municipality site: providers approved there (its administrator sees every provider serving it)."""
    municipality = current_municipality()
    provider = Provider.objects.filter(slug=slug).first()
    if provider is None:
        raise ProviderNotFound(_("No such provider."))
    if municipality is None:
        if provider.is_verified or _is_staff_of(user, provider.pk) or _platform_admin(user):
            return provider
        raise ProviderNotFound(_("No such provider."))
    if _municipality_admin_here(user, municipality) and municipality.code in provider.municipalities_served:
        return provider
    if provider.is_verified and approved_provider_ids().filter(provider_id=provider.pk).exists():
        return provider
    raise ProviderNotFound(_("No such provider."))


def service_for_visitor(user, service_id: int) -> Service:
    """A service's public page: on a municipality's site only services approved there (its administrator
    also sees services awaiting a decision); on the national site every active service of a verified provider."""
    municipality = current_municipality()
    service = service_detail_queryset().filter(pk=service_id).first()
    if service is None:
        raise ServiceNotFound(_("No such service."))
    if municipality is None:
        if (service.is_active and service.provider.is_verified) or _is_staff_of(user, service.provider_id) \
                or _platform_admin(user):
            return service
        raise ServiceNotFound(_("No such service."))
    if _municipality_admin_here(user, municipality) and municipality.code in service.provider.municipalities_served:
        return service
    if approved_services().filter(pk=service.pk).exists():
        return service
    raise ServiceNotFound(_("No such service."))
