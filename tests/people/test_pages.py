"""The people pages: role checks, tenancy (the other municipality's host finds nothing), forms that change
nothing on bad input, query counts, and the family's plain-language plan."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context

from portal.budgets.people.models import Assessment, AssessmentDocument, Person, Relation, SupportPlan
from portal.budgets.people.plans import add_months
from portal.platform.core.models import AuditEvent
from portal.tenants.roles import Role

from .conftest import MUNICIPALITY_A, MUNICIPALITY_B, TODAY, adult_data, demo_user

SW = Role.SOCIAL_WORKER


def _demo(muni, **filters):
    with tenant_context(muni):
        return Person.objects.filter(**filters).order_by("id").first()


@pytest.fixture
def sw_client(client_for, muni_a):
    return client_for(MUNICIPALITY_A, user=demo_user(SW, MUNICIPALITY_A))


def test_person_list_searches_and_filters(sw_client, muni_a, django_assert_max_num_queries):
    person = _demo(muni_a, target_group="children")
    with django_assert_max_num_queries(12):
        response = sw_client.get("/personas/", {"q": person.last_name, "target_group": "children"})
    assert response.status_code == 200
    assert person.first_name in response.content.decode()
    response = sw_client.get("/personas/", {"q": person.personal_code[:6]})
    assert person.last_name in response.content.decode()
    response = sw_client.get("/personas/", {"target_group": "adults"})
    assert f"{person.last_name}, {person.first_name}" not in response.content.decode()
    with tenant_context(muni_a):
        assert AuditEvent.objects.filter(summary__startswith="person list").exists()


@pytest.mark.parametrize("role", [Role.FINANCE_OFFICER, Role.PERSON, Role.SUPPORT_PERSON])
def test_person_list_is_refused_to_other_roles(client_for, role):
    assert client_for(MUNICIPALITY_A, user=demo_user(role, MUNICIPALITY_A)).get("/personas/").status_code == 403


def test_person_page_is_audited_and_not_found_on_the_other_municipality(sw_client, client_for, muni_a, muni_b,
                                                                       django_assert_max_num_queries):
    person = _demo(muni_a)
    with django_assert_max_num_queries(20):
        response = sw_client.get(f"/personas/{person.pk}/")
    assert response.status_code == 200 and person.personal_code in response.content.decode()
    with tenant_context(muni_a):
        event = AuditEvent.objects.filter(action="view", object_type="people.person", object_id=str(person.pk)).first()
        assert event is not None and event.ip_address == "127.0.0.1"
    # Liepāja's social worker on Liepāja's host asks for Jelgava's person id: not there.
    other = client_for(MUNICIPALITY_B, user=demo_user(SW, MUNICIPALITY_B))
    with tenant_context(muni_a):
        ids_a = set(Person.objects.values_list("pk", flat=True))
    with tenant_context(muni_b):
        ids_b = set(Person.objects.values_list("pk", flat=True))
    missing = max(ids_a | ids_b) + 1000
    assert other.get(f"/personas/{missing}/").status_code == 404
    # Jelgava's social worker on Liepāja's host holds no role there.
    assert client_for(MUNICIPALITY_B, user=demo_user(SW, MUNICIPALITY_A)).get(
        f"/personas/{person.pk}/").status_code == 403


def test_same_request_on_the_other_host_finds_nothing(client_for, muni_a, muni_b):
    """A person created in Jelgava only: every person URL with its id is 404 on Liepāja's host."""
    from portal.budgets.people import services

    worker_a = demo_user(SW, MUNICIPALITY_A)
    with tenant_context(muni_a):
        from django.db import connection

        connection.set_tenant(muni_a)
        person = services.person_create(actor=worker_a, **adult_data())
        pid = person.pk
    with tenant_context(muni_b):
        Person.objects.filter(pk=pid).delete()  # make sure the id is free in B too
    other = client_for(MUNICIPALITY_B, user=demo_user(SW, MUNICIPALITY_B))
    for url in [f"/personas/{pid}/", f"/personas/{pid}/labot/", f"/personas/{pid}/novertejumi/jauns/",
                f"/personas/{pid}/plani/jauns/", f"/personas/{pid}/saistibas/jauna/",
                f"/personas/{pid}/piekrisanas/jauna/", f"/personas/{pid}/plani/1/",
                f"/personas/{pid}/plani/1/labot/", f"/personas/{pid}/plani/1/izvertesana/",
                f"/personas/{pid}/plani/1/jauna-versija/", f"/personas/{pid}/saistibas/1/izbeigt/",
                f"/personas/{pid}/piekrisanas/1/atsaukt/", f"/personas/{pid}/dokumenti/1/"]:
        assert other.get(url).status_code == 404, url
    for url in [f"/personas/{pid}/plani/1/piekrisana/", f"/personas/{pid}/plani/1/apstiprinat/"]:
        assert other.post(url, {"given_by_name": "X", "capacity": "self"}).status_code == 404, url


