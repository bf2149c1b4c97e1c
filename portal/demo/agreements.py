"""Demo data for agreements: the demo persons' agreements with the demo provider, in every state.

Runs after the people and ledger demos, through the services (so events, reservations and the audit log
are real). Idempotent: a municipality that already has agreements is left alone.
"""

from __future__ import annotations

import datetime as dt
import time
from decimal import ROUND_FLOOR, Decimal

from django.db import transaction
from django.utils import timezone

from portal.budgets.ledger.selectors import category_for, current_budget
from portal.budgets.people.models import Person, Relation
from portal.marketplace.agreements import services
from portal.marketplace.agreements.models import Agreement, MunicipalRules
from portal.marketplace.approvals.selectors import approved_services
from portal.marketplace.catalogue.selectors import providers_for_user
from portal.platform.accounts.models import User
from portal.platform.core.errors import DomainError
from portal.tenants.roles import Role

from .users import MUNICIPAL_DEMO_USERS, NATIONAL_DEMO_USERS, municipal_email


def _say(out, message):
    if out is not None:
        print(message, file=out, flush=True)


def _demo_cast(municipality):
    emails = {role: municipal_email(local, municipality.code) for role, local, _ in MUNICIPAL_DEMO_USERS}
    emails.update({role: email for role, email, _ in NATIONAL_DEMO_USERS if role == Role.PROVIDER_STAFF})
    users = {u.email: u for u in User.objects.filter(email__in=emails.values())}
    return {role: users.get(email) for role, email in emails.items()}, Role


def _services_for(person, provider):
    """(service, category) pairs of the provider's approved services the person's budget pays for."""
    budget = current_budget(person)
    if budget is None:
        return budget, []
    pairs = []
    for service in approved_services().filter(provider=provider).select_related("service_type").order_by("pk"):
        if service.target_groups and person.target_group not in service.target_groups:
            continue
        category = category_for(budget, service.service_type)
        if category is not None and service.unit_price > 0:
            pairs.append((service, category))
    # One service of each type first, so the demo's agreements are not all for the same thing.
    seen: dict = {}
    ranked = []
    for service, category in pairs:
        rank = seen.get(service.service_type_id, 0)
        seen[service.service_type_id] = rank + 1
        ranked.append((rank, len(ranked), service, category))
    return budget, [(service, category) for _r, _i, service, category in sorted(ranked)]


def _units(category, service, share: str, cap: int) -> Decimal:
    """A few units that fit in ``share`` of what the category has left (0 if nothing fits)."""
    category.refresh_from_db(fields=["granted", "reserved", "spent", "returned"])
    affordable = (category.available * Decimal(share) / service.unit_price).quantize(Decimal("1"), ROUND_FLOOR)
    return min(Decimal(cap), affordable)


