"""One municipality's rollup: read its own schema (the current one) and sum it into statistics cells.

Only counts, sums and lists of day counts and provider ids come out of here — never a person's id, name or
any text. Each event is dated to a month and counted in the cell of its month, its year and all time, for
its service type and for "all service types" (``""``); ``persons`` is the number of distinct persons with
any event in the cell (computed here, where the persons are, because distinct counts cannot be summed).

When a figure is counted (docs/subsystems/statistics.md): persons assessed — month of their latest
assessment; with a plan — month their first plan was approved; with a budget — month of their first
budget; nothing booked — the day eight weeks into an approved plan when no agreement had been made; goals —
month the plan was reviewed; agreements — month created, by current state; money — ledger entries' month;
invoice days — month approved.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Max, Min
from django.utils import timezone

from portal.budgets.ledger.models import Budget, LedgerEntry
from portal.budgets.people.models import Assessment, Goal, Person, SupportPlan
from portal.marketplace.agreements.models import Agreement, AgreementStatus
from portal.marketplace.approvals.models import ApprovalStatus, ProviderApproval
from portal.marketplace.invoicing.models import Invoice, InvoiceStatus
from portal.platform.core.money import CENT

from .models import COUNT_MEASURES, DAY_MEASURES, MONEY_MEASURES, PROVIDER_MEASURES, ZERO

NOTHING_BOOKED_AFTER = dt.timedelta(weeks=8)
AGREEMENT_STATE_MEASURE = {
    AgreementStatus.DRAFT: "agreements_pending", AgreementStatus.AWAITING_PERSON: "agreements_pending",
    AgreementStatus.AWAITING_PROVIDER: "agreements_pending",
    AgreementStatus.AWAITING_MUNICIPALITY: "agreements_pending", AgreementStatus.ACTIVE: "agreements_active",
    AgreementStatus.COMPLETED: "agreements_ended", AgreementStatus.EXPIRED: "agreements_ended",
    AgreementStatus.CANCELLED: "agreements_stopped", AgreementStatus.DECLINED: "agreements_stopped",
}
GOAL_MEASURE = {Goal.Outcome.ACHIEVED: "goals_achieved", Goal.Outcome.PARTLY: "goals_partly",
                Goal.Outcome.NOT_ACHIEVED: "goals_not"}
# Each entry's legs (ledger.models.LEGS): what it adds to which bucket.
LEDGER_MEASURE = {LedgerEntry.Kind.GRANT: {"granted": 1}, LedgerEntry.Kind.RESERVE: {"reserved": 1},
                  LedgerEntry.Kind.POST: {"reserved": -1, "spent": 1}, LedgerEntry.Kind.VOID: {"reserved": -1},
                  LedgerEntry.Kind.CLOSE: {"returned": 1}, LedgerEntry.Kind.REFUND: {"reserved": 1, "spent": -1}}
AGREEMENT_KEY = re.compile(r"^agreement:(\d+):")


@dataclass
class Cell:
    persons: set = field(default_factory=set)
    counts: dict = field(default_factory=lambda: dict.fromkeys(COUNT_MEASURES, 0))
    money: dict = field(default_factory=lambda: dict.fromkeys(MONEY_MEASURES, ZERO))
    days: dict = field(default_factory=lambda: {m: [] for m in DAY_MEASURES})
    providers: dict = field(default_factory=lambda: {m: set() for m in PROVIDER_MEASURES})


def periods_of(day: dt.date) -> tuple[str, str, str]:
    return (f"{day:%Y-%m}", f"{day:%Y}", "")


def _local_date(moment) -> dt.date:
    return timezone.localtime(moment).date() if isinstance(moment, dt.datetime) else moment


def funding_shares(amount: Decimal, funding: list[dict]) -> dict[str, Decimal]:
    """``amount`` split by the budget's funding snapshot, to the cent (the rest on the largest share)."""
    shares = {"esf": ZERO, "state": ZERO, "municipal": ZERO}
    sources = [(s.get("code"), Decimal(str(s.get("share_percent", "0")))) for s in funding or []]
    sources = [(code, share) for code, share in sources if share > 0 and code in shares]
    if not sources:
        shares["municipal"] = amount
        return shares
    for code, share in sources:
        shares[code] += (amount * share / Decimal(100)).quantize(CENT, rounding=ROUND_HALF_UP)
    largest = max(sources, key=lambda s: s[1])[0]
    shares[largest] += amount - sum(shares.values())
    return shares


class Rollup:
    def __init__(self):
        self.cells: dict[tuple[str, str, str], Cell] = defaultdict(Cell)

    def _cells(self, group: str, service_type: str, day: dt.date):
        types = ("", service_type) if service_type else ("",)
        for period in periods_of(day):
            for st in types:
                yield self.cells[(group, st, period)]

    def add(self, *, person_id, group, day, service_type="", count=None, money=None, days=None, providers=None):
        for cell in self._cells(group, service_type, day):
            if person_id is not None:
                cell.persons.add(person_id)
            if count:
                cell.counts[count] += 1
            for measure, amount in (money or {}).items():
                cell.money[measure] += amount
            for measure, value in (days or {}).items():
                cell.days[measure].append(value)
            for measure, provider_id in (providers or {}).items():
                cell.providers[measure].add(provider_id)


