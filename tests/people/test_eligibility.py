"""Who qualifies (adults only with a group I or II disability, seed 002) and whether an adult left an
institution (deinstitutionalisation, seeds 000 and 004): the services, the API and the pages agree, and a
refusal writes nothing."""

import datetime as dt
import re

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation
from django_tenants.utils import tenant_context

from portal.budgets.people import services
from portal.budgets.people.errors import NotEligible, PersonInvalid
from portal.budgets.people.models import Assessment, Person, SupportPlan
from portal.budgets.people.plans import add_months
from portal.platform.core.models import AuditEvent
from portal.tenants.roles import Role

from .conftest import MUNICIPALITY_A, TODAY, adult_data, child_data, demo_user, goals, sis_scores

SW = Role.SOCIAL_WORKER


def _counts():
    return Person.objects.count(), Assessment.objects.count(), SupportPlan.objects.count(), AuditEvent.objects.count()


def _json(data):
    return {k: (v.isoformat() if isinstance(v, dt.date) else str(v) if v is not None and not isinstance(v, (str, bool))
                else v) for k, v in data.items()}


def _form(data):
    post = {k: ("" if v is None else v.isoformat() if isinstance(v, dt.date) else v) for k, v in data.items()}
    post["social_worker"] = ""
    return post


@pytest.fixture
def sw_api(client_for):
    return client_for(MUNICIPALITY_A, user=demo_user(SW, MUNICIPALITY_A))


# ------------------------------------------------------------------------------------- group III refused
def test_an_adult_with_group_three_is_refused_at_registration_and_nothing_is_written(in_a, worker):
    before = _counts()
    with pytest.raises(NotEligible) as caught, translation.override("en"):
        services.person_create(actor=worker, **adult_data(disability_group="group_3"))
    assert caught.value.code == "person.not_eligible" and caught.value.field == "disability_group"
    assert "group I or II" in caught.value.message
    assert _counts() == before


@pytest.mark.parametrize("group", ["group_1", "group_2"])
def test_adults_with_a_severe_or_very_severe_disability_qualify(in_a, worker, group):
    assert services.person_create(actor=worker, **adult_data(disability_group=group)).disability_group == group


def test_changing_an_adult_to_group_three_is_refused(in_a, worker, register_person):
    person = register_person()
    with pytest.raises(NotEligible):
        services.person_update(person=person, actor=worker, disability_group="group_3")
    person.refresh_from_db()
    assert person.disability_group == "group_2"


def test_a_person_registered_in_group_three_before_the_rule_gets_no_assessment_or_plan(in_a, worker,
                                                                                     draw_up_plan):
    # Given a plan the person agreed to, and then their record in group III (as before this rule).
    plan = draw_up_plan(status="agreed")
    person = plan.person
    Person.objects.filter(pk=person.pk).update(disability_group="group_3")
    person.refresh_from_db()
    before = _counts()
    with pytest.raises(NotEligible):
        services.assessment_create(person=person, scores=sis_scores(), assessed_on=TODAY,
                                   valid_until=TODAY + dt.timedelta(days=365), actor=worker)
    with pytest.raises(NotEligible):
        services.plan_approve(plan=plan, actor=worker)
    start = TODAY.replace(day=1)
    with pytest.raises(NotEligible):
        services.plan_create(person=person, period_start=start, period_end=add_months(start, 12) - dt.timedelta(1),
                             goals=goals("100"), actor=worker)
    assert _counts() == before
    plan.refresh_from_db()
    assert plan.status == SupportPlan.Status.AGREED


