"""Budget pages: staff list and ledger, the family's budget and history, the methodology page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from portal.budgets.ledger.methodology import rate_table
from portal.budgets.ledger.models import MethodologyRate
from portal.budgets.ledger.selectors import categories_of
from portal.budgets.ledger.services import funds_reserve, reservation_post
from portal.budgets.people.models import Relation
from portal.tenants.roles import Role
from tests.conftest import MUNICIPALITY_A, MUNICIPALITY_B
from tests.factories import make_budget, make_person

pytestmark = pytest.mark.django_db
D = Decimal


def _budget_with_history(user=None, **kwargs):
    start = dt.date.today().replace(day=1) - dt.timedelta(days=40)
    start = start.replace(day=1)
    end = start.replace(year=start.year + 1) - dt.timedelta(days=1)  # 12 months, covering today
    budget = make_budget(user=user, start=start, end=end, **kwargs)
    category = categories_of(budget)[0]
    reservation = funds_reserve(category=category, amount="1000", reference="agreement:test",
                                idempotency_key=f"t:{budget.pk}:r", actor=None)
    reservation_post(reservation=reservation, amount="250", reference="invoice:test",
                     idempotency_key=f"t:{budget.pk}:p", actor=None)
    return budget


def test_social_worker_lists_budgets_and_reads_the_ledger(in_a, client_for, user_of,
                                                          django_assert_max_num_queries):
    budget = _budget_with_history()
    client = client_for(MUNICIPALITY_A, user=user_of(Role.SOCIAL_WORKER))
    with django_assert_max_num_queries(12):
        response = client.get("/budzeti/")
    assert response.status_code == 200
    assert f"/budzeti/{budget.pk}/" in response.content.decode()
    with django_assert_max_num_queries(16):
        response = client.get(f"/budzeti/{budget.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "8\xa0900,00\xa0EUR" in page and "4\xa0340,00\xa0EUR" in page  # total, available in goal 1 (5 340 − 1 000)
    assert "agreement:test" in page and "invoice:test" in page
    filtered = client.get(f"/budzeti/{budget.pk}/?kind=post").content.decode()
    assert "invoice:test" in filtered and "agreement:test" not in filtered


def test_budget_list_search(in_a, client_for, user_of):
    budget = _budget_with_history()
    client = client_for(MUNICIPALITY_A, user=user_of(Role.FINANCE_OFFICER))
    found = client.get("/budzeti/", {"q": budget.person.personal_code}).content.decode()
    assert f"/budzeti/{budget.pk}/" in found
    missing = client.get("/budzeti/", {"q": "Nobodyatall"}).content.decode()
    assert f"/budzeti/{budget.pk}/" not in missing


def test_budget_of_another_municipality_is_not_found(in_a, client_for, user_of):
    budget = _budget_with_history()
    connection.set_schema_to_public()
    response = client_for(MUNICIPALITY_B, user=user_of(Role.SOCIAL_WORKER, MUNICIPALITY_B)).get(
        f"/budzeti/{budget.pk}/")
    assert response.status_code == 404


def test_roles_without_access_are_refused(in_a, client_for, user_of):
    budget = _budget_with_history()
    provider = client_for(MUNICIPALITY_A, user=user_of(Role.PROVIDER_STAFF))
    assert provider.get("/budzeti/").status_code == 403
    assert provider.get(f"/budzeti/{budget.pk}/").status_code == 403
    family = client_for(MUNICIPALITY_A, user=user_of(Role.PERSON))
    assert family.get("/budzeti/").status_code == 403
    assert family.get(f"/budzeti/{budget.pk}/").status_code == 404  # someone else's budget
    assert client_for(MUNICIPALITY_A).get("/mans-budzets/").status_code == 302  # sign in first


def test_person_sees_what_is_left_in_plain_latvian(in_a, client_for, user_of, django_assert_max_num_queries):
    person_user = user_of(Role.PERSON)
    budget = _budget_with_history(user=person_user)
    client = client_for(MUNICIPALITY_A, user=person_user)
    with django_assert_max_num_queries(20):
        response = client.get("/mans-budzets/")
    page = response.content.decode()
    assert response.status_code == 200
    end = budget.period_end
    months = ["janvārim", "februārim", "martam", "aprīlim", "maijam", "jūnijam", "jūlijam", "augustam",
              "septembrim", "oktobrim", "novembrim", "decembrim"]
    assert "Jums atlikuši 4\xa0340,00\xa0EUR" in page
    assert f"{end.day}. {months[end.month - 1]}" in page
    assert client.get(f"/budzeti/{budget.pk}/").status_code == 200  # their own ledger
    with django_assert_max_num_queries(12):
        history = client.get("/mans-budzets/vesture/")
    assert history.status_code == 200
    assert "250,00\xa0EUR" in history.content.decode()


def test_person_sees_plain_english_too(in_a, client_for, user_of):
    person_user = user_of(Role.PERSON)
    _budget_with_history(user=person_user)
    page = client_for(MUNICIPALITY_A, user=person_user, language="en").get("/mans-budzets/").content.decode()
    assert "You have 4,340.00\xa0EUR left for" in page


def test_legal_representative_sees_the_childs_budget(in_a, client_for, user_of):
    representative = user_of(Role.LEGAL_REPRESENTATIVE)
    budget = _budget_with_history(target_group="children")
    Relation.objects.create(person=budget.person, user=representative, kind="legal_representative",
                            basis="parent", valid_from=dt.date(2020, 1, 1))
    client = client_for(MUNICIPALITY_A, user=representative)
    page = client.get("/mans-budzets/").content.decode()
    assert budget.person.full_name in page and "atlikuši" in page
    assert client.get(f"/budzeti/{budget.pk}/").status_code == 200


def test_support_person_sees_the_budget_only_if_allowed(in_a, client_for, user_of):
    supporter = user_of(Role.SUPPORT_PERSON)
    budget = _budget_with_history()
    relation = Relation.objects.create(person=budget.person, user=supporter, kind="support_person",
                                       basis="support_agreement", valid_from=dt.date(2020, 1, 1), may_see=["plan"])
    client = client_for(MUNICIPALITY_A, user=supporter)
    assert client.get(f"/budzeti/{budget.pk}/").status_code == 404
    assert budget.person.full_name not in client.get("/mans-budzets/").content.decode()
    Relation.objects.filter(pk=relation.pk).update(may_see=["plan", "budget"])
    assert client.get(f"/budzeti/{budget.pk}/").status_code == 200


def test_family_pages_on_another_municipality_show_nothing_of_this_one(in_a, client_for, user_of):
    person_user = user_of(Role.PERSON)
    budget = _budget_with_history(user=person_user)
    connection.set_schema_to_public()
    other = client_for(MUNICIPALITY_B, user=user_of(Role.PERSON, MUNICIPALITY_B))
    assert other.get(f"/budzeti/{budget.pk}/").status_code == 404
    assert "4\xa0340,00" not in other.get("/mans-budzets/").content.decode()


def test_admin_changes_the_methodology(in_a, client_for, user_of, django_assert_max_num_queries):
    client = client_for(MUNICIPALITY_A, user=user_of(Role.MUNICIPALITY_ADMIN))
    with django_assert_max_num_queries(12):
        response = client.get("/budzeta-metodika/")
    assert response.status_code == 200
    form = _methodology_post(children_2="7500.00")
    response = client.post("/budzeta-metodika/", form)
    assert response.status_code == 302
    assert MethodologyRate.objects.get(target_group="children", level=2).annual_amount == D("7500.00")


def test_methodology_with_bad_shares_shows_the_error_and_changes_nothing(in_a, client_for, user_of):
    client = client_for(MUNICIPALITY_A, user=user_of(Role.MUNICIPALITY_ADMIN))
    before = rate_table()
    response = client.post("/budzeta-metodika/", _methodology_post(children_2="9999", esf="80"))
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert rate_table() == before


def test_social_worker_reads_but_cannot_change_the_methodology(in_a, client_for, user_of):
    client = client_for(MUNICIPALITY_A, user=user_of(Role.SOCIAL_WORKER))
    assert client.get("/budzeta-metodika/").status_code == 200
    assert client.post("/budzeta-metodika/", _methodology_post(children_2="1.00")).status_code == 403
    assert MethodologyRate.objects.get(target_group="children", level=2).annual_amount != D("1.00")
    assert client_for(MUNICIPALITY_A, user=user_of(Role.PERSON)).get("/budzeta-metodika/").status_code == 403


def _methodology_post(children_2="7000.00", esf="85"):
    data = {"min_period_months": "6", "max_period_months": "12", "funding_esf": esf, "funding_state": "15",
            "funding_municipal": "0"}
    for (group, level), amount in rate_table().items():
        data[f"rate_{group}_{level}"] = str(amount)
    data["rate_children_2"] = children_2
    return data


def test_person_budget_link_redirects_to_the_current_budget(in_a, client_for, user_of):
    budget = _budget_with_history()
    client = client_for(MUNICIPALITY_A, user=user_of(Role.SOCIAL_WORKER))
    response = client.get(f"/budzeti/persona/{budget.person_id}/")
    assert response.status_code == 302 and response.url == f"/budzeti/{budget.pk}/"
    without = make_person()
    assert client.get(f"/budzeti/persona/{without.pk}/").status_code == 200
    connection.set_schema_to_public()
    other = client_for(MUNICIPALITY_B, user=user_of(Role.SOCIAL_WORKER, MUNICIPALITY_B))
    assert other.get(f"/budzeti/persona/{budget.person_id}/").status_code == 404
