"""Anonymous visitors find the catalogue (issue 10): the national and each municipality's home page link to the
search, and the search answers without a sign-in."""

from __future__ import annotations

import pytest

from tests.conftest import MUNICIPALITY_A, MUNICIPALITY_B

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", [None, MUNICIPALITY_A, MUNICIPALITY_B])
def test_every_home_page_links_an_anonymous_visitor_to_the_search(client_for, code):
    client = client_for(code)
    home = client.get("/")
    assert home.status_code == 200
    assert 'href="/meklet/"' in home.content.decode()
    assert client.get("/meklet/").status_code == 200
