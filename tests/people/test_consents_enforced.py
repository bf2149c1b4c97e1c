"""Consents are checked before the processing they cover (issue 15). The kinds the model has and where each is
enforced: sharing with providers (agreements: tests/agreements), sharing with the support person (the people
checkpoint every family-side face reads through), health and disability data (recording an assessment), the
individual budget (starting and approving a plan), contact by e-mail (notifications go to the page only).
A withdrawal is recorded through the social worker's page or the API; its effect is checked through pages and
the API; a refusal writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from portal.budgets.people.models import Assessment, Consent, Relation, SupportPlan
from portal.notifications.models import Notification
from portal.platform.core.dates import add_months
from portal.platform.outbox.models import OutboxEvent
from portal.platform.outbox.services import outbox_process
import portal.notifications.tasks  # noqa: F401 - registers the outbox handlers, as the worker's autodiscovery does
from tests.conftest import MUNICIPALITY_A
from tests.factories import build_world
from tests.invoicing.conftest import _ids_beyond_the_demo, _own_staff, active_agreement, record, today

pytestmark = pytest.mark.django_db
K = Consent.Kind


@pytest.fixture
def world(muni_a):
    _ids_beyond_the_demo(muni_a)
    return _own_staff(build_world(muni_a))


def _given(person, kind):
    return Consent.objects.create(person=person, kind=kind, given_on=today() - dt.timedelta(days=30),
                                  given_by_name="Jānis Bērziņš")


def _withdraw_by_page(client, consent):
    response = client.post(f"/personas/{consent.person_id}/piekrisanas/{consent.pk}/atsaukt/",
                           {"on": today().isoformat()})
    assert response.status_code == 302


def _withdraw_by_api(client, consent):
    response = client.post(f"/api/v1/persons/{consent.person_id}/consents/{consent.pk}/withdraw/",
                           {"on": today().isoformat()}, content_type="application/json")
    assert response.status_code == 200 and response.json()["withdrawn_on"] == today().isoformat()


def test_the_model_has_these_kinds_and_each_is_enforced_somewhere():
    assert set(K.values) == {"data_processing", "special_category", "share_with_providers",
                             "share_with_support_person", "contact_by_email"}


def test_a_withdrawn_share_with_the_support_person_hides_the_person_from_them(world, client_for, muni_a):
    Relation.objects.filter(person=world.adult, user=world.supporter).update(may_see=list(Relation.Section.values))
    agreement = active_agreement(world)
    session = record(agreement, world.staff)
    consent = _given(world.adult, K.SHARE_WITH_SUPPORT_PERSON)
    supporter = client_for(MUNICIPALITY_A, user=world.supporter)
    faces = [f"/api/v1/persons/{world.adult.pk}/", f"/api/v1/agreements/{agreement.pk}/",
             f"/nodarbibas/{session.pk}/", f"/vienosanas/{agreement.pk}/"]

    def seen():
        sessions = supporter.get("/api/v1/sessions/").json()
        listed = session.pk in [s["id"] for s in sessions.get("results", sessions)]
        return [supporter.get(url).status_code for url in faces], listed

    assert seen() == ([200, 200, 200, 200], True)
    _withdraw_by_page(client_for(MUNICIPALITY_A, user=world.social_worker), consent)
    assert seen() == ([404, 404, 404, 404], False)
    assert supporter.post(f"/api/v1/persons/{world.adult.pk}/relations/", {}).status_code in (403, 404)
    # a new consent (through the API) lets them see again
    response = client_for(MUNICIPALITY_A, user=world.social_worker).post(
        f"/api/v1/persons/{world.adult.pk}/consents/",
        {"kind": K.SHARE_WITH_SUPPORT_PERSON, "given_on": today().isoformat(), "given_by_name": "Jānis Bērziņš"},
        content_type="application/json")
    assert response.status_code == 201
    assert seen() == ([200, 200, 200, 200], True)


def _assessment_api(client, person):
    return client.post(f"/api/v1/persons/{person.pk}/assessments/", {
        "scores": {k: 9 for k in ("home_living", "community_living", "lifelong_learning", "employment",
                                  "health_safety", "social", "protection_advocacy")},
        "assessed_on": today().isoformat(), "valid_until": (today() + dt.timedelta(500)).isoformat()},
        content_type="application/json")


def test_a_withdrawn_consent_to_health_data_stops_new_assessments(world, client_for):
    worker = client_for(MUNICIPALITY_A, user=world.social_worker, language="en")
    consent = _given(world.adult, K.SPECIAL_CATEGORY)
    _withdraw_by_api(worker, consent)
    before = Assessment.objects.count()
    refused = _assessment_api(worker, world.adult)
    assert refused.status_code == 403 and refused.json()["code"] == "consent.withdrawn"
    post = {f"score_{k}": 9 for k in ("home_living", "community_living", "lifelong_learning", "employment",
                                      "health_safety", "social", "protection_advocacy")}
    post.update({"assessed_on": today().isoformat(), "valid_until": (today() + dt.timedelta(365)).isoformat(),
                 "medical_needs": 0, "behavioural_needs": 0})
    page = worker.post(f"/personas/{world.adult.pk}/novertejumi/jauns/", post)
    assert page.status_code == 400 and "withdrew the consent to process health" in page.content.decode()
    assert Assessment.objects.count() == before
    _given(world.adult, K.SPECIAL_CATEGORY)  # given again
    assert _assessment_api(worker, world.adult).status_code == 201


def test_a_withdrawn_consent_to_the_budget_processing_stops_new_plans_and_approval(world, client_for):
    worker = client_for(MUNICIPALITY_A, user=world.social_worker, language="en")
    SupportPlan.objects.filter(person=world.child, status__in=["draft", "agreed"]).delete()
    start = today().replace(day=1)
    end = add_months(start, 9) - dt.timedelta(days=1)
    plan_in = {"period_start": start.isoformat(), "period_end": end.isoformat(),
               "goals": [{"text": "Es gribu draugus", "service_types": ["respite-care"], "share_percent": "100"}]}
    assert worker.post(f"/api/v1/persons/{world.child.pk}/assessments/", {
        "scores": {k: 2 for k in ("mobility", "self_care", "communication", "learning", "behaviour",
                                  "social_interaction")},
        "assessed_on": today().isoformat(), "valid_until": (today() + dt.timedelta(365)).isoformat()},
        content_type="application/json").status_code == 201
    # a plan agreed before the withdrawal
    created = worker.post(f"/api/v1/persons/{world.child.pk}/plans/", plan_in, content_type="application/json")
    assert created.status_code == 201, created.json()
    plan_id = created.json()["id"]
    assert worker.post(f"/api/v1/persons/{world.child.pk}/plans/{plan_id}/agree/",
                       {"given_by_name": "Ilze Bērziņa", "capacity": "legal_representative"},
                       content_type="application/json").status_code == 200
    consent = _given(world.child, K.DATA_PROCESSING)
    _withdraw_by_page(worker, consent)

    refused = worker.post(f"/api/v1/persons/{world.child.pk}/plans/{plan_id}/approve/")
    assert refused.status_code == 403 and refused.json()["code"] == "consent.withdrawn"
    page = worker.post(f"/personas/{world.child.pk}/plani/{plan_id}/apstiprinat/", follow=True)
    assert "the plan cannot be approved" in page.content.decode()
    assert SupportPlan.objects.get(pk=plan_id).status == SupportPlan.Status.AGREED

    SupportPlan.objects.filter(pk=plan_id).delete()
    before = SupportPlan.objects.count()
    api = worker.post(f"/api/v1/persons/{world.child.pk}/plans/", plan_in, content_type="application/json")
    assert api.status_code == 403 and api.json()["code"] == "consent.withdrawn"
    page = worker.post(f"/personas/{world.child.pk}/plani/jauns/", {
        "period_start": start.isoformat(), "period_end": end.isoformat(), "goals-TOTAL_FORMS": "1",
        "goals-INITIAL_FORMS": "0", "goals-MIN_NUM_FORMS": "0", "goals-MAX_NUM_FORMS": "10",
        "goals-0-text": "Es gribu draugus", "goals-0-service_types": ["respite-care"],
        "goals-0-share_percent": "100", "action": "save"})
    assert page.status_code == 400 and "withdrew the consent to process their data" in page.content.decode()
    assert SupportPlan.objects.count() == before


def test_a_withdrawn_consent_to_e_mail_keeps_notifications_on_the_page(world, client_for,
                                                                        django_capture_on_commit_callbacks):
    agreement = active_agreement(world)
    consent = _given(world.adult, K.CONTACT_BY_EMAIL)
    _withdraw_by_api(client_for(MUNICIPALITY_A, user=world.social_worker), consent)
    record(agreement, world.staff)
    event = OutboxEvent.objects.filter(kind="session.recorded").order_by("-pk").first()
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_process(event_id=event.pk)
    note = Notification.objects.get(recipient=world.person_user, event_id=event.pk)
    assert note.read_at is None  # shown on the page, unread
    assert mail.outbox == []
    _given(world.adult, K.CONTACT_BY_EMAIL)
    record(agreement, world.staff, days_ago=3)
    event = OutboxEvent.objects.filter(kind="session.recorded").order_by("-pk").first()
    with django_capture_on_commit_callbacks(execute=True):
        outbox_process(event_id=event.pk)
    assert [m.to for m in mail.outbox] == [[world.person_user.email]]
