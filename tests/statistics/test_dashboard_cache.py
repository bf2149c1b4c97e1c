"""The dashboard's rendered body is cached per publication: a publication changes what the page shows, and two
languages, two scopes (the ministry's national dashboard, a municipality's own) never share an entry."""

from __future__ import annotations

import re

from django.db import transaction

from portal.statistics import selectors
from portal.statistics.models import Level, Publication, StatCell
from portal.statistics.services import statistics_publish
from portal.tenants.models import Municipality
from portal.tenants.roles import Role
from tests.conftest import MUNICIPALITY_A, MUNICIPALITY_B

DASHBOARD = "/statistika/"


def _latvia_persons(page: str) -> str:
    """The overview's first row (persons), Latvia's column: the last cell of that row."""
    row = re.search(r'<th scope="row" class="govuk-table__header">[^<]*</th>(.*?)</tr>', page, re.S).group(1)
    return re.findall(r"<td[^>]*>([^<]*)</td>", row)[-1]


def _body(page: str) -> str:
    return page[page.index('<form method="get"'):page.index("</main>")]


def test_a_publication_changes_what_the_page_shows(cube, client_for, user_of):
    analyst = client_for(None, user=user_of(Role.MINISTRY_ANALYST))
    first = analyst.get(DASHBOARD).content.decode()
    assert _body(analyst.get(DASHBOARD).content.decode()) == _body(first)  # warm: the same body, from the cache
    version = Publication.objects.get().version
    before = StatCell.objects.get(level=Level.NATIONAL, target_group="", service_type="", period="").persons
    latvia = StatCell.objects.get(level=Level.NATIONAL, target_group="", service_type="", period="")
    assert _latvia_persons(first) == str(selectors.figures(latvia)["persons"])
    # More persons in one municipality's rollup, then a publication (incremental, as after a commit).
    StatCell.objects.filter(level=Level.MUNICIPALITY, geo=MUNICIPALITY_A, target_group="children", service_type="",
                            period="").update(persons=700)
    with transaction.atomic():
        statistics_publish(municipality=Municipality.objects.get(code=MUNICIPALITY_A))
    assert Publication.objects.get().version == version + 1
    after = StatCell.objects.get(level=Level.NATIONAL, target_group="", service_type="", period="").persons
    assert after > before
    page = analyst.get(DASHBOARD).content.decode()
    assert _latvia_persons(page) == str(after) != _latvia_persons(first)


def test_languages_and_scopes_never_share_an_entry(cube, client_for, user_of):
    analyst_lv = client_for(None, user=user_of(Role.MINISTRY_ANALYST))
    analyst_en = client_for(None, user=user_of(Role.MINISTRY_ANALYST), language="en")
    admin_a = client_for(MUNICIPALITY_A, user=user_of(Role.MUNICIPALITY_ADMIN, MUNICIPALITY_A))
    admin_b = client_for(MUNICIPALITY_B, user=user_of(Role.MUNICIPALITY_ADMIN, MUNICIPALITY_B))
    for _ in range(2):  # the second round is served from the cache: each still gets its own
        lv, en = analyst_lv.get(DASHBOARD).content.decode(), analyst_en.get(DASHBOARD).content.decode()
        assert "Pašvaldības" in lv and "Municipalities ranked by utilisation" not in lv
        assert "Municipalities ranked by utilisation" in en
        a, b = admin_a.get(DASHBOARD).content.decode(), admin_b.get(DASHBOARD).content.decode()
        name = dict(Municipality.objects.values_list("code", "name"))
        for own, mine, other in ((a, MUNICIPALITY_A, MUNICIPALITY_B), (b, MUNICIPALITY_B, MUNICIPALITY_A)):
            assert 'id="t-municipalities"' not in own and 'id="municipality"' not in own  # never the national page
            assert name[mine] in own and name[other] not in own
        assert 'id="t-municipalities"' in lv and 'id="t-municipalities"' in en
        assert a != b


def test_an_administrator_never_gets_the_national_page(cube, client_for, user_of):
    analyst = client_for(None, user=user_of(Role.MINISTRY_ANALYST))
    assert 'id="t-municipalities"' in analyst.get(DASHBOARD).content.decode()  # the national entry is cached
    admin = user_of(Role.MUNICIPALITY_ADMIN, MUNICIPALITY_A)
    assert client_for(None, user=admin).get(DASHBOARD).status_code in (403, 404)
    own = client_for(MUNICIPALITY_A, user=admin).get(DASHBOARD + "?region=&municipality=").content.decode()
    assert 'id="t-municipalities"' not in own and 'id="t-regions"' not in own


def test_without_the_cache_the_page_is_rendered(cube, client_for, user_of, settings):
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:9/0"}}  # nobody there
    page = client_for(None, user=user_of(Role.MINISTRY_ANALYST)).get(DASHBOARD)
    assert page.status_code == 200 and 'id="t-municipalities"' in page.content.decode()
