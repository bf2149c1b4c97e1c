"""The budget period in the demo: the child's support plan has a new version starting in two weeks, so the old
budget is closed and the legal representative is asked whether the child's running agreement continues under
the new plan (the banner on their agreements list; the social worker sees the question waiting)."""

from __future__ import annotations

import datetime as dt
import time

from django.db import transaction
from django.utils import timezone

from portal.budgets.ledger.models import Budget
from portal.budgets.people.models import Person, Relation, SupportPlan
from portal.budgets.people.plans import plan_agree, plan_approve, plan_new_version
from portal.marketplace.agreements.models import Agreement, AgreementStatus, CarryOver
from portal.marketplace.invoicing.period import carry_overs_ask
from portal.platform.core.dates import add_months
from portal.platform.core.errors import DomainError
from portal.tenants.roles import Role

from .agreements import _demo_cast, _say


def load(municipality, out):
    started = time.perf_counter()
    if CarryOver.objects.exists():
        _say(out, f"  period: {municipality.code} already asks about carrying agreements over")
        return
    cast, _roles = _demo_cast(municipality)
    representative, worker = cast.get(Role.LEGAL_REPRESENTATIVE), cast.get(Role.SOCIAL_WORKER)
    if representative is None or worker is None:
        return
    child = Person.objects.filter(relations__user=representative,
                                  relations__kind=Relation.Kind.LEGAL_REPRESENTATIVE).first()
    plan = SupportPlan.objects.filter(person=child, status=SupportPlan.Status.APPROVED).first() if child else None
    if plan is None or not Agreement.objects.filter(person=child, status=AgreementStatus.ACTIVE).exists():
        _say(out, f"  period: {municipality.code}: no running agreement of the demo child, nothing to do")
        return
    start = timezone.localdate() + dt.timedelta(days=14)
    try:
        with transaction.atomic():
            new = plan_new_version(plan=plan, period_start=start,
                                   period_end=add_months(start, 12) - dt.timedelta(days=1), actor=worker)
            plan_agree(plan=new, actor=representative)
            plan_approve(plan=new, actor=worker)
            previous = Budget.objects.get(plan=plan)
            asked = carry_overs_ask(previous=previous, budget=Budget.objects.get(plan=new))
    except DomainError as refusal:  # e.g. the assessment would no longer be valid when the new plan starts
        _say(out, f"  period: {municipality.code}: no new plan version ({refusal.code})")
        return
    _say(out, f"  period: {municipality.code}: a new plan version, {len(asked)} agreement(s) to answer about "
              f"({time.perf_counter() - started:.2f} s)")
