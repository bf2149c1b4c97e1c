"""Checkpoints for payments: one function per kind and side, enforcing role and tenant (the connection's
schema: another municipality's payment is simply not there)."""

from __future__ import annotations

from django.http import Http404

from portal.budgets.people.access import persons_for_user
from portal.budgets.people.models import Relation
from portal.marketplace.invoicing.access import is_finance_here, provider_ids_for
from portal.marketplace.registry.selectors import work_items_for_providers
from portal.tenants.access import current_municipality, roles_for
from portal.tenants.roles import Role

from .models import Payment, PaymentBatch

FAMILY = {Role.PERSON, Role.LEGAL_REPRESENTATIVE, Role.SUPPORT_PERSON}


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def payments_for_finance(user):
    if not is_finance_here(user):
        raise Http404
    return Payment.objects.select_related("invoice", "provider", "batch")


def payment_for_finance(user, payment_id) -> Payment:
    payment = payments_for_finance(user).filter(pk=_int(payment_id)).first()
    if payment is None:
        raise Http404
    return payment


def batch_for_finance(user, batch_id) -> PaymentBatch:
    if not is_finance_here(user):
        raise Http404
    batch = PaymentBatch.objects.filter(pk=_int(batch_id)).first()
    if batch is None:
        raise Http404
    return batch


def payments_for_family(user):
    """What was paid (or is being paid) from the budgets of the persons the user is or acts for."""
    if not roles_for(user, current_municipality()) & FAMILY:
        return Payment.objects.none()
    return (Payment.objects.filter(invoice__agreement__person__in=persons_for_user(
        user, section=Relation.Section.BUDGET)).select_related("invoice__agreement__service", "provider", "batch"))


def payments_for_provider(user, *, municipality_code: str | None = None, status: str | None = None):
    """The provider's payments in every municipality (the public index; national site)."""
    if current_municipality() is not None:
        raise Http404
    return work_items_for_providers(provider_ids_for(user), kind="payment", municipality_code=municipality_code,
                                    status=status)
