"""The two ledger reads agreements need, through the ledger's selectors (contract names).

Falls back to a direct read while the ledger's selectors are not there yet (parallel development).
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone


def current_budget(person):
    try:
        from portal.budgets.ledger.selectors import current_budget as selector
    except ImportError:
        selector = None
    if selector is not None:
        return selector(person)
    from portal.budgets.ledger.models import Budget

    today = timezone.localdate()
    return (Budget.objects.filter(person=person, status=Budget.Status.OPEN)
            .filter(Q(period_end__gte=today)).order_by("period_start", "id").first())


def category_for(budget, service_type):
    try:
        from portal.budgets.ledger.selectors import category_for as selector
    except ImportError:
        selector = None
    if selector is not None:
        return selector(budget, service_type)
    categories = list(budget.categories.prefetch_related("service_types").order_by("id"))
    for category in categories:
        if any(t.pk == service_type.pk for t in category.service_types.all()):
            return category
    return next((c for c in categories if not c.service_types.all()), None)
