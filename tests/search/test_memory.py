"""The in-memory path of the PostgreSQL backend: the same answers as SQL, and never stale after a change.

The shared behavioural suite (test_backends.py) already runs on both paths; here the two are compared
query by query over the whole demo catalogue, and the generation numbers are put through the changes
that bypass Django's signals (queryset updates, raw SQL, rollbacks).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection, transaction

from portal.marketplace.search.backends.postgres import PostgresSearch
from portal.marketplace.search.memory import MemoryIndex
from portal.marketplace.search.models import SearchDocument
from portal.marketplace.search.query import SearchQuery
from portal.marketplace.search.selectors import search_scope
from portal.tenants.models import Municipality
from tests.conftest import MUNICIPALITY_A, MUNICIPALITY_B

pytestmark = pytest.mark.django_db

QUERIES = [
    dict(text="psihologs"), dict(text="aprupe majas", sort="price"), dict(text="Liepaja", sort="distance"),
    dict(text="fizoterapija bērniem"), dict(text="logopēds autisms", free_places=True),
    dict(text="zelda kokapstrade"),  # no service has both words: the relaxed answer
    dict(service_types=["psychologist", "speech-therapy"], sort="price"),
    dict(target_groups=["children"], age=8, sort="distance"), dict(languages=["ru", "en"]),
    dict(delivery_modes=["online"], text="konsultācija"), dict(accessibility=["step_free"]),
    dict(within_cap=True, sort="price"), dict(), dict(page=2, per_page=7), dict(page=50),
    dict(municipalities=[MUNICIPALITY_B], sort="price"),
]


def _on_site(site):
    if site:
        connection.set_tenant(Municipality.objects.get(code=site))
    else:
        connection.set_schema_to_public()


def _both(site, query, **scope_extra):
    _on_site(site)
    scope = search_scope(None)
    for key, value in scope_extra.items():
        setattr(scope, key, value)
    memory = PostgresSearch(memory=True).search(SearchQuery(**query), scope)
    sql = PostgresSearch(memory=False).search(SearchQuery(**query), scope)
    return memory, sql


@pytest.mark.parametrize("site", [None, MUNICIPALITY_A])
@pytest.mark.parametrize("query", QUERIES, ids=[repr(q) for q in QUERIES])
def test_memory_and_sql_give_the_same_answer(catalogue_ids, site, query):
    memory, sql = _both(site, query)
    assert (memory.total, memory.relaxed, memory.facets) == (sql.total, sql.relaxed, sql.facets)
    sort = query.get("sort", "relevance")
    if sort == "distance" and site is None:
        sort = "relevance"  # the national site has no origin to measure from: relevance order
    if query.get("text") and sort == "relevance":
        # Ranking formulas differ (best weight per word vs ts_rank_cd): the same services, not the same order.
        everything = dict(query, per_page=100, page=1)
        memory_all, sql_all = _both(site, everything)
        if memory_all.total <= 100:  # every match on one page: the same set
            assert {h.service_id for h in memory_all.hits} == {h.service_id for h in sql_all.hits}
        scores = [h.score for h in memory_all.hits]
        assert memory_all.relaxed or scores == sorted(scores, reverse=True)
    else:
        assert [h.service_id for h in memory.hits] == [h.service_id for h in sql.hits]
        assert [h.distance_km and round(h.distance_km, 6) for h in memory.hits] == \
               [h.distance_km and round(h.distance_km, 6) for h in sql.hits]


def test_the_budget_filter_is_exact_to_the_cent(catalogue_ids):
    budget = {"psychologist": Decimal("35.00"), "*": Decimal("15.00"), "home-care": Decimal("0")}
    memory, sql = _both(MUNICIPALITY_A, dict(fits_budget=True, sort="price"), budget=budget)
    assert [h.service_id for h in memory.hits] == [h.service_id for h in sql.hits]
    assert all(h.unit_price <= Decimal("35.00") for h in memory.hits)


def _search(index, site=None, **query):
    _on_site(site)
    search = PostgresSearch(memory=False)
    search.memory = index
    result = search.search(SearchQuery(**query), search_scope(None))
    return [h.service_id for h in result.hits], result


def test_a_catalogue_change_is_seen_by_the_next_search(catalogue_ids, django_capture_on_commit_callbacks):
    from portal.marketplace.catalogue.models import Service

    index = MemoryIndex()
    service_id = catalogue_ids["psy-jelgava"]
    ids, result = _search(index, text="psihologs", per_page=100)
    assert service_id in ids
    with django_capture_on_commit_callbacks(execute=True):
        Service.objects.filter(pk=service_id).update(is_active=False)  # no signal: the view indexes explicitly
        from portal.marketplace.search.indexing import index_services

        index_services([service_id])
    ids, _ = _search(index, text="psihologs", per_page=100)
    assert service_id not in ids


def test_a_raw_sql_write_and_its_rollback_are_both_seen(catalogue_ids):
    index = MemoryIndex()
    service_id = catalogue_ids["psy-jelgava"]
    assert service_id in _search(index, text="psihologs", per_page=100)[0]
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM search_searchdocument WHERE service_id = %s", [service_id])
            assert service_id not in _search(index, text="psihologs", per_page=100)[0]
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    assert SearchDocument.objects.filter(pk=service_id).exists()
    assert service_id in _search(index, text="psihologs", per_page=100)[0]  # a rollback is a change too


def test_approvals_changed_without_signals_reach_the_municipality_scope(catalogue_ids):
    from portal.marketplace.approvals.models import ServiceApproval

    index = MemoryIndex()
    service_id = catalogue_ids["homecare-jelgava"]
    assert service_id in _search(index, MUNICIPALITY_A, text="aprūpe mājās", per_page=100)[0]
    ServiceApproval.objects.filter(service_id=service_id).update(status="rejected")  # a bulk update
    assert service_id not in _search(index, MUNICIPALITY_A, text="aprūpe mājās", per_page=100)[0]
    # the other municipality's scope and the national site were not touched
    assert service_id in _search(index, None, text="aprūpe mājās", per_page=100)[0]


def test_every_municipality_schema_has_the_approval_triggers(muni_a, muni_b):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname, count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE t.tgname LIKE %s GROUP BY n.nspname",
            ["approvals_%_search"])
        found = dict(cursor.fetchall())
    assert found.get(muni_a.schema_name) == 2 and found.get(muni_b.schema_name) == 2  # cloned from the template


def test_above_the_sync_limit_the_previous_snapshot_answers_while_a_new_one_loads(catalogue_ids):
    index = MemoryIndex(sync_limit=0)
    _search(index, text="psihologs")
    before = index._snapshot
    with connection.cursor() as cursor:  # a change inside this (uncommitted) test transaction
        cursor.execute("UPDATE search_searchdocument SET title_lv = title_lv WHERE service_id = %s",
                       [catalogue_ids["psy-jelgava"]])
    ids, result = _search(index, text="psihologs", per_page=100)
    assert result.total > 0 and catalogue_ids["psy-jelgava"] in ids
    assert index._reloading is not None
    index._reloading.join(timeout=60)
    assert not index._reloading.is_alive()
    assert index._snapshot is not before  # the thread (its own connection) loaded the committed documents


def test_a_steady_search_reads_only_the_generations_and_the_page(client_for, catalogue_ids,
                                                                 django_assert_num_queries):
    index = MemoryIndex()
    _search(index, MUNICIPALITY_A, text="logopēds")
    _on_site(MUNICIPALITY_A)
    scope = search_scope(None)  # the caps: one query, outside the count
    search = PostgresSearch(memory=False)
    search.memory = index
    with django_assert_num_queries(2):  # the generation numbers, then the page's display fields
        result = search.search(SearchQuery(text="logopēds"), scope)
    assert result.hits


def test_a_starting_server_loads_the_index_before_the_first_search(catalogue_ids):
    index = MemoryIndex()
    index.warm().join(timeout=60)
    assert index._snapshot is not None and index._snapshot.n >= len(catalogue_ids)  # the committed catalogue
    loaded = index._snapshot
    index.warm().join(timeout=60)
    assert index._snapshot is loaded  # a second warm-up loads nothing
