"""What waits for a user: each role's to-do list, computed from the data (nothing stored).

``todo_for(user, municipality)`` returns the items of every role the user holds on this site, each with a
stable ``code``, how many things wait, and (where it matters) how many are overdue. The frontend turns a
code into words and a link. Query budget, per role, on a municipality's site (the tests assert them):
person / legal representative 2, support person 1, social worker 3, finance officer 3, municipality
administrator 1; on the national site provider staff 2. Up to two more for the roles (cached per request).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from dataclasses import dataclass

from django.db.models import Count, DecimalField, F, Min, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Round
from django.utils import timezone

from portal.budgets.ledger.selectors import plans_review_due
from portal.budgets.people.access import deciding_persons
from portal.budgets.people.models import SupportPlan
from portal.marketplace.agreements.models import Agreement, AgreementStatus, CoPayment
from portal.marketplace.approvals.models import ApprovalStatus, ProviderApproval, ServiceApproval
from portal.marketplace.catalogue.selectors import providers_for_user
from portal.marketplace.invoicing.models import Invoice
from portal.marketplace.invoicing.oversight import budget_alerts
from portal.marketplace.invoicing.selectors import approval_target_days, months_to_confirm, working_days_between
from portal.marketplace.payments.models import Payment, PaymentStatus
from portal.marketplace.registry.models import ProviderWorkItem
from portal.tenants.access import roles_for
from portal.tenants.roles import Role


@dataclass(frozen=True)
class Todo:
    code: str
    count: int
    overdue: int = 0
    since: dt.date | None = None  # the oldest waiting thing, where the order matters
    items: tuple = ()  # the waiting things themselves, where the dashboard lists them (reviews, alerts)


def _family(user) -> list[Todo]:
    persons = deciding_persons(user).values("pk")
    months = tuple(months_to_confirm(persons))  # per month, for the "confirm all" buttons
    paid = (CoPayment.objects.filter(agreement=OuterRef("pk"), status=CoPayment.Status.PAID)
            .values("agreement").annotate(total=Sum("amount")).values("total"))
    agreements = (Agreement.objects.filter(person__in=persons)
                  .alias(paid=Coalesce(Subquery(paid), Value(Decimal("0")), output_field=DecimalField()))
                  .aggregate(
                      to_sign=Count("pk", filter=Q(status=AgreementStatus.AWAITING_PERSON)),
                      drafts=Count("pk", filter=Q(status=AgreementStatus.DRAFT, prepared_by__isnull=False)
                                   & ~Q(prepared_by=user)),
                      # the family's part above the cap not yet paid (Agreement.copayment_total, in SQL)
                      copayments=Count("pk", filter=Q(status=AgreementStatus.ACTIVE, copayment_per_unit__gt=0,
                                                      paid__lt=Round(F("copayment_per_unit") * F("total_units"), 2)))))
    return [Todo("sessions.confirm", sum(n for _month, n in months), items=months),
            Todo("copayments.due", agreements["copayments"]), Todo("agreements.sign", agreements["to_sign"]),
            Todo("agreements.drafts", agreements["drafts"])]


def _support_person(user) -> list[Todo]:
    drafts = Agreement.objects.filter(status=AgreementStatus.DRAFT, prepared_by=user).count()
    return [Todo("agreements.my_drafts", drafts)]


def _social_worker(user, today) -> list[Todo]:
    to_approve = SupportPlan.objects.filter(status=SupportPlan.Status.AGREED, person__social_worker=user).count()
    reviews = tuple(plans_review_due(today=today, social_worker=user))
    alerts = tuple(budget_alerts(today=today, social_worker=user))
    return [Todo("plans.approve", to_approve), Todo("plans.review", len(reviews), items=reviews),
            Todo("budgets.alerts", len(alerts), items=alerts)]


# Payments the finance officer has to look at: failed, returned by the bank, or waiting with a reason.
PAYMENT_PROBLEMS = (PaymentStatus.FAILED, PaymentStatus.RETURNED, PaymentStatus.WAITING)


def _finance(today) -> list[Todo]:
    target = approval_target_days()
    submitted = list(Invoice.objects.filter(status=Invoice.Status.SUBMITTED, submitted_at__isnull=False)
                     .order_by("submitted_at").values_list("submitted_at", flat=True))
    days = [timezone.localtime(when).date() for when in submitted]
    overdue = sum(1 for day in days if working_days_between(day, today) > target)
    failed = Payment.objects.filter(status__in=PAYMENT_PROBLEMS).aggregate(n=Count("pk"), since=Min("modified_at"))
    since = timezone.localtime(failed["since"]).date() if failed["since"] else None
    return [Todo("invoices.approve", len(days), overdue=overdue, since=days[0] if days else None),
            Todo("payments.failed", failed["n"], since=since)]


def _administrator() -> list[Todo]:
    pending = (ProviderApproval.objects.filter(status=ApprovalStatus.PENDING).values("pk")
               .union(ServiceApproval.objects.filter(status=ApprovalStatus.PENDING).values("pk"), all=True))
    return [Todo("catalogue.approve", pending.count())]


def _provider(user) -> list[Todo]:
    provider_ids = list(providers_for_user(user).values_list("pk", flat=True))
    if not provider_ids:
        return []
    items = ProviderWorkItem.objects.filter(provider_id__in=provider_ids)
    agreement = Q(kind=ProviderWorkItem.Kind.AGREEMENT)
    counts = items.aggregate(
        requests=Count("pk", filter=agreement & Q(status=AgreementStatus.AWAITING_PROVIDER)),
        active=Count("pk", filter=agreement & Q(status=AgreementStatus.ACTIVE)),
        rejected=Count("pk", filter=Q(kind=ProviderWorkItem.Kind.INVOICE, status=Invoice.Status.REJECTED)),
        since=Min("date", filter=agreement & Q(status=AgreementStatus.AWAITING_PROVIDER)))
    return [Todo("agreements.answer", counts["requests"], since=counts["since"]),
            Todo("sessions.record", counts["active"]), Todo("invoices.rejected", counts["rejected"])]


def todo_for(user, municipality, *, today: dt.date | None = None) -> dict[Role, list[Todo]]:
    """{role: its to-do items} for every role ``user`` holds on this site (``municipality`` None: national)."""
    today = today or timezone.localdate()
    held = roles_for(user, municipality)
    found: dict[Role, list[Todo]] = {}
    if municipality is None:
        if Role.PROVIDER_STAFF in held:
            found[Role.PROVIDER_STAFF] = _provider(user)
        return found
    family = [role for role in (Role.PERSON, Role.LEGAL_REPRESENTATIVE) if role in held]
    if family:
        found[family[0]] = _family(user)
    if Role.SUPPORT_PERSON in held:
        found[Role.SUPPORT_PERSON] = _support_person(user)
    if Role.SOCIAL_WORKER in held:
        found[Role.SOCIAL_WORKER] = _social_worker(user, today)
    if Role.FINANCE_OFFICER in held:
        found[Role.FINANCE_OFFICER] = _finance(today)
    if Role.MUNICIPALITY_ADMIN in held:
        found[Role.MUNICIPALITY_ADMIN] = _administrator()
    return found


def todo_count(todos: dict[Role, list[Todo]]) -> int:
    return sum(item.count for items in todos.values() for item in items)
