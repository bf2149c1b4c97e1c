"""Search that starts where the person is: a place named in the words ranks by distance from it, and browsing
without words ranks by distance from this municipality (or the person's address)."""

from __future__ import annotations

import pytest

from portal.marketplace.search.centres import place_named
from tests.conftest import MUNICIPALITY_A

pytestmark = pytest.mark.django_db

URL = "/api/v1/search/services/"


def _distances(client, **params):
    data = client.get(URL, {"per_page": 100, **params}).json()
    return [h["distance_km"] for h in data["results"]], data


def test_a_place_in_any_case_is_recognised_and_leaves_the_words():
    assert place_named("logopēds Liepājā") == ("liepaja", "logopēds")
    assert place_named("psihologs Rīgā") == ("riga", "psihologs")
    assert place_named("Cēsīs") == ("cesis", "")
    assert place_named("klīniskais psihologs") == (None, "klīniskais psihologs")


def test_the_hint_example_puts_liepaja_first_on_the_national_site(client_for, catalogue_ids):
    client = client_for(None)
    client.get(URL, {"q": "aprūpe"})  # load the in-memory index
    named, data = _distances(client, q="aprūpe mājās Liepājā")
    assert data["count"] > 1 and named[0] is not None and named[0] < 10  # a Liepāja service first
    known = [d for d in named if d is not None]
    assert known == sorted(known)
    # Without the place the same words keep relevance order, and find at least as much (recall kept).
    plain, plain_data = _distances(client, q="aprūpe mājās")
    assert plain_data["count"] == data["count"]  # the place narrows nothing: it only orders
    assert plain[0] is None or plain[0] > named[0]


def test_browsing_without_words_ranks_by_distance_from_this_municipality(client_for, catalogue_ids):
    client = client_for(MUNICIPALITY_A)
    distances, data = _distances(client)
    known = [d for d in distances if d is not None]
    assert data["count"] > 1 and known and known == sorted(known)
    assert distances[: len(known)] == known  # services without a place (online, at home) come after


def test_a_chosen_sort_wins_over_the_place(client_for, catalogue_ids):
    data = client_for(MUNICIPALITY_A).get(URL, {"q": "aprūpe Liepājā", "sort": "price", "per_page": 100}).json()
    prices = [float(h["unit_price"]) for h in data["results"]]
    assert prices == sorted(prices)


def test_the_page_puts_the_named_place_first(client_for, catalogue_ids):
    html = client_for(None).get("/meklet/", {"q": "aprūpe mājās Liepājā"}).content.decode()
    first = html.index('class="portal-search__result"')
    assert "Liepāj" in html[first:html.index('class="portal-search__result"', first + 30)]
