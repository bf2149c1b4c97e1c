"""GDPR access and portability (issue 15): the person or a legal representative downloads everything held
about the person (JSON and PDF); a social worker produces it on request, and that read is audited."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from portal.platform.core.models import AuditEvent
from portal.platform.core.reads import personal_models
from portal.tenants.roles import Role
from tests.conftest import MUNICIPALITY_A, MUNICIPALITY_B, demo_user
from tests.factories import build_world

pytestmark = pytest.mark.django_db


def test_the_person_downloads_everything_held_about_them(muni_a, client_for, django_assert_max_num_queries):
    world = build_world(muni_a)
    client = client_for(MUNICIPALITY_A, user=world.person_user)
    with django_assert_max_num_queries(30):
        response = client.get(f"/mani-dati/lejupielade/?format=json&person={world.adult.pk}")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["person"]["id"] == world.adult.pk
    assert set(data["records"]) == {model._meta.label_lower for model in personal_models()}
    assert [row["id"] for row in data["records"]["people.person"]] == [world.adult.pk]
    assert [row["id"] for row in data["records"]["ledger.budget"]] == [world.budget.pk]
    assert data["records"]["people.relation"][0]["user"] == world.supporter.pk
    pdf = client.get(f"/mani-dati/lejupielade/?format=pdf&person={world.adult.pk}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and len(pdf.content) > 2000


def test_the_representative_downloads_the_childs_data_and_others_cannot(muni_a, client_for):
    world = build_world(muni_a)
    child = client_for(MUNICIPALITY_A, user=world.representative).get(
        f"/mani-dati/lejupielade/?person={world.child.pk}")
    assert json.loads(child.content)["person"]["id"] == world.child.pk
    other = client_for(MUNICIPALITY_A, user=world.representative).get(
        f"/mani-dati/lejupielade/?person={world.adult.pk}")
    assert other.status_code == 404
    assert client_for(MUNICIPALITY_A, user=world.supporter).get("/mani-dati/lejupielade/").status_code == 403
    assert client_for(MUNICIPALITY_B, user=world.person_user).get("/mani-dati/lejupielade/").status_code == 403


def test_a_social_worker_produces_it_on_request_and_the_read_is_audited(muni_a, client_for):
    world = build_world(muni_a)
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    response = client_for(MUNICIPALITY_A, user=world.social_worker).get(f"/personas/{world.adult.pk}/dati/")
    assert response.status_code == 200 and json.loads(response.content)["person"]["id"] == world.adult.pk
    connection.set_tenant(muni_a)
    (row,) = AuditEvent.objects.filter(pk__gt=last, action="view", changes__persons__contains=[world.adult.pk])
    assert row.actor_id == world.social_worker.pk and row.changes["path"].endswith("/dati/")
    assert client_for(MUNICIPALITY_A, user=demo_user(Role.FINANCE_OFFICER)).get(
        f"/personas/{world.adult.pk}/dati/").status_code == 403
    assert client_for(MUNICIPALITY_B, user=demo_user(Role.SOCIAL_WORKER, MUNICIPALITY_B)).get(
        f"/personas/{world.adult.pk}/dati/").status_code == 404


def test_a_withdrawn_consent_to_share_with_providers_stops_the_request(muni_a):
    import datetime as dt

    from portal.budgets.people.models import Consent
    from portal.marketplace.agreements.errors import NotAllowed
    from portal.marketplace.agreements.models import Agreement
    from tests.factories import draft, sent

    world = build_world(muni_a)
    agreement = draft(world)
    today = dt.date.today()
    Consent.objects.create(person=world.adult, kind=Consent.Kind.SHARE_WITH_PROVIDERS, given_on=today,
                           given_by_name="Testa Persona", withdrawn_on=today)
    from portal.marketplace.agreements.services import agreement_confirm
    with pytest.raises(NotAllowed) as refused:
        agreement_confirm(agreement=agreement, actor=world.person_user)
    assert refused.value.code == "consent.withdrawn" and refused.value.status == 403
    assert Agreement.objects.get(pk=agreement.pk).status == "draft"
    Consent.objects.create(person=world.adult, kind=Consent.Kind.SHARE_WITH_PROVIDERS,
                           given_on=today + dt.timedelta(days=1), given_by_name="Testa Persona")
    assert sent(world).status != "draft"  # a new consent: the request goes
