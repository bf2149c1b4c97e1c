"""The search documents follow the catalogue after each commit; Elasticsearch down means PostgreSQL answers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from portal.marketplace.search.models import SearchDocument
from portal.marketplace.search.query import SearchQuery
from portal.marketplace.search.selectors import search_scope

pytestmark = pytest.mark.django_db


def test_a_change_is_indexed_after_the_commit_only(catalogue_ids, django_capture_on_commit_callbacks):
    from portal.marketplace.catalogue.models import Service

    service = Service.objects.get(pk=catalogue_ids["workshop"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        service.unit_price = Decimal("21.50")
        service.title_lv = "Specializētā darbnīca \"Dzintara pasaule\""
        service.save()
        service.provider.save()  # several changes in one transaction: one indexing run
    assert len(callbacks) == 1
    assert SearchDocument.objects.get(pk=service.pk).unit_price == Decimal("20.00")  # not before the commit
    callbacks[0]()
    doc = SearchDocument.objects.get(pk=service.pk)
    assert doc.unit_price == Decimal("21.50") and "dzintara" in doc.search_title


def test_a_rolled_back_change_is_never_indexed(catalogue_ids, django_capture_on_commit_callbacks):
    from django.db import transaction

    from portal.marketplace.catalogue.models import Service

    service = Service.objects.get(pk=catalogue_ids["transport"])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                service.unit_price = Decimal("99.00")
                service.save()
                raise RuntimeError("refused")
        except RuntimeError:
            pass
    assert callbacks == []
    assert SearchDocument.objects.get(pk=service.pk).unit_price == Decimal("15.00")


def test_deactivating_a_service_or_suspending_a_provider_delists_it(catalogue_ids,
                                                                    django_capture_on_commit_callbacks):
    from portal.marketplace.catalogue.models import Provider, Service

    service = Service.objects.get(pk=catalogue_ids["social-rehab"])
    with django_capture_on_commit_callbacks(execute=True):
        Service.objects.filter(pk=service.pk).update(is_active=True)
        provider = service.provider
        provider.status = Provider.Status.SUSPENDED
        provider.save()
    assert not SearchDocument.objects.get(pk=service.pk).is_listed


def test_the_document_of_a_deleted_service_is_removed(catalogue_ids):
    from portal.marketplace.search.indexing import index_services

    _stale_document(10**9)
    assert index_services([10**9]) == 0
    assert not SearchDocument.objects.filter(pk=10**9).exists()


def _stale_document(pk):
    return SearchDocument.objects.create(
        service_id=pk, provider_id=1, provider_name="x", provider_slug="x", service_type_code="x",
        service_type_name_lv="x", service_type_name_en="x", title_lv="x", unit="hour", unit_price=1,
        modified_at="2026-01-01T00:00Z")


def test_unreachable_elasticsearch_falls_back_to_postgresql(catalogue_ids, client_for, monkeypatch):
    from portal.marketplace.search.backends.elastic import ElasticsearchSearch

    backend = ElasticsearchSearch("http://127.0.0.1:9")  # nothing listens on the discard port
    result = backend.search(SearchQuery(text="psihologam", ids=list(catalogue_ids.values())), search_scope(None))
    assert result.backend == "postgresql" and result.total > 0
    assert not backend.available()  # and it stops trying for a while
    backend.sync(index=[catalogue_ids["psy-jelgava"]], delete=[])  # indexing while down: no error

    monkeypatch.setenv("PORTAL_SEARCH_BACKEND", "elasticsearch")
    monkeypatch.setenv("ELASTICSEARCH_URL", "http://127.0.0.1:9")
    response = client_for("jelgava").get("/meklet/", {"q": "psihologs"})
    assert response.status_code == 200 and "Psihologa konsultācijas pieaugušajiem" in response.content.decode()
    assert client_for(None).get("/api/v1/search/services/", {"q": "psihologs"}).json()["backend"] == "postgresql"


def test_reindex_command_rebuilds_every_document(catalogue_ids, capsys):
    from portal.platform.cli import main

    SearchDocument.objects.filter(pk=catalogue_ids["workshop"]).delete()
    _stale_document(10**9)
    assert main(["reindex"]) == 0
    assert SearchDocument.objects.filter(pk=catalogue_ids["workshop"]).exists()
    assert not SearchDocument.objects.filter(pk=10**9).exists()
    assert "indexed" in capsys.readouterr().out


def test_elasticsearch_backend_keeps_an_alias_per_language_with_shards_from_the_environment(monkeypatch):
    """Without a cluster: the names and index settings the ES backend would use (the bodies themselves are
    checked in test_elastic_bodies.py)."""
    from portal.marketplace.search.backends.elastic import ElasticsearchSearch

    monkeypatch.setenv("PORTAL_ES_SHARDS", "3")
    monkeypatch.setenv("PORTAL_ES_REPLICAS", "2")
    backend = ElasticsearchSearch("http://127.0.0.1:9", index_prefix="t-")
    assert backend.aliases == {"lv": "t-sbs-catalogue-services-lv", "en": "t-sbs-catalogue-services-en"}
    for language, analyzer in (("lv", "latvian"), ("en", "english")):
        body = backend.index_body(language)
        assert body["settings"]["number_of_shards"] == 3 and body["settings"]["number_of_replicas"] == 2
        assert body["mappings"]["properties"]["title"]["analyzer"] == analyzer
