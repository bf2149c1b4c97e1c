"""Fixtures for the people area: builders that go through the people services (registering a person,
drawing up a plan), as the area under test. Row builders for other areas are in tests/factories.py."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from portal.budgets.people import personal_code as pc
from portal.budgets.people.models import Person
from tests.conftest import MUNICIPALITY_A, MUNICIPALITY_B, demo_user  # noqa: F401

TODAY = dt.date.today()


@pytest.fixture
def worker(db):
    from portal.tenants.roles import Role

    return demo_user(Role.SOCIAL_WORKER, MUNICIPALITY_A)


_serial = iter(range(100, 999))


def adult_data(**overrides) -> dict:
    birth = overrides.pop("birth_date", dt.date(1990, 5, 17))
    data = {
        "first_name": "Jānis", "last_name": "Testiņš", "personal_code": pc.make_old(birth, next(_serial)),
        "birth_date": birth, "target_group": "adults", "disability_group": "group_2",
        "address": "Lielā iela 1, Jelgava", "latitude": Decimal("56.651100"), "longitude": Decimal("23.721400"),
        "phone": "+371 20000000", "email": "janis@example.lv", "preferred_language": "lv",
    }
    data.update(overrides)
    return data


def child_data(**overrides) -> dict:
    birth = overrides.pop("birth_date", TODAY.replace(year=TODAY.year - 8, day=1))
    data = adult_data(birth_date=birth, first_name="Elīza", target_group="children", disability_group="child")
    data["personal_code"] = pc.make_old(birth, next(_serial))
    data.update(overrides)
    return data


def goals(*shares, types=("respite-care",)):
    return [{"text": f"Es gribu {i}", "service_types": list(types), "share_percent": Decimal(s)}
            for i, s in enumerate(shares)]


def sis_scores(value=10):
    from portal.budgets.people.models import SIS_SUBSCALES

    return {k: value for k in SIS_SUBSCALES}


def child_scores(value=2):
    from portal.budgets.people.models import CHILD_DOMAINS

    return {k: value for k in CHILD_DOMAINS}


@pytest.fixture
def register_person(in_a, worker):
    from portal.budgets.people import services

    def make(**overrides) -> Person:
        child = overrides.pop("child", False)
        data = child_data(**overrides) if child else adult_data(**overrides)
        return services.person_create(actor=worker, **data)

    return make


@pytest.fixture
def draw_up_plan(register_person, worker):
    """A person with an assessment and an approved (or draft) plan, built through the services."""
    from portal.budgets.people import services

    def make(*, person=None, status="approved", shares=("60", "40"), child=False):
        person = person or register_person(child=child)
        scores = child_scores() if person.is_child else sis_scores()
        assessment = services.assessment_create(
            person=person, scores=scores, assessed_on=TODAY - dt.timedelta(days=10),
            valid_until=TODAY + dt.timedelta(days=700), actor=worker)
        start = TODAY.replace(day=1)
        from portal.budgets.people.plans import add_months

        plan = services.plan_create(person=person, period_start=start,
                                    period_end=add_months(start, 12) - dt.timedelta(days=1),
                                    goals=goals(*shares), assessment=assessment, actor=worker)
        if status in ("agreed", "approved"):
            plan = services.plan_agree(plan=plan, actor=worker, given_by_name="Vecāks" if person.is_child
                                       else person.full_name,
                                       capacity="legal_representative" if person.is_child else "self")
        if status == "approved":
            plan = services.plan_approve(plan=plan, actor=worker)
        return plan

    return make
