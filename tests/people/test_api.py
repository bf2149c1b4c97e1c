"""The people API: tenant and role checks, the stable error codes, nothing written on bad input,
a support person's limited view, query counts."""

import datetime as dt

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from portal.budgets.people.models import Person, SupportPlan
from portal.budgets.people.plans import add_months
from portal.platform.core.models import AuditEvent
from portal.tenants.roles import Role

from .conftest import MUNICIPALITY_A, MUNICIPALITY_B, TODAY, adult_data, demo_user, sis_scores

SW = Role.SOCIAL_WORKER


@pytest.fixture
def sw_api(client_for):
    return client_for(MUNICIPALITY_A, user=demo_user(SW, MUNICIPALITY_A))


def _json(data):
    return {k: (v.isoformat() if isinstance(v, dt.date) else str(v) if v is not None and not isinstance(v, str)
                else v) for k, v in data.items()}


def test_list_persons_with_search_and_query_count(sw_api, client_for, muni_a, django_assert_max_num_queries):
    # As on a running server, the process knows the host already (tenants/middleware.py caches it for a minute;
    # cold, the look-up adds a SET search_path and a query) — warmed without the user's session or roles.
    client_for(MUNICIPALITY_A).get("/healthz")
    connection.set_schema_to_public()  # a request starts on a connection in an unknown state
    with django_assert_max_num_queries(8):
        response = sw_api.get("/api/v1/persons/", {"target_group": "children"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] >= 8 and all(p["target_group"] == "children" for p in body["results"])
    assert "personal_code" in body["results"][0]


def test_create_person_and_refuse_a_bad_code_with_its_stable_code(sw_api, muni_a):
    response = sw_api.post("/api/v1/persons/", _json(adult_data()), content_type="application/json")
    assert response.status_code == 201, response.json()
    with tenant_context(muni_a):
        before = (Person.objects.count(), AuditEvent.objects.count())
    bad = sw_api.post("/api/v1/persons/", _json(adult_data(personal_code="170590-10001")),
                      content_type="application/json")
    assert bad.status_code == 400
    assert bad.json()["code"] == "person.invalid_personal_code" and bad.json()["field"] == "personal_code"
    with tenant_context(muni_a):
        assert (Person.objects.count(), AuditEvent.objects.count()) == before


def test_family_and_finance_may_not_create(client_for):
    for role in (Role.PERSON, Role.SUPPORT_PERSON):
        client = client_for(MUNICIPALITY_A, user=demo_user(role, MUNICIPALITY_A))
        response = client.post("/api/v1/persons/", _json(adult_data()), content_type="application/json")
        assert response.status_code == 403
    finance = client_for(MUNICIPALITY_A, user=demo_user(Role.FINANCE_OFFICER, MUNICIPALITY_A))
    assert finance.get("/api/v1/persons/").status_code == 403


def test_every_person_endpoint_is_404_on_the_other_municipality(client_for, muni_a, muni_b):
    from portal.budgets.people import services

    with tenant_context(muni_a):
        person = services.person_create(actor=demo_user(SW, MUNICIPALITY_A), **adult_data())
        pid = person.pk
    with tenant_context(muni_b):
        assert not Person.objects.filter(pk=pid).exists()
    other = client_for(MUNICIPALITY_B, user=demo_user(SW, MUNICIPALITY_B))
    for url in [f"/api/v1/persons/{pid}/", f"/api/v1/persons/{pid}/relations/", f"/api/v1/persons/{pid}/consents/",
                f"/api/v1/persons/{pid}/assessments/", f"/api/v1/persons/{pid}/plans/",
                f"/api/v1/persons/{pid}/plans/1/"]:
        response = other.get(url)
        assert response.status_code == 404 and response.json()["code"] == "not_found", url
    assert client_for(MUNICIPALITY_B, user=demo_user(SW, MUNICIPALITY_A)).get(
        f"/api/v1/persons/{pid}/").status_code == 403


def test_person_detail_is_audited(sw_api, muni_a, django_assert_max_num_queries):
    with tenant_context(muni_a):
        person = Person.objects.order_by("id").first()
    with django_assert_max_num_queries(8):
        response = sw_api.get(f"/api/v1/persons/{person.pk}/")
    assert response.status_code == 200 and response.json()["personal_code"] == person.personal_code
    with tenant_context(muni_a):
        assert AuditEvent.objects.filter(action="view", object_id=str(person.pk), summary__contains="API").exists()


def test_plan_lifecycle_through_the_api(sw_api, muni_a):
    response = sw_api.post("/api/v1/persons/", _json(adult_data()), content_type="application/json")
    pid = response.json()["id"]
    assessment = sw_api.post(f"/api/v1/persons/{pid}/assessments/", {
        "scores": sis_scores(9), "assessed_on": TODAY.isoformat(),
        "valid_until": (TODAY + dt.timedelta(500)).isoformat()}, content_type="application/json")
    assert assessment.status_code == 201 and assessment.json()["level"] == 2
    start = TODAY.replace(day=1)
    plan_in = {"period_start": start.isoformat(), "period_end": (add_months(start, 9) - dt.timedelta(1)).isoformat(),
               "goals": [{"text": "Es gribu strādāt", "service_types": ["specialised-workshop"],
                          "share_percent": "70"},
                         {"text": "Es gribu draugus", "service_types": ["day-care", "transport"],
                          "share_percent": "30"}]}
    created = sw_api.post(f"/api/v1/persons/{pid}/plans/", plan_in, content_type="application/json")
    assert created.status_code == 201, created.json()
    plan_id = created.json()["id"]
    assert [g["service_types"] for g in created.json()["goals"]] == [["specialised-workshop"],
                                                                      ["day-care", "transport"]]
    early = sw_api.post(f"/api/v1/persons/{pid}/plans/{plan_id}/approve/")
    assert early.status_code == 409 and early.json()["code"] == "plan.state_conflict"
    agreed = sw_api.post(f"/api/v1/persons/{pid}/plans/{plan_id}/agree/",
                         {"given_by_name": "Jānis Testiņš", "capacity": "self"}, content_type="application/json")
    assert agreed.status_code == 200 and agreed.json()["status"] == "agreed"
    approved = sw_api.post(f"/api/v1/persons/{pid}/plans/{plan_id}/approve/")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    goals = approved.json()["goals"]
    reviewed = sw_api.post(f"/api/v1/persons/{pid}/plans/{plan_id}/review/", {
        "outcomes": [{"goal_id": g["id"], "outcome": "achieved", "comment": "labi"} for g in goals]},
        content_type="application/json")
    assert reviewed.status_code == 200 and {g["outcome"] for g in reviewed.json()["goals"]} == {"achieved"}


def test_bad_plan_writes_nothing_and_names_the_field(sw_api, muni_a):
    with tenant_context(muni_a):
        person = Person.objects.filter(target_group="adults", user__isnull=True).order_by("id").first()
        before = SupportPlan.objects.count()
    start = TODAY.replace(day=1)
    response = sw_api.post(f"/api/v1/persons/{person.pk}/plans/", {
        "period_start": start.isoformat(), "period_end": (add_months(start, 14)).isoformat(),
        "goals": [{"text": "x", "service_types": ["transport"], "share_percent": "100"}]},
        content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "plan.invalid"
    assert response.json()["field"] == "period_end"
    with tenant_context(muni_a):
        assert SupportPlan.objects.count() == before


def test_support_person_sees_only_what_was_allowed_and_cannot_agree(client_for, muni_a):
    supporter = client_for(MUNICIPALITY_A, user=demo_user(Role.SUPPORT_PERSON, MUNICIPALITY_A))
    listing = supporter.get("/api/v1/persons/").json()
    assert listing["count"] == 1 and "personal_code" not in listing["results"][0]
    pid = listing["results"][0]["id"]
    detail = supporter.get(f"/api/v1/persons/{pid}/").json()
    assert "disability_group" not in detail and "phone" not in detail
    plans = supporter.get(f"/api/v1/persons/{pid}/plans/")
    assert plans.status_code == 200  # the demo person allowed "plan" and "budget"
    assert supporter.get(f"/api/v1/persons/{pid}/assessments/").status_code == 404
    assert supporter.get(f"/api/v1/persons/{pid}/relations/").status_code == 404
    plan_id = plans.json()[0]["id"]
    refused = supporter.post(f"/api/v1/persons/{pid}/plans/{plan_id}/agree/", {}, content_type="application/json")
    assert refused.status_code in (403, 409)


def test_the_person_sets_what_the_support_person_sees(client_for, muni_a):
    me = client_for(MUNICIPALITY_A, user=demo_user(Role.PERSON, MUNICIPALITY_A))
    pid = me.get("/api/v1/persons/").json()["results"][0]["id"]
    relation = next(r for r in me.get(f"/api/v1/persons/{pid}/relations/").json() if r["kind"] == "support_person")
    response = me.put(f"/api/v1/persons/{pid}/relations/{relation['id']}/visibility/",
                      {"may_see": ["contacts", "plan"]}, content_type="application/json")
    assert response.status_code == 200 and response.json()["may_see"] == ["contacts", "plan"]
    supporter = client_for(MUNICIPALITY_A, user=demo_user(Role.SUPPORT_PERSON, MUNICIPALITY_A))
    assert "phone" in supporter.get(f"/api/v1/persons/{pid}/").json()
    refused = supporter.put(f"/api/v1/persons/{pid}/relations/{relation['id']}/visibility/",
                            {"may_see": ["assessment"]}, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "people.not_allowed"


def test_end_a_relation_and_withdraw_a_consent(client_for, sw_api, muni_a):
    me = client_for(MUNICIPALITY_A, user=demo_user(Role.PERSON, MUNICIPALITY_A))
    pid = me.get("/api/v1/persons/").json()["results"][0]["id"]
    consent = me.get(f"/api/v1/persons/{pid}/consents/").json()[0]
    early = me.post(f"/api/v1/persons/{pid}/consents/{consent['id']}/withdraw/", {"on": "2000-01-01"},
                    content_type="application/json")
    assert early.status_code == 400 and early.json()["code"] == "consent.invalid"
    done = me.post(f"/api/v1/persons/{pid}/consents/{consent['id']}/withdraw/", {"on": TODAY.isoformat()},
                   content_type="application/json")
    assert done.status_code == 200 and done.json()["withdrawn_on"] == TODAY.isoformat()
    relation = next(r for r in sw_api.get(f"/api/v1/persons/{pid}/relations/").json()
                    if r["kind"] == "support_person")
    refused = me.post(f"/api/v1/persons/{pid}/relations/{relation['id']}/end/", {"on": TODAY.isoformat()},
                      content_type="application/json")
    assert refused.status_code == 403
    ended = sw_api.post(f"/api/v1/persons/{pid}/relations/{relation['id']}/end/",
                        {"on": (TODAY - dt.timedelta(1)).isoformat()}, content_type="application/json")
    assert ended.status_code == 200
    supporter = client_for(MUNICIPALITY_A, user=demo_user(Role.SUPPORT_PERSON, MUNICIPALITY_A))
    assert supporter.get(f"/api/v1/persons/{pid}/").status_code == 404  # the relation is over


@pytest.mark.parametrize("suffix,limit", [("plans/", 12), ("assessments/", 10), ("relations/", 10),
                                          ("consents/", 10)])
def test_list_endpoints_answer_within_their_query_budget(sw_api, muni_a, suffix, limit,
                                                        django_assert_max_num_queries):
    with tenant_context(muni_a):
        person = Person.objects.filter(user__isnull=False).first()
    with django_assert_max_num_queries(limit):
        response = sw_api.get(f"/api/v1/persons/{person.pk}/{suffix}")
    assert response.status_code == 200 and len(response.json()) >= 1


def test_attach_and_download_an_assessment_document(sw_api, client_for, muni_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with tenant_context(muni_a):
        person = Person.objects.filter(target_group="adults", user__isnull=False).first()
        assessment = person.assessments.first()
    url = f"/api/v1/persons/{person.pk}/assessments/{assessment.pk}/documents/"
    bad = sw_api.post(url, {"file": SimpleUploadedFile("a.pdf", b"<html>not a pdf</html>")})
    assert bad.status_code == 400 and bad.json()["code"] == "assessment.document_rejected"
    created = sw_api.post(url, {"file": SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n0000")})
    assert created.status_code == 201 and created.json()["content_type"] == "image/png"
    download = sw_api.get(f"{url}{created.json()['id']}/")
    assert download.status_code == 200 and download.content.startswith(b"\x89PNG")
    supporter = client_for(MUNICIPALITY_A, user=demo_user(Role.SUPPORT_PERSON, MUNICIPALITY_A))
    assert supporter.get(f"{url}{created.json()['id']}/").status_code == 404  # assessment not shared
    assert client_for(MUNICIPALITY_B, user=demo_user(SW, MUNICIPALITY_B)).get(
        f"{url}{created.json()['id']}/").status_code == 404
