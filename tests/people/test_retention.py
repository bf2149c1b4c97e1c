"""Retention and erasure (issue 15): erasure on request removes what the law does not require to keep and says
what stays and until when; the scheduled job anonymises only expired files, once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from portal.budgets.people.errors import NotAllowed
from portal.budgets.people.models import Person, Relation
from portal.budgets.people.retention import FILE_YEARS, person_erase, persons_anonymise_expired
from portal.budgets.people.tasks import retention
from portal.platform.background.app import beat_schedule
from portal.platform.core.models import AuditEvent
from portal.tenants.roles import Role
from tests.conftest import demo_user
from tests.factories import build_world

pytestmark = pytest.mark.django_db


def test_erasure_on_request_removes_contacts_and_says_what_stays(muni_a):
    world = build_world(muni_a)
    Person.objects.filter(pk=world.adult.pk).update(phone="+371 20000000", email="a@example.lv", address="Rīga")
    with pytest.raises(NotAllowed):
        person_erase(person=world.adult, actor=demo_user(Role.FINANCE_OFFICER))
    assert Person.objects.get(pk=world.adult.pk).phone == "+371 20000000"
    stays = person_erase(person=world.adult, actor=world.social_worker)
    person = Person.objects.get(pk=world.adult.pk)
    assert (person.phone, person.email, person.address) == ("", "", "")
    assert person.first_name == world.adult.first_name  # the file stays
    plan_end = world.budget.plan.period_end
    assert stays[0]["until"] == plan_end.replace(year=plan_end.year + FILE_YEARS)
    assert stays[1]["until"] == dt.date(plan_end.year + 5, 12, 31)
    row = AuditEvent.objects.filter(object_id=str(person.pk), summary__contains="erasure").get()
    assert set(row.changes["erased"]) == {"phone", "email", "address"}


def test_the_scheduled_job_anonymises_expired_files_only(muni_a):
    world = build_world(muni_a)
    plan_end = world.budget.plan.period_end
    assert persons_anonymise_expired(today=plan_end) == 0
    later = plan_end.replace(year=plan_end.year + FILE_YEARS) + dt.timedelta(days=1)
    anonymised = persons_anonymise_expired(today=later)
    assert anonymised >= 2  # the adult and the child (demo persons' plans end around the same time)
    adult = Person.objects.get(pk=world.adult.pk)
    assert adult.anonymised_at is not None and world.adult.last_name not in adult.full_name
    assert adult.personal_code != world.adult.personal_code and adult.user_id is None
    assert not Relation.objects.filter(person=adult).exists()
    assert adult.budgets.get().pk == world.budget.pk  # the ledger still adds up
    assert persons_anonymise_expired(today=later) == 0  # once
    assert beat_schedule()["people-retention"]["args"] == ["portal.people.retention"]
    assert retention.name == "portal.people.retention"


def test_erasure_by_api_says_what_stays_and_others_are_refused(muni_a, client_for):
    from tests.conftest import MUNICIPALITY_A, MUNICIPALITY_B

    world = build_world(muni_a)
    Person.objects.filter(pk=world.adult.pk).update(phone="+371 20000000")
    address = f"/api/v1/persons/{world.adult.pk}/erasure/"
    assert client_for(MUNICIPALITY_A, user=world.person_user).post(address).status_code == 403
    assert client_for(MUNICIPALITY_B, user=demo_user(Role.SOCIAL_WORKER, MUNICIPALITY_B)).post(
        address).status_code in (403, 404)
    connection.set_tenant(muni_a)
    assert Person.objects.get(pk=world.adult.pk).phone == "+371 20000000"
    response = client_for(MUNICIPALITY_A, user=world.social_worker).post(address)
    assert response.status_code == 200 and len(response.json()["kept"]) == 2
    connection.set_tenant(muni_a)
    assert Person.objects.get(pk=world.adult.pk).phone == ""
