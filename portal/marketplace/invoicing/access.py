"""Checkpoints for sessions and invoices: one function per kind and side, enforcing role and tenant.

The tenant is the connection's schema: an object of another municipality is
simply not there. Provider staff work from the national site, where the view
enters the municipality's schema first; here they are matched by provider.
"""

from __future__ import annotations

from django.http import Http404

from portal.budgets.people.access import acting_capacity, persons_for_user
from portal.budgets.people.models import Relation
from portal.marketplace.agreements.access import provider_ids_for, sent_to_providers
from portal.tenants.access import current_municipality, has_role, roles_for
from portal.tenants.roles import Role

from .models import Invoice, Session

# Who may confirm or dispute a session for the person.
DECIDING_CAPACITIES = ("self", "legal_representative")


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def agreement_for_provider(user, agreement_id):
    """An agreement of one of the user's providers in the current municipality, or Http404."""
    ids = provider_ids_for(user)
    agreement = (sent_to_providers(ids).filter(pk=_int(agreement_id))
                 .select_related("person", "service", "service__service_type", "provider", "goal", "category")
                 .first())
    if agreement is None or current_municipality() is None:
        raise Http404
    return agreement


def invoice_for_provider(user, invoice_id) -> Invoice:
    invoice = (Invoice.objects.filter(pk=_int(invoice_id), provider_id__in=provider_ids_for(user))
               .select_related("agreement", "agreement__person", "agreement__service", "provider").first())
    if invoice is None or current_municipality() is None:
        raise Http404
    return invoice


def session_for_provider(user, session_id) -> Session:
    session = (Session.objects.filter(pk=_int(session_id), agreement__provider_id__in=provider_ids_for(user))
               .select_related("agreement").first())
    if session is None or current_municipality() is None:
        raise Http404
    return session


def sessions_for_family(user):
    """Sessions of every person the user may see here as the person or their family side.

    Sessions deliver agreements: a support person sees them only where the person allowed "agreements".
    """
    held = roles_for(user, current_municipality())
    if not held & {Role.PERSON, Role.LEGAL_REPRESENTATIVE, Role.SUPPORT_PERSON}:
        return Session.objects.none()
    return Session.objects.filter(
        agreement__person__in=persons_for_user(user, section=Relation.Section.AGREEMENTS))


def session_for_family(user, session_id) -> Session:
    session = (sessions_for_family(user).filter(pk=_int(session_id))
               .select_related("agreement", "agreement__person", "agreement__service", "agreement__provider",
                               "agreement__goal").first())
    if session is None:
        raise Http404
    return session


def capacity_for_session(user, session) -> str | None:
    return acting_capacity(user, session.agreement.person)


def is_finance_here(user) -> bool:
    municipality = current_municipality()
    return municipality is not None and has_role(user, Role.FINANCE_OFFICER, municipality=municipality)


def invoice_for_finance(user, invoice_id) -> Invoice:
    """An invoice of this municipality for its finance officer; Http404 for anyone else."""
    if not is_finance_here(user):
        raise Http404
    invoice = (Invoice.objects.exclude(status=Invoice.Status.DRAFT).filter(pk=_int(invoice_id))
               .select_related("agreement", "agreement__person", "agreement__service", "provider").first())
    if invoice is None:
        raise Http404
    return invoice
