"""Erasure by page (issue 15): the person or their legal representative asks from their own data page; a social
worker sees the request and carries it out through the same service as the API; both pages explain what goes,
what stays and until when. Other roles, the other municipality and bad input change nothing."""

from __future__ import annotations

import pytest
from django.db import connection

from portal.budgets.people.models import ErasureRequest, Person
from portal.budgets.people.retention import file_end
from portal.platform.core.models import AuditEvent
from portal.tenants.roles import Role
from tests.conftest import MUNICIPALITY_A, MUNICIPALITY_B, demo_user
from tests.factories import build_world

pytestmark = pytest.mark.django_db

MINE = "/mani-dati/dzesana/"


@pytest.fixture
def world(muni_a):
    world = build_world(muni_a)
    Person.objects.filter(pk__in=[world.adult.pk, world.child.pk]).update(
        phone="+371 20000000", email="a@example.lv", address="Rīga, Brīvības iela 1", latitude=56.95, longitude=24.1)
    return world


def _contacts(person_id):
    person = Person.objects.get(pk=person_id)
    return person.phone, person.email, person.address


def test_the_person_asks_and_the_social_worker_carries_it_out(world, client_for, django_assert_max_num_queries):
    person = client_for(MUNICIPALITY_A, user=world.person_user, language="en")
    page = person.get(f"{MINE}?person={world.adult.pk}")
    text = page.content.decode()
    assert page.status_code == 200 and "What the municipality must keep" in text and "phone number" in text
    end = file_end(world.adult)
    assert f"{end.day}. {end:%B} {end.year + 10}" in text and f"31. December {end.year + 5}" in text

    refused = person.post(MINE, {"person": world.adult.pk})  # the confirmation box not ticked
    assert refused.status_code == 400 and 'id="id_understood-error"' in refused.content.decode()
    assert not ErasureRequest.objects.exists()

    asked = person.post(MINE, {"person": world.adult.pk, "understood": "on"})
    assert asked.status_code == 302 and asked["Location"] == f"{MINE}?person={world.adult.pk}"
    assert person.post(MINE, {"person": world.adult.pk, "understood": "on"}).status_code == 302
    request = ErasureRequest.objects.get()  # asking twice keeps one open request
    assert (request.person_id, request.requested_by_id, request.done_at) == (world.adult.pk, world.person_user.pk,
                                                                              None)
    assert "is waiting for a social worker" in person.get(asked["Location"]).content.decode()
    assert _contacts(world.adult.pk)[0] == "+371 20000000"  # nothing erased until a social worker acts

    worker = client_for(MUNICIPALITY_A, user=world.social_worker, language="en")
    with django_assert_max_num_queries(12):
        listing = worker.get("/personas/dzesanas-pieprasijumi/")
    assert world.adult.full_name in listing.content.decode()
    read = AuditEvent.objects.filter(action="view", changes__path="/personas/dzesanas-pieprasijumi/").get()
    assert world.adult.pk in read.changes["persons"] and read.actor_id == world.social_worker.pk
    assert f"/personas/{world.adult.pk}/dzesana/" in worker.get(f"/personas/{world.adult.pk}/").content.decode()
    with django_assert_max_num_queries(14):
        assert "What the municipality must keep" in worker.get(
            f"/personas/{world.adult.pk}/dzesana/").content.decode()
    done = worker.post(f"/personas/{world.adult.pk}/dzesana/")
    assert done.status_code == 302
    assert _contacts(world.adult.pk) == ("", "", "")
    request.refresh_from_db()
    assert request.done_by_id == world.social_worker.pk and request.done_at is not None
    assert [k["until"] for k in request.kept] == [end.replace(year=end.year + 10).isoformat(),
                                                  f"{end.year + 5}-12-31"]
    assert "No erasure requests are waiting" in worker.get("/personas/dzesanas-pieprasijumi/").content.decode()
    assert "carried out on" in person.get(asked["Location"]).content.decode()
    summaries = set(AuditEvent.objects.filter(object_id__in=[str(world.adult.pk), str(request.pk)])
                    .values_list("summary", flat=True))
    assert {f"#{world.adult.pk}: erasure requested", f"#{world.adult.pk}: erasure on request"} <= summaries


