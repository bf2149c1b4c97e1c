"""One set of test builders for every area: persons, plans, budgets, providers and services, the world
of a municipality with all of them, and the steps of an agreement.

Plain functions that write inside the test's transaction (fixtures stay in the conftest files and call
these). Builders whose point is the rows write them directly; ``make_budget`` goes through the ledger's
own ``budget_grant``, as a municipality would.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from portal.budgets.ledger.models import Budget, BudgetCategory, LedgerEntry
from portal.budgets.ledger.services import budget_grant
from portal.budgets.people import personal_code as pc
from portal.budgets.people.models import Goal, Person, Relation, SupportPlan
from portal.marketplace.agreements.services import agreement_accept, agreement_confirm, agreement_draft_create
from portal.marketplace.approvals.models import ProviderApproval, ServiceApproval
from portal.marketplace.catalogue.models import Provider, ProviderStaff, Service, ServiceType
from portal.platform.accounts.models import User
from portal.tenants.models import Membership
from portal.tenants.roles import Role
from tests.conftest import MUNICIPALITY_A, MUNICIPALITY_B, demo_user

_seq = itertools.count(1)


# ----------------------------------------------------------------------------- persons, plans, budgets
def make_person(*, target_group="adults", user=None, social_worker=None, first_name="Testa",
                last_name=None) -> Person:
    """A person of the current municipality, born in 1990 (adults) or 2015 (children)."""
    n = next(_seq)
    adult = target_group == "adults"
    return Person.objects.create(
        first_name=first_name, last_name=last_name or f"Persona{n}",
        personal_code=pc.make_new(uuid.uuid4().int), birth_date=dt.date(1990, 5, 1) if adult
        else dt.date(2015, 1, 1), target_group=target_group, disability_group="group_1" if adult else "child",
        user=user, social_worker=social_worker)


def make_plan(person, *, goals=((Decimal("60"), ["respite-care"]), (Decimal("40"), ["psychologist"])),
              start=dt.date(2026, 10, 1), end=dt.date(2027, 9, 30), status="approved") -> SupportPlan:
    """The person's next plan, with goals given as (share percent, service type codes)."""
    version = SupportPlan.objects.filter(person=person).count() + 1
    plan = SupportPlan.objects.create(person=person, version=version, period_start=start, period_end=end,
                                      status=status)
    for position, (share, codes) in enumerate(goals):
        goal = Goal.objects.create(plan=plan, position=position, text=f"Goal {position + 1}", share_percent=share)
        goal.service_types.set(ServiceType.objects.filter(code__in=codes))
    return plan


def make_budget(*, target_group="adults", level=2, user=None, **plan_kwargs) -> Budget:
    """A new person with an approved plan, granted a budget by the methodology (``budget_grant``)."""
    person = make_person(target_group=target_group, user=user)
    plan = make_plan(person, **plan_kwargs)
    return budget_grant(plan=plan, actor=None, level=level)


def make_budget_with_categories(person, categories, *, start=None, end=None):
    """An approved plan and a budget of chosen amounts: categories = [(service type code, granted)].

    Returns (budget, [category, ...]); the period runs from 30 days ago to 150 days ahead by default.
    """
    today = timezone.localdate()
    start = start or today - dt.timedelta(days=30)
    end = end or today + dt.timedelta(days=150)
    plan = SupportPlan.objects.create(person=person, version=1, period_start=start, period_end=end,
                                      status="approved", approved_at=timezone.now())
    total = sum((Decimal(g) for _c, g in categories), Decimal("0"))
    budget = Budget.objects.create(person=person, plan=plan, period_start=start, period_end=end, total=total,
                                   target_group=person.target_group, level=2, annual_amount=total,
                                   period_months=Decimal("6"))
    result = []
    for code, granted in categories:
        service_type = ServiceType.objects.get(code=code)
        goal = Goal.objects.create(plan=plan, text=f"Mērķis {code}", share_percent=Decimal("50"))
        goal.service_types.set([service_type])
        category = BudgetCategory.objects.create(budget=budget, goal=goal, name=f"Mērķis {code}",
                                                 granted=Decimal(granted))
        category.service_types.set([service_type])
        LedgerEntry.objects.create(budget=budget, category=category, kind="grant", amount=Decimal(granted),
                                   idempotency_key=f"test-grant:{category.pk}", reference="test")
        result.append(category)
    return budget, result


# ----------------------------------------------------------------------------- providers and services
def make_provider(*, staff=None, name="Atelpa SIA") -> Provider:
    """A verified provider serving both test municipalities; ``staff`` becomes its owner."""
    n = next(_seq)
    with schema_context("public"):
        provider = Provider.objects.create(
            name=f"{name} {n}", slug=f"test-provider-{n}-{timezone.now().timestamp():.0f}",
            social_register_number=f"T{n:05d}"[-6:], company_number=f"9{n:010d}", legal_form="sia",
            email=f"p{n}@example.lv", phone="+371 20000000", address="Rīga", description_lv="Apraksts",
            municipalities_served=[MUNICIPALITY_A, MUNICIPALITY_B], iban="LV80BANK0000435195001",
            status="verified", verified_at=timezone.now())
        if staff is not None:
            ProviderStaff.objects.create(user=staff, provider=provider, is_owner=True)
    return provider