def municipality_rollup(*, today: dt.date | None = None) -> dict[tuple[str, str, str], Cell]:
    """{(target group, service type, period): Cell} of the current municipality's schema."""
    today = today or timezone.localdate()
    rollup = Rollup()
    group_of = dict(Person.objects.values_list("pk", "target_group"))

    for person_id, day in Assessment.objects.values("person_id").annotate(day=Max("assessed_on")).values_list(
            "person_id", "day"):
        rollup.add(person_id=person_id, group=group_of[person_id], day=day, count="persons_assessed")
    for person_id, moment in (SupportPlan.objects.filter(approved_at__isnull=False).values("person_id")
                              .annotate(first=Min("approved_at")).values_list("person_id", "first")):
        rollup.add(person_id=person_id, group=group_of[person_id], day=_local_date(moment),
                   count="persons_with_plan")

    budgets = list(Budget.objects.values("pk", "person_id", "target_group", "granted_at", "period_months",
                                         "funding"))
    budget_by_id = {b["pk"]: b for b in budgets}
    first_budget = {}
    for b in sorted(budgets, key=lambda b: (b["granted_at"], b["pk"])):
        first_budget.setdefault(b["person_id"], b["pk"])
    for b in budgets:
        rollup.add(person_id=b["person_id"], group=b["target_group"], day=_local_date(b["granted_at"]),
                   count="persons_with_budget" if first_budget[b["person_id"]] == b["pk"] else None,
                   money={"budget_months": b["period_months"]})

    agreements = list(Agreement.objects.values("pk", "person_id", "status", "created_at", "provider_id",
                                               "reservation_id", "service__service_type__code"))
    type_of_agreement = {a["pk"]: a["service__service_type__code"] for a in agreements}
    first_agreement = defaultdict(lambda: None)
    for a in agreements:
        day = _local_date(a["created_at"])
        if first_agreement[a["person_id"]] is None or day < first_agreement[a["person_id"]]:
            first_agreement[a["person_id"]] = day
        active = a["status"] == AgreementStatus.ACTIVE
        rollup.add(person_id=a["person_id"], group=group_of[a["person_id"]], day=day,
                   service_type=a["service__service_type__code"], count=AGREEMENT_STATE_MEASURE[a["status"]],
                   providers={"providers_active": a["provider_id"]} if active else None)

    for plan in SupportPlan.objects.filter(approved_at__isnull=False).values("person_id", "period_start"):
        due = plan["period_start"] + NOTHING_BOOKED_AFTER
        booked = first_agreement[plan["person_id"]]
        if due <= today and (booked is None or booked > due):
            rollup.add(person_id=plan["person_id"], group=group_of[plan["person_id"]], day=due,
                       count="persons_nothing_booked")
    for goal in (Goal.objects.filter(plan__reviewed_at__isnull=False).exclude(outcome="")
                 .values("outcome", "plan__person_id", "plan__reviewed_at")):
        person_id = goal["plan__person_id"]
        rollup.add(person_id=person_id, group=group_of[person_id], day=_local_date(goal["plan__reviewed_at"]),
                   count=GOAL_MEASURE[goal["outcome"]])

    # Money: every ledger entry, in the month it was written, under the service type of its agreement.
    agreement_of_reserve = {a["reservation_id"]: a["pk"] for a in agreements if a["reservation_id"]}
    entries = list(LedgerEntry.objects.values_list("pk", "kind", "amount", "created_at", "budget_id",
                                                   "reservation_id", "idempotency_key").order_by("pk"))
    for pk, kind, _amount, _created, _budget, _reservation, key in entries:
        found = AGREEMENT_KEY.match(key)
        if kind == LedgerEntry.Kind.RESERVE and found and pk not in agreement_of_reserve:
            agreement_of_reserve[pk] = int(found.group(1))
    for pk, kind, amount, created, budget_id, reservation_id, _key in entries:
        budget = budget_by_id[budget_id]
        agreement_id = agreement_of_reserve.get(reservation_id if reservation_id else pk)
        service_type = type_of_agreement.get(agreement_id, "") if kind != LedgerEntry.Kind.GRANT else ""
        money = {measure: amount * sign for measure, sign in LEDGER_MEASURE[kind].items()}
        if kind in (LedgerEntry.Kind.POST, LedgerEntry.Kind.REFUND):  # a refund takes its post's shares back
            sign = -1 if kind == LedgerEntry.Kind.REFUND else 1
            money.update({f"spent_{code}": share * sign
                          for code, share in funding_shares(amount, budget["funding"]).items()})
        if kind == LedgerEntry.Kind.CLOSE:
            service_type = ""
        rollup.add(person_id=budget["person_id"], group=budget["target_group"], day=_local_date(created),
                   service_type=service_type, money=money)

    for inv in (Invoice.objects.filter(status__in=(InvoiceStatus.APPROVED, InvoiceStatus.PAID),
                                       decided_at__isnull=False, submitted_at__isnull=False)
                .values("agreement_id", "agreement__person_id", "submitted_at", "decided_at", "paid_at")):
        days = {"days_to_approve": max(0, (inv["decided_at"] - inv["submitted_at"]).days)}
        if inv["paid_at"]:
            days["days_to_pay"] = max(0, (inv["paid_at"] - inv["decided_at"]).days)
        person_id = inv["agreement__person_id"]
        rollup.add(person_id=person_id, group=group_of[person_id], day=_local_date(inv["decided_at"]),
                   service_type=type_of_agreement[inv["agreement_id"]], days=days)

    approved = set(ProviderApproval.objects.filter(status=ApprovalStatus.APPROVED).values_list("provider_id",
                                                                                                flat=True))
    if approved:
        for group in ("children", "adults"):
            cell = rollup.cells[(group, "", "")]
            cell.providers["providers_approved"].update(approved)
    return dict(rollup.cells)