def test_a_legal_representative_asks_for_the_child_not_for_others(world, client_for):
    representative = client_for(MUNICIPALITY_A, user=world.representative)
    assert representative.get(f"{MINE}?person={world.child.pk}").status_code == 200
    assert representative.get(f"{MINE}?person={world.adult.pk}").status_code == 404
    assert representative.post(MINE, {"person": world.adult.pk, "understood": "on"}).status_code == 404
    assert representative.post(MINE, {"person": "x\u00a0", "understood": "on"}).status_code == 404
    assert not ErasureRequest.objects.exists()
    assert representative.post(MINE, {"person": world.child.pk, "understood": "on"}).status_code == 302
    assert ErasureRequest.objects.get().person_id == world.child.pk


@pytest.mark.parametrize("role", [Role.SUPPORT_PERSON, Role.SOCIAL_WORKER, Role.FINANCE_OFFICER])
def test_other_roles_cannot_ask(world, client_for, role):
    user = world.supporter if role == Role.SUPPORT_PERSON else demo_user(role, MUNICIPALITY_A)
    client = client_for(MUNICIPALITY_A, user=user)
    assert client.get(MINE).status_code in (403, 404)
    assert client.post(MINE, {"person": world.adult.pk, "understood": "on"}).status_code in (403, 404)
    assert not ErasureRequest.objects.exists()


@pytest.mark.parametrize("role", [Role.FINANCE_OFFICER, Role.MUNICIPALITY_ADMIN, Role.PERSON, Role.SUPPORT_PERSON])
def test_only_a_social_worker_carries_it_out(world, client_for, role):
    user = {Role.PERSON: world.person_user, Role.SUPPORT_PERSON: world.supporter}.get(role) or demo_user(
        role, MUNICIPALITY_A)
    client = client_for(MUNICIPALITY_A, user=user)
    assert client.post(f"/personas/{world.adult.pk}/dzesana/").status_code in (403, 404)
    assert client.get(f"/personas/{world.adult.pk}/dzesana/").status_code in (403, 404)
    assert _contacts(world.adult.pk)[0] == "+371 20000000"


def test_the_other_municipality_finds_nothing(world, client_for, muni_a):
    ErasureRequest.objects.create(person=world.adult, requested_by=world.person_user)
    other = client_for(MUNICIPALITY_B, user=demo_user(Role.SOCIAL_WORKER, MUNICIPALITY_B), language="en")
    assert other.post(f"/personas/{world.adult.pk}/dzesana/").status_code == 404
    assert other.get(f"/personas/{world.adult.pk}/dzesana/").status_code == 404
    assert world.adult.full_name not in other.get("/personas/dzesanas-pieprasijumi/").content.decode()
    person_elsewhere = client_for(MUNICIPALITY_B, user=world.person_user)
    assert person_elsewhere.post(MINE, {"person": world.adult.pk, "understood": "on"}).status_code in (403, 404)
    connection.set_tenant(muni_a)
    assert _contacts(world.adult.pk)[0] == "+371 20000000"
    assert ErasureRequest.objects.get().done_at is None


def test_the_api_erasure_closes_the_open_request(world, client_for, muni_a):
    ErasureRequest.objects.create(person=world.adult, requested_by=world.person_user)
    response = client_for(MUNICIPALITY_A, user=world.social_worker).post(f"/api/v1/persons/{world.adult.pk}/erasure/")
    assert response.status_code == 200
    connection.set_tenant(muni_a)
    assert ErasureRequest.objects.get().done_by_id == world.social_worker.pk
