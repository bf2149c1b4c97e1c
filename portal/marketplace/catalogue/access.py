"""Checkpoints: the one place that decides who may manage a provider or a service by id. Who may see their
public pages depends on a municipality's approvals, so that checkpoint is ``approvals.access``."""

from __future__ import annotations

from django.utils.translation import gettext as _

from portal.tenants.access import has_role
from portal.tenants.roles import Role

from .errors import ProviderNotFound, ServiceNotFound
from .models import Provider, Service


def provider_for_staff(user, slug: str) -> Provider:
    """The provider ``slug`` if ``user`` is its staff; otherwise not found (existence is not revealed)."""
    if not getattr(user, "is_authenticated", False) or not has_role(user, Role.PROVIDER_STAFF):
        raise ProviderNotFound(_("No such provider."))
    provider = Provider.objects.filter(slug=slug, staff__user=user).first()
    if provider is None:
        raise ProviderNotFound(_("No such provider."))
    return provider


def service_for_staff(user, service_id: int) -> Service:
    if not getattr(user, "is_authenticated", False) or not has_role(user, Role.PROVIDER_STAFF):
        raise ServiceNotFound(_("No such service."))
    service = (Service.objects.select_related("provider", "service_type")
               .filter(pk=service_id, provider__staff__user=user).first())
    if service is None:
        raise ServiceNotFound(_("No such service."))
    return service