def test_register_a_person_through_the_form(sw_client, muni_a):
    data = adult_data()
    post = {k: ("" if v is None else v) for k, v in data.items()}
    post.update({"birth_date": data["birth_date"].isoformat(), "social_worker": ""})
    response = sw_client.post("/personas/jauna/", post)
    assert response.status_code == 302
    with tenant_context(muni_a):
        assert Person.objects.filter(personal_code=data["personal_code"]).exists()


def test_a_bad_personal_code_shows_next_to_the_field_and_writes_nothing(sw_client, muni_a):
    data = adult_data()
    post = {k: ("" if v is None else v) for k, v in data.items()}
    post.update({"birth_date": data["birth_date"].isoformat(), "personal_code": "170590-10001"})
    with tenant_context(muni_a):
        before = (Person.objects.count(), AuditEvent.objects.filter(action="create").count())
    response = sw_client.post("/personas/jauna/", post)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_personal_code-error"' in body and 'href="#id_personal_code"' in body
    with tenant_context(muni_a):
        assert (Person.objects.count(), AuditEvent.objects.filter(action="create").count()) == before


def test_edit_person(sw_client, muni_a):
    person = _demo(muni_a, target_group="adults")
    page = sw_client.get(f"/personas/{person.pk}/labot/")
    assert page.status_code == 200
    post = {name: "" if value is None else value for name, value in page.context["form"].initial.items()}
    post.update({k: v.isoformat() for k, v in post.items() if isinstance(v, dt.date)})
    post["phone"] = "+371 27777777"
    assert sw_client.post(f"/personas/{person.pk}/labot/", post).status_code == 302
    with tenant_context(muni_a):
        assert Person.objects.get(pk=person.pk).phone == "+371 27777777"


