"""Wording that read wrong (issue 10, "Language"): names in a phrase, lists, hints, required fields, whose budget."""

import pytest
from django.utils import translation

from portal.frontend.agreements.forms import AgreementForm
from portal.frontend.invoicing.forms import SessionForm
from portal.tenants.models import Municipality, name_genitive
from tests.conftest import MUNICIPALITY_A


@pytest.mark.parametrize("name, genitive", [
    ("Jelgavas valstspilsēta", "Jelgavas valstspilsētas"), ("Bauskas novads", "Bauskas novada"),
    ("Daugavpils valstspilsēta", "Daugavpils valstspilsētas"), ("Cēsu novads", "Cēsu novada"),
])
def test_a_municipality_name_declines_its_last_word_in_a_phrase(name, genitive):
    assert name_genitive(name) == genitive
    municipality = Municipality(name=name)
    with translation.override("lv"):
        assert municipality.genitive == genitive
    with translation.override("en"):
        assert municipality.genitive == name  # "Price cap of Bauskas novads"
    with translation.override("lv"):
        assert Municipality(name=name, name_genitive="Pilsētas X").genitive == "Pilsētas X"  # as entered


def test_the_weekly_amount_is_asked_in_the_unit_of_the_service_with_a_matching_example():
    with translation.override("lv"):
        days = AgreementForm(unit="day")
        assert str(days.fields["units_per_week"].label) == "Dienu skaits nedēļā"
        assert "dienas" in str(days.fields["units_per_week"].help_text)
        assert "stundas" not in str(days.fields["units_per_week"].help_text)


def test_required_fields_say_what_is_missing_not_a_generic_sentence():
    with translation.override("lv"):
        agreement = AgreementForm(data={"units_per_week": "2"}, unit="hour")
        session = SessionForm(data={})
        assert not agreement.is_valid() and not session.is_valid()
        messages = [*agreement.errors.values(), *session.errors.values()]
    flat = [str(m) for errors in messages for m in errors]
    assert "Šis lauks ir obligāts." not in flat
    assert "Ievadiet datumu, kad pakalpojums sākas." in flat and "Ievadiet nodarbības datumu." in flat


def test_languages_in_a_list_are_lower_case_in_latvian_and_capitalised_in_english():
    from portal.frontend.catalogue.views import _languages

    with translation.override("lv"):
        assert ", ".join(_languages(["lv", "ru"])) == "latviešu, krievu"
    with translation.override("en"):
        assert ", ".join(_languages(["lv", "ru"])) == "Latvian, Russian"


@pytest.mark.django_db
def test_a_legal_representative_reads_the_childs_budget_not_my_budget(muni_a, client_for):
    from tests.factories import build_world

    world = build_world(muni_a)
    page = client_for(MUNICIPALITY_A, user=world.representative).get("/mans-budzets/").content.decode()
    # The demo's representative acts for several children: "Budžeti"; one child alone: "Bērna budžets".
    assert '<h1 class="govuk-heading-xl">Budžeti</h1>' in page and "Mans budžets</h1>" not in page
    assert world.child.full_name in page
    own = client_for(MUNICIPALITY_A, user=world.person_user).get("/mans-budzets/").content.decode()
    assert '<h1 class="govuk-heading-xl">Mans budžets</h1>' in own


def test_the_heading_names_whose_budget_it_is():
    from types import SimpleNamespace

    from portal.frontend.budgets.views import _my_budget_heading

    child, adult = SimpleNamespace(is_child=True), SimpleNamespace(is_child=False)
    with translation.override("lv"):
        assert _my_budget_heading([{"person": child, "self": False}]) == "Bērna budžets"
        assert _my_budget_heading([{"person": adult, "self": False}]) == "Personas budžets"
        assert _my_budget_heading([{"person": adult, "self": True}]) == "Mans budžets"
        assert _my_budget_heading([{"person": adult, "self": True}, {"person": child, "self": False}]) == "Budžeti"
