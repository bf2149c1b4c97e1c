"""Persons, relations and consents through the services: rules, audit, nothing written on bad input."""

import datetime as dt

import pytest

from portal.budgets.people import services
from portal.budgets.people.errors import DuplicatePersonalCode, InvalidPersonalCode, NotAllowed, PersonInvalid
from portal.budgets.people.models import Person
from portal.platform.core.models import AuditEvent
from portal.tenants.roles import Role

from .conftest import MUNICIPALITY_A, adult_data, demo_user


def test_social_worker_registers_a_person_and_it_is_audited(in_a, worker):
    person = services.person_create(actor=worker, **adult_data())
    assert person.pk and person.personal_code[6] == "-"
    event = AuditEvent.objects.filter(object_type="people.person", object_id=str(person.pk)).get()
    assert event.action == "create" and event.actor_id == worker.pk and person.full_name in event.summary


@pytest.mark.parametrize("field,value,error", [
    ("personal_code", "170590-10001", InvalidPersonalCode),  # right digit is 2
    ("birth_date", dt.date(1991, 5, 17), PersonInvalid),
    ("first_name", "  ", PersonInvalid),
    ("target_group", "children", PersonInvalid),
    ("disability_group", "child", PersonInvalid),
    ("latitude", None, PersonInvalid),
])
def test_bad_person_data_is_refused_and_nothing_is_written(in_a, worker, field, value, error):
    before = (Person.objects.count(), AuditEvent.objects.count())
    with pytest.raises(error) as caught:
        services.person_create(actor=worker, **{**adult_data(), field: value})
    assert caught.value.field == field
    assert (Person.objects.count(), AuditEvent.objects.count()) == before


def test_duplicate_personal_code_is_refused(in_a, worker):
    data = adult_data()
    services.person_create(actor=worker, **data)
    with pytest.raises(DuplicatePersonalCode):
        services.person_create(actor=worker, **{**data, "first_name": "Cits"})


def test_only_a_social_worker_may_register(in_a):
    for role in (Role.FINANCE_OFFICER, Role.PERSON, Role.SUPPORT_PERSON):
        with pytest.raises(NotAllowed):
            services.person_create(actor=demo_user(role, MUNICIPALITY_A), **adult_data())
    assert not Person.objects.filter(last_name="Testiņš").exists()


def test_changing_disability_data_is_audited_without_its_values(in_a, worker, register_person):
    person = register_person()
    services.person_update(person=person, actor=worker, disability_group="group_1", phone="+371 29999999")
    event = AuditEvent.objects.filter(action="update", object_id=str(person.pk)).get()
    assert event.changes["disability_group"] == "changed"
    assert event.changes["phone"] == ["+371 20000000", "+371 29999999"]