def make_service(provider, type_code, price, *, unit="hour", groups=("adults", "children")) -> Service:
    with schema_context("public"):
        return Service.objects.create(
            provider=provider, service_type=ServiceType.objects.get(code=type_code),
            title_lv=f"Pakalpojums {type_code}", title_en=f"Service {type_code}", description_lv="Apraksts",
            target_groups=list(groups),
            delivery_modes=["home"], unit=unit, unit_price=Decimal(price))


def approve(provider, *services) -> None:
    """The current municipality approves the provider and the services."""
    ProviderApproval.objects.get_or_create(provider=provider, defaults={"status": "approved"})
    for service in services:
        ServiceApproval.objects.get_or_create(service=service, defaults={"status": "approved"})


def own_staff_user(provider) -> User:
    """A provider-staff user of this provider only (the demo staff also works for the demo provider)."""
    with schema_context("public"):
        user = User.objects.create(email=f"test-staff-{provider.pk}@example.lv", full_name="Test Staff")
        Membership.objects.create(user=user, role=Role.PROVIDER_STAFF, municipality=None)
        ProviderStaff.objects.create(user=user, provider=provider, is_owner=True)
    return user


# ----------------------------------------------------------------------------- the world of a municipality
@dataclass
class World:
    municipality: object
    provider: object
    service: object  # respite care, 10.00 EUR an hour
    pricey: object  # home care, 25.00 EUR an hour
    staff: object  # provider staff user
    person_user: object
    representative: object
    supporter: object
    social_worker: object
    admin: object
    adult: object
    child: object
    budget: object
    category: object  # respite care, 1000 EUR
    home_category: object  # home care, 300 EUR
    goal: object
    child_category: object


def build_world(municipality) -> World:
    """In ``municipality``: an approved provider with two services, an adult (with a support person) and a
    child (with a legal representative), each with an approved plan and budget. Leaves the tenant set."""
    connection.set_tenant(municipality)
    code = municipality.code
    staff = demo_user(Role.PROVIDER_STAFF)
    provider = make_provider(staff=staff)
    service = make_service(provider, "respite-care", "10.00")
    pricey = make_service(provider, "home-care", "25.00")
    approve(provider, service, pricey)
    social_worker = demo_user(Role.SOCIAL_WORKER, code)
    person_user = demo_user(Role.PERSON, code)
    representative = demo_user(Role.LEGAL_REPRESENTATIVE, code)
    supporter = demo_user(Role.SUPPORT_PERSON, code)
    adult = make_person(user=person_user, social_worker=social_worker)
    child = make_person(target_group="children", social_worker=social_worker)
    today = timezone.localdate()
    Relation.objects.create(person=child, user=representative, kind="legal_representative", basis="parent",
                            valid_from=today - dt.timedelta(days=365))
    Relation.objects.create(person=adult, user=supporter, kind="support_person", basis="support_agreement",
                            may_see=["agreements", "budget"], valid_from=today - dt.timedelta(days=365))
    budget, (category, home_category) = make_budget_with_categories(
        adult, [("respite-care", "1000.00"), ("home-care", "300.00")])
    _child_budget, (child_category,) = make_budget_with_categories(child, [("respite-care", "500.00")])
    return World(municipality=municipality, provider=provider, service=service, pricey=pricey, staff=staff,
                 person_user=person_user, representative=representative, supporter=supporter,
                 social_worker=social_worker, admin=demo_user(Role.MUNICIPALITY_ADMIN, code), adult=adult,
                 child=child, budget=budget, category=category, home_category=home_category,
                 goal=category.goal, child_category=child_category)


# ----------------------------------------------------------------------------- steps of an agreement
def draft(world, *, person=None, actor=None, service=None, units_per_week="2", **kwargs):
    """A draft agreement for the adult (or ``person``) on the world's respite-care service."""
    connection.set_tenant(world.municipality)
    return agreement_draft_create(person=person or world.adult, service=service or world.service,
                                  actor=actor or world.person_user, units_per_week=units_per_week, **kwargs)


def sent(world, **kwargs):
    """A draft confirmed by the person (or the child's representative): sent to the provider."""
    agreement = draft(world, **kwargs)
    decider = world.representative if agreement.person_id == world.child.pk else world.person_user
    return agreement_confirm(agreement=agreement, actor=decider)


def active(world, **kwargs):
    """A sent agreement accepted by the provider: active, with its budget reserved."""
    return agreement_accept(agreement=sent(world, **kwargs), actor=world.staff)
