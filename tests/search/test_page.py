"""The search page: works without JavaScript, htmx swaps the results, tenancy, query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import MUNICIPALITY_A, MUNICIPALITY_B

pytestmark = pytest.mark.django_db

URL = "/meklet/"


def test_search_page_lists_approved_services_on_a_municipality_site(client_for, catalogue_ids,
                                                                    django_assert_max_num_queries):
    client = client_for(MUNICIPALITY_A)
    client.get(URL, {"q": "aprupe"})  # the first search after a change loads the in-memory index (test_memory)
    with django_assert_max_num_queries(12):
        response = client.get(URL, {"q": "aprupe majas jelgava", "type": "home-care"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Aprūpe mājās Jelgavā</" in html
    assert "Aprūpe mājās Liepājā</" not in html  # approved only in Liepāja
    assert 'role="search"' in html and 'aria-live="polite"' in html
    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">' in html


def test_same_search_on_the_other_municipality_finds_nothing_of_the_first(client_for, catalogue_ids):
    response = client_for(MUNICIPALITY_B).get(URL, {"q": "Aprūpe mājās Jelgavā", "type": "home-care"})
    assert response.status_code == 200
    assert "Aprūpe mājās Jelgavā</" not in response.content.decode()


def test_over_cap_price_is_shown_with_the_difference(client_for, catalogue_ids):
    response = client_for(MUNICIPALITY_A, language="en").get(URL, {"q": "klīniskais psihologs"})
    html = response.content.decode()
    assert "Clinical psychologist" in html
    assert "Above the price cap" in html and "The cap is 50.00 €; the price is 40.00 € a unit more." in html


def test_htmx_request_gets_only_the_results_and_the_live_count(client_for, catalogue_ids):
    response = client_for(MUNICIPALITY_A).get(URL, {"q": "logopēds"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'hx-swap-oob="true"' in html and "Logopēda nodarbības bērniem" in html
    assert 'id="count-id_type_0" class="portal-search__count" hx-swap-oob="true"' in html  # facet counts too


def test_national_site_searches_every_verified_provider(client_for, catalogue_ids):
    response = client_for(None).get(URL, {"q": "fizioterapija pieaugušajiem liepaja"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Fizioterapija pieaugušajiem Liepājā" in html  # listed nationally, approved nowhere
    assert "Psihologs pie nepārbaudīta sniedzēja" not in html


def test_bad_input_shows_an_error_next_to_the_field(client_for, catalogue_ids):
    response = client_for(MUNICIPALITY_A, language="en").get(URL, {"age": "abc"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html and 'href="#id_age"' in html


def test_pagination_keeps_every_filter(client_for, catalogue_ids):
    response = client_for(MUNICIPALITY_A).get(URL, {"type": ["psychologist", "home-care"], "per_page": 2})
    html = response.content.decode()
    assert "type=psychologist&amp;type=home-care" in html and "page=2" in html


def test_family_member_sees_the_budget_filter_only_with_a_person(client_for, user_of, catalogue_ids):
    from portal.tenants.roles import Role

    response = client_for(MUNICIPALITY_A, user=user_of(Role.SOCIAL_WORKER)).get(URL)
    assert response.status_code == 200
    assert 'name="budget"' not in response.content.decode()  # staff search for nobody in particular


def test_dashboard_links_to_search(client_for, user_of):
    from portal.tenants.roles import Role

    response = client_for(MUNICIPALITY_A, user=user_of(Role.PERSON)).get(reverse("frontend:dashboard"))
    assert URL in response.content.decode()


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "family member"])
def test_the_page_runs_the_apis_queries_and_no_more(client_for, user_of, catalogue_ids, signed_in):
    """The page's extra cost over the API is drawing HTML, never another query (header counts are fetched by
    the page's script, not in the request; docs/subsystems/search.md, "Page cost")."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portal.tenants.roles import Role

    client = client_for(MUNICIPALITY_A, user=user_of(Role.PERSON) if signed_in else None)
    counts = {}
    for path in (URL, "/api/v1/search/services/"):
        client.get(path, {"q": "psihologs"})  # warm: the in-memory index, the session's first write
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path, {"q": "psihologs"}).status_code == 200
        counts[path] = len(queries)
    assert counts[URL] == counts["/api/v1/search/services/"] <= (8 if signed_in else 3), counts


def test_filter_labels_follow_the_language_of_each_request(client_for, catalogue_ids):
    """The option markup is built once per language and process: a Latvian page after an English one (and
    back) shows its own labels and its own counts."""
    english = client_for(MUNICIPALITY_A, language="en").get(URL, {"q": "logopēds"}).content.decode()
    latvian = client_for(MUNICIPALITY_A).get(URL, {"q": "psihologs"}).content.decode()
    assert 'for="id_group_0">Children with functional impairments <span' in english
    assert 'for="id_group_0">Bērni ar funkcionāliem traucējumiem <span' in latvian
    assert "Children with" not in latvian and "Bērni ar" not in english
    assert '<input class="govuk-checkboxes__input" id="id_type_0" name="type" type="checkbox"' in latvian


def test_chosen_filters_stay_ticked_and_the_age_error_is_on_its_field(client_for, catalogue_ids):
    html = client_for(MUNICIPALITY_A, language="en").get(
        URL, {"group": "children", "free": "on", "municipality": "x", "age": "abc"}).content.decode()
    assert 'name="group" type="checkbox" value="children" checked>' in html
    assert 'id="id_free" name="free" type="checkbox" value="on" checked>' in html
    assert ('<input type="number" name="age" value="abc" min="0" max="120" class="govuk-input govuk-input--error" '
            'aria-describedby="id_age-hint id_age-error" aria-invalid="true" id="id_age">') in html
    assert '<p id="id_age-error" class="govuk-error-message">' in html
