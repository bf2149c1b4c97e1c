"""Need to know: a provider sees an agreement from the moment it is sent to them, and then only what
delivering it needs. Every face (API list and detail, pages list and detail, the provider's agreement page,
the provider's cross-municipality work page and API) × every stage of an agreement."""

from __future__ import annotations

import pytest
from django.db import connection

from portal.marketplace.agreements.services import agreement_accept, agreement_cancel, agreement_send_to_person
from tests.conftest import MUNICIPALITY_A
from tests.factories import draft, sent

pytestmark = pytest.mark.django_db

API = "/api/v1/agreements/"


def _draft(world):
    return draft(world)


def _cancelled_draft(world):
    return agreement_cancel(agreement=draft(world), actor=world.person_user, reason="Pārdomāju")


def _awaiting_person(world):
    prepared = draft(world, actor=world.supporter)
    return agreement_send_to_person(agreement=prepared, actor=world.supporter)


def _awaiting_provider(world):
    return sent(world)


def _active(world):
    return agreement_accept(agreement=sent(world), actor=world.staff)


NOT_SENT = {"draft": _draft, "awaiting_person": _awaiting_person, "cancelled_draft": _cancelled_draft}
SENT = {"awaiting_provider": _awaiting_provider, "active": _active}


def _faces(world, client_for, agreement_id):
    """(face, visible) for each way a provider could reach the agreement."""
    tenant = client_for(MUNICIPALITY_A, user=world.staff)
    national = client_for(None, user=world.staff)
    api_list = tenant.get(API)
    html_list = tenant.get("/vienosanas/")
    hub = national.get("/sniedzejs/darbs/?kind=agreement")
    work = national.get("/api/v1/provider/work/?kind=agreement")
    assert api_list.status_code == html_list.status_code == hub.status_code == work.status_code == 200
    return {
        "api detail": tenant.get(f"{API}{agreement_id}/").status_code == 200,
        "api list": agreement_id in [row["id"] for row in api_list.json()["results"]],
        "html detail": tenant.get(f"/vienosanas/{agreement_id}/").status_code == 200,
        "html list": f"/vienosanas/{agreement_id}/" in html_list.content.decode(),
        "provider page": national.get(f"/sniedzejs/{MUNICIPALITY_A}/vienosanas/{agreement_id}/").status_code == 200,
        "work page": f"/sniedzejs/{MUNICIPALITY_A}/vienosanas/{agreement_id}/" in hub.content.decode(),
        "work api": any(row["kind"] == "agreement" and row["object_id"] == agreement_id
                        for row in work.json()["results"]),
    }


@pytest.mark.parametrize("stage", sorted(NOT_SENT))
def test_provider_sees_nothing_before_it_is_sent(stage, world, client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        agreement = NOT_SENT[stage](world)
    assert agreement.sent_at is None
    faces = _faces(world, client_for, agreement.pk)
    assert not any(faces.values()), faces
    # The municipality's staff and the person still see it.
    assert client_for(MUNICIPALITY_A, user=world.social_worker).get(f"{API}{agreement.pk}/").status_code == 200
    assert client_for(MUNICIPALITY_A, user=world.person_user).get(f"{API}{agreement.pk}/").status_code == 200


@pytest.mark.parametrize("stage", sorted(SENT))
def test_provider_sees_it_from_the_sending_on(stage, world, client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        agreement = SENT[stage](world)
    faces = _faces(world, client_for, agreement.pk)
    assert all(faces.values()), faces


def test_provider_sees_only_what_delivering_needs(world, client_for):
    """Prepared by a support person, sent by the person: the provider learns neither who nor in what role."""
    agreement = agreement_send_to_person(agreement=draft(world, actor=world.supporter), actor=world.supporter)
    connection.set_tenant(world.municipality)
    from portal.marketplace.agreements.services import agreement_confirm

    agreement = agreement_confirm(agreement=agreement, actor=world.person_user)
    provider = client_for(MUNICIPALITY_A, user=world.staff)
    detail = provider.get(f"{API}{agreement.pk}/").json()
    assert detail["prepared_by"] is None and detail["decided_by"] is None and detail["decided_as"] == ""
    assert [e["to_status"] for e in detail["events"]] == ["awaiting_provider"]
    assert all(e["actor"] is None and e["capacity"] == "family" for e in detail["events"])
    row = next(r for r in provider.get(API).json()["results"] if r["id"] == agreement.pk)
    assert row["prepared_by"] is None and row["decided_by"] is None
    page = provider.get(f"/vienosanas/{agreement.pk}/").content.decode()
    for secret in (world.supporter.email, world.supporter.full_name, world.person_user.email):
        assert secret not in page and secret not in str(detail)
    # The person and the municipality still see who prepared and who decided.
    for user in (world.person_user, world.social_worker):
        full = client_for(MUNICIPALITY_A, user=user).get(f"{API}{agreement.pk}/").json()
        assert full["prepared_by"] == world.supporter.email and full["decided_by"] == world.person_user.email
        assert [e["to_status"] for e in full["events"]] == ["draft", "awaiting_person", "awaiting_provider"]
