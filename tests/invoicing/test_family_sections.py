"""A support person sees only the sections the person allowed: each section × each family-side endpoint.

Sessions deliver agreements, so they follow the "agreements" section."""

from __future__ import annotations

import pytest
from django.db import connection

from portal.budgets.people.models import Relation
from tests.conftest import MUNICIPALITY_A

from .conftest import record

pytestmark = pytest.mark.django_db

ALLOWED = [[], ["plan", "budget"], ["agreements"], ["contacts", "assessment"], list(Relation.Section.values)]


def _endpoints(world, agreement, session):
    """(section, endpoint, probe): each probe answers whether the support person got the data."""
    person = world.adult
    budget = world.budget
    return [
        ("agreements", "GET /api/v1/sessions/", lambda c: session.pk in [
            r["id"] for r in c.get("/api/v1/sessions/").json()["results"]]),
        ("agreements", "GET /nodarbibas/", lambda c: f"/nodarbibas/{session.pk}/" in c.get(
            "/nodarbibas/").content.decode()),
        ("agreements", "GET /nodarbibas/<id>/", lambda c: c.get(f"/nodarbibas/{session.pk}/").status_code == 200),
        ("agreements", "POST /api/v1/sessions/<id>/confirm/", lambda c: c.post(
            f"/api/v1/sessions/{session.pk}/confirm/", {}, content_type="application/json").status_code != 404),
        ("agreements", "GET /api/v1/agreements/", lambda c: agreement.pk in [
            r["id"] for r in c.get("/api/v1/agreements/").json()["results"]]),
        ("agreements", "GET /api/v1/agreements/<id>/", lambda c: c.get(
            f"/api/v1/agreements/{agreement.pk}/").status_code == 200),
        ("agreements", "GET /vienosanas/<id>/", lambda c: c.get(f"/vienosanas/{agreement.pk}/").status_code == 200),
        ("budget", "GET /api/v1/budgets/", lambda c: budget.pk in [
            r["id"] for r in c.get("/api/v1/budgets/").json()["results"]]),
        ("budget", "GET /api/v1/budgets/<id>/", lambda c: c.get(f"/api/v1/budgets/{budget.pk}/").status_code == 200),
        ("plan", "GET /api/v1/persons/<id>/plans/", lambda c: c.get(
            f"/api/v1/persons/{person.pk}/plans/").status_code == 200),
        ("contacts", "GET /api/v1/persons/<id>/ (contacts)", lambda c: "phone" in c.get(
            f"/api/v1/persons/{person.pk}/").json()),
    ]


@pytest.mark.parametrize("allowed", ALLOWED, ids=lambda a: "+".join(a) or "nothing")
def test_support_person_sees_only_what_the_person_allowed(allowed, world, agreement, client_for):
    session = record(agreement, world.staff)
    connection.set_tenant(world.municipality)
    Relation.objects.filter(person=world.adult, user=world.supporter).update(may_see=allowed)
    client = client_for(MUNICIPALITY_A, user=world.supporter)
    seen = {name: probe(client) for section, name, probe in _endpoints(world, agreement, session)}
    expected = {name: section in allowed for section, name, _probe in _endpoints(world, agreement, session)}
    assert seen == expected
    # The person always sees their own sessions.
    person = client_for(MUNICIPALITY_A, user=world.person_user)
    assert person.get(f"/nodarbibas/{session.pk}/").status_code == 200
