"""Fixtures for agreements: a provider with services, a person with an approved plan and budget, and
their representatives — built with the other areas' models, inside the test's transaction."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from portal.tenants.roles import Role
from tests.conftest import MUNICIPALITY_A, MUNICIPALITY_B, demo_user

_seq = itertools.count(1)


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


def make_provider(*, staff=None, name="Atelpa SIA"):
    from portal.marketplace.catalogue.models import Provider, ProviderStaff

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


def make_service(provider, type_code, price, *, unit="hour", groups=("adults", "children")):
    from portal.marketplace.catalogue.models import Service, ServiceType

    with schema_context("public"):
        return Service.objects.create(
            provider=provider, service_type=ServiceType.objects.get(code=type_code), title_lv=f"Pakalpojums {type_code}",
            title_en=f"Service {type_code}", description_lv="Apraksts", target_groups=list(groups),
            delivery_modes=["home"], unit=unit, unit_price=Decimal(price))


def approve(provider, *services):
    from portal.marketplace.approvals.models import ProviderApproval, ServiceApproval

    ProviderApproval.objects.get_or_create(provider=provider, defaults={"status": "approved"})
    for service in services:
        ServiceApproval.objects.get_or_create(service=service, defaults={"status": "approved"})


def make_person(*, user=None, target_group="adults", social_worker=None):
    from portal.budgets.people.models import Person

    n = next(_seq)
    return Person.objects.create(
        first_name="Testa", last_name=f"Persona{n}", personal_code=f"T{n:06d}{timezone.now().microsecond:05d}"[:12],
        birth_date=dt.date(1990, 1, 1) if target_group == "adults" else dt.date(2015, 1, 1),
        target_group=target_group, disability_group="group_1" if target_group == "adults" else "child", user=user, social_worker=social_worker)


def make_budget(person, categories, *, start=None, end=None):
    """An approved plan and its budget: categories = [(service type code, granted)]."""
    from portal.budgets.ledger.models import Budget, BudgetCategory, LedgerEntry
    from portal.budgets.people.models import Goal, SupportPlan
    from portal.marketplace.catalogue.models import ServiceType

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


def build_world(municipality) -> World:
    from portal.budgets.people.models import Relation

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
    budget, (category, home_category) = make_budget(adult, [("respite-care", "1000.00"), ("home-care", "300.00")])
    _child_budget, (child_category,) = make_budget(child, [("respite-care", "500.00")])
    return World(municipality=municipality, provider=provider, service=service, pricey=pricey, staff=staff,
                 person_user=person_user, representative=representative, supporter=supporter,
                 social_worker=social_worker, admin=demo_user(Role.MUNICIPALITY_ADMIN, code), adult=adult,
                 child=child, budget=budget, category=category, home_category=home_category,
                 goal=category.goal, child_category=child_category)


@pytest.fixture
def world(muni_a) -> World:
    return build_world(muni_a)


@pytest.fixture
def in_a(muni_a):
    connection.set_tenant(muni_a)
    return muni_a


def draft(world, *, person=None, actor=None, service=None, units_per_week="2", **kwargs):
    from portal.marketplace.agreements.services import agreement_draft_create

    connection.set_tenant(world.municipality)
    return agreement_draft_create(person=person or world.adult, service=service or world.service,
                                  actor=actor or world.person_user, units_per_week=units_per_week, **kwargs)


def sent(world, **kwargs):
    from portal.marketplace.agreements.services import agreement_confirm

    agreement = draft(world, **kwargs)
    decider = world.representative if agreement.person_id == world.child.pk else world.person_user
    return agreement_confirm(agreement=agreement, actor=decider)


def active(world, **kwargs):
    from portal.marketplace.agreements.services import agreement_accept

    return agreement_accept(agreement=sent(world, **kwargs), actor=world.staff)
