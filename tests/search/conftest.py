"""Search fixtures: a known catalogue (tests/search/data.py) seeded once per session, and each backend."""

from __future__ import annotations

import os

import pytest
from django.db import connection

from portal.marketplace.search.query import SearchQuery
from portal.marketplace.search.selectors import search_scope
from portal.tenants.models import Municipality


@pytest.fixture(scope="session")
def catalogue_ids(django_db_setup, django_db_blocker) -> dict[str, int]:
    from .data import seed

    with django_db_blocker.unblock():
        ids = seed()
        connection.set_schema_to_public()
    return ids


# "postgresql" searches the documents held in memory (the default); "postgresql-sql" the same documents in SQL.
BACKENDS = ["postgresql", "postgresql-sql", "elasticsearch"]


@pytest.fixture(params=BACKENDS)
def backend(request, catalogue_ids, django_db_blocker):
    """Each backend in turn: the shared behavioural suite runs against both."""
    from portal.marketplace.search import get_search

    if request.param == "elasticsearch":
        if not os.environ.get("ELASTICSEARCH_URL"):
            pytest.skip("Elasticsearch half: ELASTICSEARCH_URL is not set")
        search = get_search("elasticsearch")
        if not getattr(request.config, "_search_es_built", False):
            with django_db_blocker.unblock():
                search.rebuild_index()
            request.config._search_es_built = True
        return search
    if request.param == "postgresql-sql":
        from portal.marketplace.search.backends.postgres import PostgresSearch

        return PostgresSearch(memory=False)
    search = get_search("postgresql")
    assert search.memory is not None, "the default PostgreSQL backend searches in memory"
    return search


@pytest.fixture
def run(db, catalogue_ids):
    """run(backend, site=None|code, user=None, near=None, budget=None, **query) → (result, keys of the hits)."""
    by_id = {v: k for k, v in catalogue_ids.items()}

    def go(backend, site=None, *, user=None, near=None, budget=None, **query):
        if site:
            connection.set_tenant(Municipality.objects.get(code=site))
        else:
            connection.set_schema_to_public()
        scope = search_scope(user, near=near)
        if budget is not None:
            scope.budget = budget
        query.setdefault("ids", list(catalogue_ids.values()))  # only our known services, whatever the demo has
        result = backend.search(SearchQuery(**query), scope)
        return result, [by_id.get(h.service_id, h.service_id) for h in result.hits]

    return go


@pytest.fixture(autouse=True)
def _no_facet_cache(settings):
    """Tests change data inside a transaction: browse counts must not come from another test's cache."""
    settings.SEARCH_FACET_CACHE_SECONDS = 0
