"""Demo data for the ledger: a budget for every approved plan, with some spending history.

Runs after the people demo. Idempotent: budgets are one per plan, and every
demo movement has a fixed idempotency key ("demo:…"), so a second run writes
nothing. About one budget in four is nearly spent.
"""

from __future__ import annotations

import time
from decimal import Decimal

from django.db import transaction

from portal.budgets.ledger.methodology import methodology_seed
from portal.budgets.ledger.models import Budget, BudgetCategory, LedgerEntry
from portal.budgets.ledger.services import budget_grant, funds_reserve, reservation_post
from portal.budgets.people.models import SupportPlan
from portal.platform.core.money import CENT


def _share(budget_pk: int, salt: int) -> Decimal:
    """A deterministic 'random' share in [0.25, 0.65) for budget ``budget_pk``."""
    return Decimal(25 + (budget_pk * 37 + salt * 11) % 40) / Decimal(100)


def _spend(budget: Budget, categories: list[BudgetCategory]) -> int:
    """Reserve part of each category (an agreement) and post most of it (paid invoices)."""
    written = 0
    nearly_spent = budget.pk % 4 == 0
    for n, category in enumerate(categories):
        if category.granted <= 0:
            continue
        share = Decimal("0.97") if nearly_spent else _share(budget.pk, n)
        reserve = (category.granted * share).quantize(CENT)
        if reserve <= 0:
            continue
        reservation = funds_reserve(category=category, amount=reserve, reference=f"demo:agreement:{budget.pk}-{n}",
                                    idempotency_key=f"demo:reserve:{budget.pk}:{category.pk}", actor=None)
        paid_share = Decimal("0.95") if nearly_spent else Decimal("0.5")
        instalments = 3
        per_invoice = (reserve * paid_share / instalments).quantize(CENT)
        for i in range(instalments):
            if per_invoice > 0:
                reservation_post(reservation=reservation, amount=per_invoice,
                                 reference=f"demo:invoice:{budget.pk}-{n}-{i + 1}",
                                 idempotency_key=f"demo:post:{budget.pk}:{category.pk}:{i}", actor=None)
        written += 1 + instalments
    return written


def load(municipality, out):
    """Grant budgets for every approved plan in this municipality and give some of them a history."""
    started = time.perf_counter()
    methodology_seed()
    granted = spent = 0
    plans = SupportPlan.objects.filter(status=SupportPlan.Status.APPROVED).select_related("person")
    for plan in plans:
        if not Budget.objects.filter(plan=plan).exists():
            try:
                with transaction.atomic():
                    budget_grant(plan=plan, actor=None)
                granted += 1
            except Exception as exc:  # noqa: BLE001 - a demo plan the methodology refuses is reported, not fatal
                if out is not None:
                    print(f"  ! plan {plan.pk}: {exc}", file=out)
    have_history = set(LedgerEntry.objects.filter(reference__startswith="demo:").values_list("budget_id", flat=True))
    for budget in Budget.objects.filter(status=Budget.Status.OPEN).exclude(pk__in=have_history):
        with transaction.atomic():
            spent += _spend(budget, list(BudgetCategory.objects.filter(budget=budget).order_by("pk")))
    if out is not None:
        print(f"• Ledger {municipality.code}: {granted} budget(s) granted, {spent} demo movement(s) "
              f"({time.perf_counter() - started:.2f} s)", file=out, flush=True)