def test_the_api_refuses_group_three_with_the_stable_code(sw_api, muni_a):
    with tenant_context(muni_a):
        before = _counts()
    response = sw_api.post("/api/v1/persons/", _json(adult_data(disability_group="group_3")),
                           content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "person.not_eligible" and response.json()["field"] == "disability_group"
    with tenant_context(muni_a):
        assert _counts() == before


def test_the_form_refuses_group_three_next_to_the_field(client_for, muni_a):
    client = client_for(MUNICIPALITY_A, user=demo_user(SW, MUNICIPALITY_A))
    with tenant_context(muni_a):
        before = _counts()
    response = client.post("/personas/jauna/", _form(adult_data(disability_group="group_3")))
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_disability_group-error"' in body
    assert "I vai II" in body  # the Latvian message names the groups that qualify
    with tenant_context(muni_a):
        assert _counts() == before


# ------------------------------------------------------------------------------ left an institution
def test_an_adult_who_left_an_institution_is_recorded_and_audited_without_values(in_a, worker, register_person):
    left_on = TODAY - dt.timedelta(days=400)
    person = register_person(left_institution=True, left_institution_on=left_on)
    assert (person.left_institution, person.left_institution_on) == (True, left_on)
    services.person_update(person=person, actor=worker, left_institution_on=None)
    event = AuditEvent.objects.filter(action="update", object_id=str(person.pk)).get()
    assert event.changes == {"left_institution_on": "changed"}


@pytest.mark.parametrize("overrides,field", [
    ({"left_institution": False, "left_institution_on": TODAY - dt.timedelta(days=3)}, "left_institution"),
    ({"left_institution": True, "left_institution_on": TODAY + dt.timedelta(days=1)}, "left_institution_on"),
    ({"left_institution": True, "left_institution_on": dt.date(1980, 1, 1)}, "left_institution_on"),
    ({"left_institution": "yes"}, "left_institution"),
])
def test_bad_institution_data_is_refused_and_nothing_is_written(in_a, worker, overrides, field):
    before = _counts()
    with pytest.raises(PersonInvalid) as caught:
        services.person_create(actor=worker, **adult_data(**overrides))
    assert caught.value.field == field
    assert _counts() == before


def test_leaving_an_institution_is_recorded_for_adults_only(in_a, worker):
    with pytest.raises(PersonInvalid) as caught:
        services.person_create(actor=worker, **child_data(left_institution=True))
    assert caught.value.field == "left_institution"


def test_the_database_backs_the_institution_rules(in_a, register_person):
    child = register_person(child=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.filter(pk=child.pk).update(left_institution=True)
    adult = register_person()
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.filter(pk=adult.pk).update(left_institution_on=TODAY)


def test_the_api_records_and_shows_leaving_an_institution(sw_api, muni_a):
    left_on = TODAY - dt.timedelta(days=100)
    created = sw_api.post("/api/v1/persons/", _json(adult_data(left_institution=True, left_institution_on=left_on)),
                          content_type="application/json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["left_institution"] is True and body["left_institution_on"] == left_on.isoformat()
    changed = sw_api.patch(f"/api/v1/persons/{body['id']}/", {"left_institution": False,
                                                               "left_institution_on": None},
                           content_type="application/json")
    assert changed.status_code == 200 and changed.json()["left_institution"] is False
    bad = sw_api.patch(f"/api/v1/persons/{body['id']}/", {"left_institution_on": left_on.isoformat()},
                       content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "person.invalid"
    assert bad.json()["field"] == "left_institution"


def test_the_form_records_and_the_person_page_shows_leaving_an_institution(client_for, muni_a):
    client = client_for(MUNICIPALITY_A, user=demo_user(SW, MUNICIPALITY_A))
    data = adult_data()
    left_on = TODAY - dt.timedelta(days=50)
    response = client.post("/personas/jauna/", {**_form(data), "left_institution": "True",
                                                 "left_institution_on": left_on.isoformat()})
    assert response.status_code == 302
    with tenant_context(muni_a):
        person = Person.objects.get(personal_code=data["personal_code"])
        assert person.left_institution and person.left_institution_on == left_on
    page = client.get(f"/personas/{person.pk}/").content.decode()
    assert left_on.strftime("%d.%m.%Y") in page
    edit = client.get(f"/personas/{person.pk}/labot/").content.decode()
    chosen = re.search(r'<input[^>]*name="left_institution"[^>]*value="True"[^>]*>', edit).group(0)
    assert "checked" in chosen


def test_the_demo_has_no_adult_in_group_three_and_some_who_left_an_institution(muni_a):
    with tenant_context(muni_a):
        adults = Person.objects.filter(target_group="adults")
        assert not adults.filter(disability_group="group_3").exists()
        assert adults.filter(left_institution=True).count() >= 2
        assert not Person.objects.filter(target_group="children", left_institution=True).exists()