def load(municipality, out):
    """Agreements in every state for the demo adult and child with the demo provider."""
    started = time.perf_counter()
    MunicipalRules.current()
    if Agreement.objects.exists():
        _say(out, f"  agreements: {municipality.code} already has {Agreement.objects.count()} agreements")
        return
    cast, Role = _demo_cast(municipality)
    staff = cast.get(Role.PROVIDER_STAFF)
    person_user, representative = cast.get(Role.PERSON), cast.get(Role.LEGAL_REPRESENTATIVE)
    supporter, worker = cast.get(Role.SUPPORT_PERSON), cast.get(Role.SOCIAL_WORKER)
    provider = providers_for_user(staff).order_by("pk").first() if staff else None
    adult = Person.objects.filter(user=person_user).first() if person_user else None
    child = (Person.objects.filter(relations__user=representative,
                                   relations__kind=Relation.Kind.LEGAL_REPRESENTATIVE).first()
             if representative else None)
    if provider is None or adult is None:
        _say(out, f"  agreements: {municipality.code}: no demo provider or person, nothing to do")
        return
    today = timezone.localdate()
    made = 0

    def make(person, decider, service, category, budget, *, units, start=None, preparer=None, explanation=""):
        nonlocal made
        if units <= 0:
            return None
        start = max(start or today, budget.period_start)
        try:
            with transaction.atomic():
                agreement = services.agreement_draft_create(
                    person=person, service=service, actor=preparer or decider, total_units=units,
                    units_per_week=None, period_start=start, period_end=budget.period_end,
                    explanation=explanation, accept_copayment=True)
        except DomainError:  # e.g. the price is above this municipality's cap and it refuses the difference
            return None
        made += 1
        return agreement

    with transaction.atomic():
        budget, pairs = _services_for(adult, provider)
        if pairs:
            ring = [pairs[i % len(pairs)] for i in range(8)]
            # Active for months already: the invoicing demo records sessions and invoices on it.
            s, c = ring[0]
            a = make(adult, person_user, s, c, budget, units=_units(c, s, "0.3", 40), start=budget.period_start)
            if a:
                services.agreement_confirm(agreement=a, actor=person_user)
                services.agreement_accept(agreement=a, actor=staff)
            # Waiting for the provider's answer.
            s, c = ring[1]
            a = make(adult, person_user, s, c, budget, units=_units(c, s, "0.1", 8))
            if a:
                services.agreement_confirm(agreement=a, actor=person_user)
            # Prepared by the support person, waiting for the person to confirm.
            if supporter is not None:
                s, c = ring[2]
                a = make(adult, person_user, s, c, budget, units=_units(c, s, "0.1", 6), preparer=supporter,
                         explanation="Divas reizes nedēļā, otrdienās un ceturtdienās. Maksā no atelpas mērķa.")
                if a:
                    services.agreement_send_to_person(agreement=a, actor=supporter)
            # A plain draft.
            s, c = ring[3]
            make(adult, person_user, s, c, budget, units=_units(c, s, "0.05", 4))
            # Declined by the provider, with a reason.
            s, c = ring[4]
            a = make(adult, person_user, s, c, budget, units=_units(c, s, "0.1", 6))
            if a:
                services.agreement_confirm(agreement=a, actor=person_user)
                services.agreement_decline(agreement=a, actor=staff,
                                           reason="Šajā laikā mums nav brīva speciālista. Piedāvājam no nākamā mēneša.")
            # Expired: the provider did not answer in time.
            s, c = ring[5]
            a = make(adult, person_user, s, c, budget, units=_units(c, s, "0.1", 4))
            if a:
                services.agreement_confirm(agreement=a, actor=person_user)
                Agreement.objects.filter(pk=a.pk).update(respond_by=timezone.now() - dt.timedelta(days=1))
                services.agreements_expire()
            # Accepted, waiting for the municipality's approval.
            s, c = ring[6]
            a = make(adult, person_user, s, c, budget, units=_units(c, s, "0.1", 6))
            if a:
                services.agreement_confirm(agreement=a, actor=person_user)
                Agreement.objects.filter(pk=a.pk).update(requires_approval=True)
                a.refresh_from_db()
                services.agreement_accept(agreement=a, actor=staff)
            # Cancelled with notice, and one completed.
            s, c = ring[7]
            a = make(adult, person_user, s, c, budget, units=_units(c, s, "0.1", 4))
            if a:
                services.agreement_confirm(agreement=a, actor=person_user)
                services.agreement_accept(agreement=a, actor=staff)
                services.agreement_cancel(agreement=a, actor=person_user, reason="Mainījās darba grafiks.",
                                          effective=today + dt.timedelta(days=14))
            s, c = ring[1]
            a = make(adult, person_user, s, c, budget, units=_units(c, s, "0.05", 2), start=budget.period_start)
            if a and worker is not None:
                services.agreement_confirm(agreement=a, actor=person_user)
                services.agreement_accept(agreement=a, actor=staff)
                services.agreement_complete(agreement=a, actor=worker)
        if child is not None and representative is not None:
            budget, pairs = _services_for(child, provider)
            if pairs:
                s, c = pairs[0]
                a = make(child, representative, s, c, budget, units=_units(c, s, "0.3", 30),
                         start=budget.period_start)
                if a:
                    services.agreement_confirm(agreement=a, actor=representative)
                    services.agreement_accept(agreement=a, actor=staff)
                s, c = pairs[-1]
                a = make(child, representative, s, c, budget, units=_units(c, s, "0.1", 6))
                if a:
                    services.agreement_confirm(agreement=a, actor=representative)
    _say(out, f"  agreements: {municipality.code}: {made} agreements ({time.perf_counter() - started:.2f} s)")
