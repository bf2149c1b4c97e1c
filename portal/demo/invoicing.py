"""Demo data for invoicing: sessions for the past months and invoices in every state.

Per municipality: the demo provider (the one "sniedzejs@sbs.localhost" works for) gets agreements with
the demo person and the legal representative's child that started in past months (made through the
agreements area's own services), plus any active agreement the agreements demo made. For each, a
session a week since the start — older months confirmed, this month waiting (one disputed) — and a
monthly invoice for each finished month: paid, approved, rejected, or waiting (one past the target).
Idempotent: an agreement that has sessions is left alone. Fast: a few hundred rows per municipality.
"""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from portal.budgets.ledger.selectors import category_for, current_budget
from portal.budgets.people.models import Person, Relation
from portal.marketplace.agreements import services as agreements
from portal.marketplace.agreements.models import Agreement, AgreementStatus
from portal.marketplace.approvals.selectors import approved_services
from portal.marketplace.catalogue.selectors import providers_for_user
from portal.marketplace.invoicing.index import registry_reindex
from portal.marketplace.invoicing.invoices import invoice_approve, invoice_create, invoice_reject, invoice_submit
from portal.marketplace.invoicing.models import Invoice, Session
from portal.marketplace.invoicing.selectors import invoice_check
from portal.marketplace.invoicing.sessions import session_confirm, session_dispute, session_record
from portal.marketplace.payments.services import payment_mark_paid
from portal.platform.accounts.models import User
from portal.platform.core.errors import DomainError
from portal.tenants.roles import Role

from .users import municipal_email

STAFF = ["Anna Kalēja", "Mārtiņš Vītols", "Inese Ozoliņa", "Kristīne Lāce"]
NOTES = ["Pastaiga un sarunas", "Ikdienas prasmju treniņš", "Atelpas brīdis ģimenei", "Iepirkšanās kopā",
         "Nodarbība par emocijām", "Sarunu grupa"]
PROGRESS = ["some", "good", "none", "some", "good", "reached"]


def _say(out, message):
    if out is not None:
        print(message, file=out, flush=True)


def _month_start(day: dt.date, back: int = 0) -> dt.date:
    year, month = day.year, day.month - back
    while month <= 0:
        month += 12
        year -= 1
    return dt.date(year, month, 1)


def _demo_agreements(municipality, staff_user, provider, approver):
    """Active agreements of the demo provider that started in past months (created if missing)."""
    today = timezone.localdate()
    services = list(approved_services().filter(provider=provider, is_active=True).select_related("service_type"))
    deciders = []
    adult = Person.objects.filter(user__isnull=False).select_related("user").first()
    if adult is not None:
        deciders.append((adult, adult.user))
    rel = Relation.objects.filter(kind="legal_representative").select_related("person", "user").first()
    if rel is not None:
        deciders.append((rel.person, rel.user))
    for person, decider in deciders:
        if Agreement.objects.filter(person=person, provider=provider, period_start__lt=today).exists():
            continue
        budget = current_budget(person)
        if budget is None:
            continue
        for service in services:
            if service.target_groups and person.target_group not in service.target_groups:
                continue
            category = category_for(budget, service.service_type)
            if category is None or category.available < service.unit_price * 8:
                continue
            start = max(budget.period_start, _month_start(today, 3))
            if start >= today:
                continue
            units = min(Decimal("30"), (category.available / service.unit_price).quantize(Decimal("1")) - 1)
            try:
                draft = agreements.agreement_draft_create(person=person, service=service, actor=decider,
                                                          total_units=units, period_start=start,
                                                          period_end=budget.period_end)
                sent = agreements.agreement_confirm(agreement=draft, actor=decider, accept_copayment=True)
                accepted = agreements.agreement_accept(agreement=sent, actor=staff_user)
                if accepted.status == AgreementStatus.AWAITING_MUNICIPALITY and approver is not None:
                    agreements.agreement_approve(agreement=accepted, actor=approver)
            except DomainError:
                continue
            break
    return list(Agreement.objects.filter(status=AgreementStatus.ACTIVE, period_start__lt=today)
                .select_related("service", "person").order_by("pk")[:6])


