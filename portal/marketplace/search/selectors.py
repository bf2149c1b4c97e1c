"""Reads for search: the scope a search runs in, and the search itself.

A municipality's site searches only the services approved there (approvals
live in its schema); the national site searches every verified provider's
active services. Budgets and the person's address come from the budgets
areas; where a person has none, those features quietly step back.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from portal.budgets.ledger.selectors import available_by_service_type
from portal.budgets.people.access import acting_capacity, persons_for_user
from portal.marketplace.approvals.selectors import approved_provider_ids, approved_service_ids, cap_amounts
from portal.tenants.access import current_municipality, roles_for
from portal.tenants.roles import FAMILY_ROLES

from . import get_search
from .centres import CENTRES
from .query import Scope, SearchQuery, SearchResult

log = logging.getLogger(__name__)


def search_scope(user=None, *, near: str | None = None, person=None, want_budget: bool = False) -> Scope:
    """The scope for a search on the current site by ``user``.

    ``near``: a municipality code whose centre distances are measured from — chosen, or named in the words —
    ahead of the person's address. ``person``: the person searching for (else the user's own or represented
    person); their address, else this municipality's centre, when no place is given.
    """
    municipality = current_municipality()
    scope = Scope(municipality=municipality.code if municipality else None)
    if municipality is not None:
        # approved_services() restated over the search document, which already knows "active" and "verified":
        # two single-table subqueries instead of a four-table join on every search.
        scope.approved_ids = approved_service_ids().values_list("service_id", flat=True)
        scope.approved_provider_ids = approved_provider_ids().values_list("provider_id", flat=True)
        scope.caps = cap_amounts()
        person = person if person is not None else person_for_search(user)
        if person is not None:
            lat, lon = getattr(person, "latitude", None), getattr(person, "longitude", None)
            if lat is not None and lon is not None and near not in CENTRES:
                scope.origin = (float(lat), float(lon))
                scope.origin_label = "home"
            if want_budget:
                scope.budget = budget_by_service_type(person)
    if scope.origin is None:
        code = near if near in CENTRES else (municipality.code if municipality else None)
        if code in CENTRES:
            scope.origin = CENTRES[code][:2]
            scope.origin_label = code
    return scope


def person_for_search(user):
    """The person whose budget and address a family member's search uses, or None.

    Uses ``people.access.persons_for_user``. Staff search for nobody.
    """
    municipality = current_municipality()
    if user is None or not getattr(user, "is_authenticated", False) or municipality is None:
        return None
    if not roles_for(user, municipality) & FAMILY_ROLES:
        return None
    try:
        for person in persons_for_user(user)[:5]:
            if acting_capacity(user, person) in ("self", "legal_representative", "support_person"):
                return person
    except Exception:  # the people area not migrated yet: search works without a person
        log.debug("no person for search", exc_info=True)
    return None


def budget_by_service_type(person) -> dict[str, Decimal] | None:
    """{service type code: available} of the person's current budget; None when budgets are not there yet."""
    try:
        return dict(available_by_service_type(person))
    except Exception:
        log.debug("no budget for search", exc_info=True)
        return None


def catalogue_search(query: SearchQuery, scope: Scope, *, backend=None) -> SearchResult:
    """Run ``query`` in ``scope`` on the configured backend."""
    return (backend or get_search()).search(query, scope)
