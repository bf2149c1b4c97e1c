"""Who hears of what, and where the link points: shared by the outbox handlers (``tasks``) and the
in-transaction receivers (``hooks``)."""

from __future__ import annotations

from django.db import connection
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from portal.budgets.people.models import Relation
from portal.marketplace.catalogue.models import Provider, ProviderStaff
from portal.tenants.models import Membership
from portal.tenants.roles import Role

from .models import Kind
from .services import notify

TENANT_URLS = "portal.platform.urls_tenant"
PUBLIC_URLS = "portal.platform.urls_public"


def _url(name: str, urlconf: str, **kwargs) -> str:
    try:
        return reverse(name, urlconf=urlconf, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def deciders(person) -> list[int]:
    """The person's own account and their legal representatives today."""
    today = timezone.localdate()
    reps = Relation.objects.filter(person=person, kind=Relation.Kind.LEGAL_REPRESENTATIVE,
                                   valid_from__lte=today).exclude(valid_until__lt=today)
    return [person.user_id, *reps.values_list("user_id", flat=True)]


def provider_staff(provider_id) -> list[int]:
    return list(ProviderStaff.objects.filter(provider_id=provider_id).values_list("user_id", flat=True))


def finance_officers() -> list[int]:
    return list(Membership.objects.filter(municipality=connection.tenant, role=Role.FINANCE_OFFICER)
                .values_list("user_id", flat=True))


def _provider(provider_id):
    return Provider.objects.filter(pk=provider_id).only("pk", "name", "slug").first()


def provider_verified_notify(*, provider_id, event=None) -> int:
    """The platform verified the provider: its staff hear of it on the national site (``public``)."""
    provider = _provider(provider_id)
    if provider is None:
        return 0
    return notify(recipients=provider_staff(provider.pk), kind=Kind.PROVIDER_VERIFIED,
                  params={"provider": provider.name}, event=event, national=True,
                  link=_url("catalogue:my-provider", PUBLIC_URLS, slug=provider.slug))