def test_assessment_form_with_document(sw_client, muni_a):
    person = _demo(muni_a, target_group="children")
    form = sw_client.get(f"/personas/{person.pk}/novertejumi/jauns/")
    assert form.status_code == 200 and "score_mobility" in form.content.decode()
    post = {f"score_{k}": 3 for k in ("mobility", "self_care", "communication", "learning", "behaviour",
                                        "social_interaction")}
    post.update({"assessed_on": TODAY.isoformat(), "valid_until": (TODAY + dt.timedelta(365)).isoformat(),
                 "document": SimpleUploadedFile("atzinums.pdf", b"%PDF-1.4 test", content_type="application/pdf")})
    assert sw_client.post(f"/personas/{person.pk}/novertejumi/jauns/", post).status_code == 302
    with tenant_context(muni_a):
        assessment = Assessment.objects.filter(person_id=person.pk).order_by("-id").first()
        assert assessment.level == 3 and assessment.documents.count() == 1
        document = assessment.documents.get()
    download = sw_client.get(f"/personas/{person.pk}/dokumenti/{document.pk}/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"


def test_a_document_of_the_wrong_type_rolls_the_assessment_back(sw_client, muni_a):
    person = _demo(muni_a, target_group="children")
    with tenant_context(muni_a):
        before = (Assessment.objects.count(), AssessmentDocument.objects.count())
    post = {f"score_{k}": 1 for k in ("mobility", "self_care", "communication", "learning", "behaviour",
                                        "social_interaction")}
    post.update({"assessed_on": TODAY.isoformat(), "valid_until": (TODAY + dt.timedelta(365)).isoformat(),
                 "document": SimpleUploadedFile("virus.exe", b"MZ\x90\x00", content_type="application/pdf")})
    response = sw_client.post(f"/personas/{person.pk}/novertejumi/jauns/", post)
    assert response.status_code == 400 and 'id="id_document-error"' in response.content.decode()
    with tenant_context(muni_a):
        assert (Assessment.objects.count(), AssessmentDocument.objects.count()) == before


def _plan_post(start, end, goals, extra=None):
    data = {"period_start": start.isoformat(), "period_end": end.isoformat(),
            "goals-TOTAL_FORMS": str(len(goals)), "goals-INITIAL_FORMS": "0",
            "goals-MIN_NUM_FORMS": "0", "goals-MAX_NUM_FORMS": "10"}
    for i, (text, types, share) in enumerate(goals):
        data[f"goals-{i}-text"] = text
        data[f"goals-{i}-service_types"] = types
        data[f"goals-{i}-share_percent"] = share
    data.update(extra or {})
    return data


def test_plan_builder_adds_goals_without_javascript_then_saves_agrees_and_approves(sw_client, muni_a):
    person = _demo(muni_a, target_group="adults", user__isnull=True)
    start = add_months(TODAY.replace(day=1), 1)
    end = add_months(start, 12) - dt.timedelta(1)
    url = f"/personas/{person.pk}/plani/jauns/"
    assert sw_client.get(url).status_code == 200
    # a plan in preparation is needed: the demo plan is approved, so a new draft is allowed
    added = sw_client.post(url, _plan_post(start, end, [("Es gribu strādāt", ["transport"], "60")],
                                           {"add_goal": "1"}))
    assert added.status_code == 200 and 'name="goals-1-text"' in added.content.decode()
    with tenant_context(muni_a):
        assert not SupportPlan.objects.filter(person_id=person.pk, status="draft").exists()
    bad = sw_client.post(url, _plan_post(start, end, [("Es gribu strādāt", ["transport"], "70"),
                                                      ("Es gribu draugus", ["day-care"], "40")]))
    assert bad.status_code == 400 and "100" in bad.content.decode()
    ok = sw_client.post(url, _plan_post(start, end, [("Es gribu strādāt", ["transport"], "60"),
                                                     ("Es gribu draugus", ["day-care"], "40")]))
    assert ok.status_code == 302
    with tenant_context(muni_a):
        plan = SupportPlan.objects.get(person_id=person.pk, status="draft")
    detail = f"/personas/{person.pk}/plani/{plan.pk}/"
    assert sw_client.get(detail).status_code == 200
    assert sw_client.post(detail + "piekrisana/", {"given_by_name": person.full_name,
                                                   "capacity": "self"}).status_code == 302
    assert sw_client.post(detail + "apstiprinat/").status_code == 302
    with tenant_context(muni_a):
        statuses = dict(SupportPlan.objects.filter(person_id=person.pk).values_list("version", "status"))
    assert statuses[plan.version] == "approved" and "superseded" in statuses.values()


def test_review_and_new_version_pages(sw_client, muni_a):
    person = _demo(muni_a, target_group="adults")
    with tenant_context(muni_a):
        plan = SupportPlan.objects.get(person_id=person.pk, status="approved")
        goal_count = plan.goals.count()
    url = f"/personas/{person.pk}/plani/{plan.pk}/izvertesana/"
    assert sw_client.get(url).status_code == 200
    assert sw_client.post(url, {"comment": "x"}).status_code == 400
    post = {f"goals-{i}-outcome": "partly" for i in range(goal_count)}
    assert sw_client.post(url, post).status_code == 302
    with tenant_context(muni_a):
        assert set(plan.goals.values_list("outcome", flat=True)) == {"partly"}
    start = plan.period_end + dt.timedelta(1)
    response = sw_client.post(f"/personas/{person.pk}/plani/{plan.pk}/jauna-versija/", {
        "period_start": start.isoformat(), "period_end": (add_months(start, 6) - dt.timedelta(1)).isoformat()})
    assert response.status_code == 302
    with tenant_context(muni_a):
        assert SupportPlan.objects.filter(person_id=person.pk, status="draft").count() == 1


def test_a_municipality_admin_reads_but_may_not_write(client_for, muni_a):
    admin = client_for(MUNICIPALITY_A, user=demo_user(Role.MUNICIPALITY_ADMIN, MUNICIPALITY_A))
    person = _demo(muni_a)
    assert admin.get(f"/personas/{person.pk}/").status_code == 200
    assert admin.get(f"/personas/{person.pk}/labot/").status_code == 403
    assert admin.get("/personas/jauna/").status_code == 403


def test_relation_and_consent_forms(sw_client, muni_a):
    person = _demo(muni_a, target_group="adults", user__isnull=True)
    supporter = demo_user(Role.SUPPORT_PERSON, MUNICIPALITY_A)
    response = sw_client.post(f"/personas/{person.pk}/saistibas/jauna/", {
        "email": supporter.email, "kind": "support_person", "basis": "support_agreement",
        "valid_from": TODAY.isoformat(), "may_see": ["plan"]})
    assert response.status_code == 302
    bad = sw_client.post(f"/personas/{person.pk}/saistibas/jauna/", {
        "email": "nobody@example.lv", "kind": "support_person", "basis": "support_agreement",
        "valid_from": TODAY.isoformat()})
    assert bad.status_code == 400 and 'id="id_email-error"' in bad.content.decode()
    response = sw_client.post(f"/personas/{person.pk}/piekrisanas/jauna/", {
        "kind": "share_with_providers", "given_on": TODAY.isoformat(), "given_by_name": person.full_name,
        "given_by_capacity": "self"})
    assert response.status_code == 302
    with tenant_context(muni_a):
        assert Relation.objects.filter(person_id=person.pk, user=supporter).exists()
        assert person.consents.filter(kind="share_with_providers").exists()


def test_my_plan_for_the_person_the_representative_and_the_support_person(client_for, muni_a,
                                                                          django_assert_max_num_queries):
    me = client_for(MUNICIPALITY_A, user=demo_user(Role.PERSON, MUNICIPALITY_A))
    with django_assert_max_num_queries(25):
        page = me.get("/mans-plans/")
    body = page.content.decode()
    assert page.status_code == 200 and "Es gribu pats izlemt" in body  # the adult's decision-support goal
    rep = client_for(MUNICIPALITY_A, user=demo_user(Role.LEGAL_REPRESENTATIVE, MUNICIPALITY_A)).get("/mans-plans/")
    assert rep.status_code == 200 and "Elza" in rep.content.decode()
    supporter_client = client_for(MUNICIPALITY_A, user=demo_user(Role.SUPPORT_PERSON, MUNICIPALITY_A))
    assert "Es gribu pats izlemt" in supporter_client.get("/mans-plans/").content.decode()
    # The person takes the plan away from what the support person may see.
    with tenant_context(muni_a):
        relation = Relation.objects.get(kind="support_person", person__user=demo_user(Role.PERSON, MUNICIPALITY_A))
    assert me.post(f"/mans-plans/atbalsta-persona/{relation.pk}/", {"may_see": ["budget"]}).status_code == 302
    hidden = supporter_client.get("/mans-plans/").content.decode()
    assert "Es gribu pats izlemt" not in hidden
    # The support person can neither change that nor open the social worker's pages.
    assert supporter_client.post(f"/mans-plans/atbalsta-persona/{relation.pk}/",
                                 {"may_see": ["plan"]}).status_code == 403
    with tenant_context(muni_a):
        assert Relation.objects.get(pk=relation.pk).may_see == ["budget"]


def test_my_plan_on_the_other_municipality_shows_nothing_of_jelgava(client_for, muni_a, muni_b):
    me_in_b = client_for(MUNICIPALITY_B, user=demo_user(Role.PERSON, MUNICIPALITY_A))
    assert me_in_b.get("/mans-plans/").status_code == 403
    with tenant_context(muni_a):
        relation = Relation.objects.filter(kind="support_person").first()
        relation.pk = None
        relation.id = 10_000  # a relation id that exists only in Jelgava
        relation.user = demo_user(Role.LEGAL_REPRESENTATIVE, MUNICIPALITY_A)
        relation.save()
    with tenant_context(muni_b):
        assert not Relation.objects.filter(pk=10_000).exists()
    liepaja_person = client_for(MUNICIPALITY_B, user=demo_user(Role.PERSON, MUNICIPALITY_B))
    assert liepaja_person.get("/mans-plans/atbalsta-persona/10000/").status_code == 404
    jelgava_person = client_for(MUNICIPALITY_A, user=demo_user(Role.PERSON, MUNICIPALITY_A))
    assert jelgava_person.get("/mans-plans/atbalsta-persona/10000/").status_code == 200


@pytest.mark.parametrize("path,limit", [
    ("/personas/{p}/plani/{plan}/", 20),
    ("/personas/{p}/labot/", 16),
    ("/personas/{p}/novertejumi/jauns/", 12),
    ("/personas/{p}/plani/{plan}/labot/", 20),
    ("/personas/{p}/plani/{plan}/izvertesana/", 18),  # + the read audit
    ("/personas/{p}/saistibas/jauna/", 12),
    ("/personas/{p}/piekrisanas/jauna/", 12),
])
def test_social_worker_pages_answer_within_their_query_budget(sw_client, muni_a, path, limit,
                                                              django_assert_max_num_queries):
    with tenant_context(muni_a):
        plan = SupportPlan.objects.filter(status="approved").order_by("id").first()
    with django_assert_max_num_queries(limit):
        response = sw_client.get(path.format(p=plan.person_id, plan=plan.pk))
    # Editing an approved plan redirects to the plan page with a message.
    assert response.status_code in (200, 302)


def test_plan_builder_puts_a_goal_error_on_the_right_goal_and_removes_goals(sw_client, muni_a):
    person = _demo(muni_a, target_group="children")
    start = add_months(TODAY.replace(day=1), 1)
    end = add_months(start, 6) - dt.timedelta(1)
    url = f"/personas/{person.pk}/plani/jauns/"
    data = _plan_post(start, end, [("", [], ""), ("Gribu runāt", [], "50"), ("Gribu skriet", ["physiotherapy"], "50")],
                      {"goals-INITIAL_FORMS": "3"})
    response = sw_client.post(url, data)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_goals-1-service_types-error"' in body  # the second form, although the first is empty
    data["goals-1-DELETE"] = "on"
    data["goals-2-share_percent"] = "100"
    assert sw_client.post(url, data).status_code == 302
    with tenant_context(muni_a):
        plan = SupportPlan.objects.get(person_id=person.pk, status="draft")
        assert list(plan.goals.values_list("text", flat=True)) == ["Gribu skriet"]


def test_withdraw_a_consent_and_end_a_relation_through_the_pages(sw_client, client_for, muni_a):
    with tenant_context(muni_a):
        relation = Relation.objects.get(kind="support_person", person__user=demo_user(Role.PERSON, MUNICIPALITY_A))
        consent = relation.person.consents.order_by("id").first()
    pid = relation.person_id
    assert sw_client.get(f"/personas/{pid}/").content.decode().count("/atsaukt/") >= 1
    early = sw_client.post(f"/personas/{pid}/piekrisanas/{consent.pk}/atsaukt/", {"on": "2000-01-01"})
    assert early.status_code == 400 and 'id="id_on-error"' in early.content.decode()
    assert sw_client.post(f"/personas/{pid}/piekrisanas/{consent.pk}/atsaukt/",
                          {"on": TODAY.isoformat()}).status_code == 302
    assert sw_client.post(f"/personas/{pid}/saistibas/{relation.pk}/izbeigt/",
                          {"on": (TODAY - dt.timedelta(1)).isoformat()}).status_code == 302
    with tenant_context(muni_a):
        consent.refresh_from_db()
        relation.refresh_from_db()
    assert consent.withdrawn_on == TODAY and relation.valid_until == TODAY - dt.timedelta(1)
    supporter = client_for(MUNICIPALITY_A, user=demo_user(Role.SUPPORT_PERSON, MUNICIPALITY_A))
    assert "Es gribu pats izlemt" not in supporter.get("/mans-plans/").content.decode()


def test_the_administrator_finds_who_read_a_person_in_the_audit_log(sw_client, client_for, muni_a):
    person = _demo(muni_a, target_group="children")
    sw_client.get(f"/personas/{person.pk}/")
    admin = client_for(MUNICIPALITY_A, user=demo_user(Role.MUNICIPALITY_ADMIN, MUNICIPALITY_A))
    body = admin.get("/audits/", {"q": person.last_name, "action": "view"}).content.decode()
    assert f"{person.full_name}: personas lapa" in body and f"(#{person.pk})" not in body  # in words, no id
    assert demo_user(SW, MUNICIPALITY_A).email in body and "127.0.0.1" in body


def test_person_page_links_the_current_budget_and_my_plan_links_my_budget(sw_client, client_for, muni_a):
    person = _demo(muni_a, target_group="adults", user__isnull=False)
    assert "/budzeti/" in sw_client.get(f"/personas/{person.pk}/").content.decode()
    me = client_for(MUNICIPALITY_A, user=demo_user(Role.PERSON, MUNICIPALITY_A))
    assert 'href="/mans-budzets/"' in me.get("/mans-plans/").content.decode()


def test_the_family_agrees_to_a_plan_in_preparation_but_a_support_person_cannot(client_for, muni_a):
    from portal.budgets.people import services

    worker = demo_user(SW, MUNICIPALITY_A)
    rep_user = demo_user(Role.LEGAL_REPRESENTATIVE, MUNICIPALITY_A)
    with tenant_context(muni_a):
        child = Relation.objects.get(user=rep_user).person
        current = SupportPlan.objects.get(person=child, status="approved")
        start = current.period_end + dt.timedelta(1)
        draft = services.plan_new_version(plan=current, period_start=start,
                                          period_end=add_months(start, 12) - dt.timedelta(1), actor=worker)
        me = Person.objects.get(user=demo_user(Role.PERSON, MUNICIPALITY_A))
        mine = services.plan_new_version(plan=SupportPlan.objects.get(person=me, status="approved"),
                                         period_start=start, period_end=add_months(start, 6) - dt.timedelta(1),
                                         actor=worker)
    supporter = client_for(MUNICIPALITY_A, user=demo_user(Role.SUPPORT_PERSON, MUNICIPALITY_A))
    page = supporter.get("/mans-plans/").content.decode()
    assert "A new plan is being prepared" in page or "Tiek gatavots jauns plāns" in page
    assert f"/mans-plans/{mine.pk}/piekritu/" not in page
    assert supporter.post(f"/mans-plans/{mine.pk}/piekritu/").status_code == 403
    rep = client_for(MUNICIPALITY_A, user=rep_user)
    assert f"/mans-plans/{draft.pk}/piekritu/" in rep.get("/mans-plans/").content.decode()
    assert rep.post(f"/mans-plans/{mine.pk}/piekritu/").status_code == 404  # not the child they represent
    assert rep.post(f"/mans-plans/{draft.pk}/piekritu/").status_code == 302
    with tenant_context(muni_a):
        draft.refresh_from_db()
        mine.refresh_from_db()
    assert draft.status == "agreed" and draft.agreed_by == rep_user and draft.agreed_capacity == "legal_representative"
    assert mine.status == "draft"
    assert client_for(MUNICIPALITY_B, user=rep_user).post(f"/mans-plans/{draft.pk}/piekritu/").status_code == 403


@pytest.mark.parametrize("role,href", [(SW, "/personas/"), (Role.MUNICIPALITY_ADMIN, "/personas/"),
                                       (Role.PERSON, "/mans-plans/"), (Role.LEGAL_REPRESENTATIVE, "/mans-plans/"),
                                       (Role.SUPPORT_PERSON, "/mans-plans/")])
def test_each_role_finds_its_people_page_on_the_dashboard(client_for, role, href):
    body = client_for(MUNICIPALITY_A, user=demo_user(role, MUNICIPALITY_A)).get("/panelis/").content.decode()
    assert f'href="{href}"' in body