def _sessions_for(agreement, staff_user, decider, index):
    today = timezone.localdate()
    first = max(agreement.period_start, _month_start(today, 3))
    day = first + dt.timedelta(days=(1 - first.weekday()) % 7)  # Tuesdays
    used = Decimal("0")
    units = Decimal("1") if agreement.unit != "hour" else Decimal("2")
    n = 0
    while day <= today and day <= agreement.period_end and used + units <= agreement.total_units:
        session = session_record(
            agreement=agreement, actor=staff_user, date=day, start_time=dt.time(10, 0), units=units,
            staff_name=STAFF[(index + n) % len(STAFF)], note=NOTES[n % len(NOTES)],
            goal_progress=PROGRESS[n % len(PROGRESS)], external_id=f"demo-{agreement.pk}-{n}")
        used += units
        if day < _month_start(today):
            if decider is not None:
                session_confirm(session=session, actor=decider)
        elif n % 4 == 3 and decider is not None:
            session_dispute(session=session, reason="Nodarbība bija īsāka, nekā norādīts.",
                            actor=decider)
        n += 1
        day += dt.timedelta(days=7)
    return n


def _invoices_for(agreement, staff_user, finance, index):
    today = timezone.localdate()
    months = []
    for back in (3, 2, 1):
        start = _month_start(today, back)
        if start >= _month_start(agreement.period_start):
            months.append(start)
    made = 0
    for position, start in enumerate(months):
        try:
            invoice = invoice_create(agreement=agreement, year=start.year, month=start.month,
                                     actor=staff_user)
        except DomainError:
            continue
        if not invoice_check(invoice).clean:
            continue  # leave it as a draft with its problems explained
        invoice = invoice_submit(invoice=invoice, actor=staff_user)
        made += 1
        last = position == len(months) - 1
        if finance is None:
            continue
        if last:
            if index % 2 == 0:  # waiting longer than the target: highlighted in the queue
                Invoice.objects.filter(pk=invoice.pk).update(
                    submitted_at=timezone.now() - dt.timedelta(days=12))
            continue
        if index % 3 == 1 and position == len(months) - 2:
            invoice_reject(invoice=invoice, reason="Rēķinā norādītas nodarbības, kuras persona "
                           "apstrīd; lūdzu precizēt un iesniegt vēlreiz.", actor=finance)
            continue
        invoice = invoice_approve(invoice=invoice, actor=finance)
        if position == 0:
            payment_mark_paid(invoice=invoice, actor=finance)  # paid by hand before the payments demo
    return made


def load(municipality, out):
    started = time.perf_counter()
    staff_user = User.objects.filter(email="sniedzejs@sbs.localhost").first()
    provider = providers_for_user(staff_user).first() if staff_user else None
    if provider is None:
        _say(out, f"  invoicing: {municipality.code}: no demo provider, skipped")
        return
    finance = User.objects.filter(email=municipal_email("finanses", municipality.code)).first()
    if finance is not None and not finance.memberships.filter(role=Role.FINANCE_OFFICER).exists():
        finance = None
    sessions = invoices = 0
    approver = User.objects.filter(email=municipal_email("socialais.darbinieks", municipality.code)).first()
    agreements = _demo_agreements(municipality, staff_user, provider, approver)
    for index, agreement in enumerate(agreements):
        if Session.objects.filter(agreement=agreement).exists():
            continue
        decider = _decider(agreement)
        with transaction.atomic():
            sessions += _sessions_for(agreement, staff_user, decider, index)
            invoices += _invoices_for(agreement, staff_user, finance, index)
    registry_reindex(municipality)
    _say(out, f"  invoicing: {municipality.code}: {sessions} sessions, {invoices} invoices on "
              f"{len(agreements)} agreements ({time.perf_counter() - started:.2f} s)")


def _decider(agreement):
    person = agreement.person
    if person.user_id:
        return person.user
    rel = Relation.objects.filter(person=person, kind="legal_representative").select_related("user").first()
    return rel.user if rel else None
