"""Reads of the provider registry: never a query across tenant schemas."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from .models import ProviderWorkItem


# Agreements a provider never sees: not yet sent to them (rows written before the index skipped them).
_NOT_SENT = Q(kind=ProviderWorkItem.Kind.AGREEMENT, status__in=["draft", "awaiting_person"])


def work_items_for_providers(provider_ids, *, kind: str | None = None, municipality_code: str | None = None,
                             status: str | None = None) -> QuerySet[ProviderWorkItem]:
    items = (ProviderWorkItem.objects.filter(provider_id__in=list(provider_ids)).exclude(_NOT_SENT)
             .select_related("municipality"))
    if kind:
        items = items.filter(kind=kind)
    if municipality_code:
        items = items.filter(municipality__code=municipality_code)
    if status:
        items = items.filter(status=status)
    return items.order_by("-date", "-id")


def status_counts(provider_ids) -> dict[tuple[str, str], int]:
    rows = (ProviderWorkItem.objects.filter(provider_id__in=list(provider_ids)).exclude(_NOT_SENT)
            .values_list("kind", "status").annotate(n=Count("id")))
    return {(kind, status): n for kind, status, n in rows}
