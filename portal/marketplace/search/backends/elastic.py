"""Elasticsearch 9 backend: one index per catalogue language, each behind an alias.

The indexes hold the same documents as the PostgreSQL ``SearchDocument`` table
(fed from it after every commit, rebuilt by ``portal reindex``). Every request
body — index settings and mappings, documents, alias moves, searches — is built
by the pure functions of ``elastic_bodies`` (see its docstring for the layout);
this module only sends them and reads the display fields of a page of hits
from PostgreSQL, as the PostgreSQL backend does.

When the cluster cannot be reached every search falls back to PostgreSQL (and
stops trying for ``RETRY_AFTER`` seconds), so a search never fails with a 5xx.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from array import array

from django.conf import settings
from django.utils.translation import get_language
from elasticsearch import Elasticsearch
from elasticsearch.helpers import bulk

from ..models import SearchDocument
from ..query import Hit, Scope, SearchQuery, SearchResult
from . import elastic_bodies as bodies
from .base import CatalogueSearch
from .postgres import HIT_FIELDS, PostgresSearch

log = logging.getLogger(__name__)

RETRY_AFTER = 30.0


def catalogue_languages() -> list[str]:
    """The languages the catalogue is indexed in: the site's languages (``settings.LANGUAGES``)."""
    return [code for code, _name in settings.LANGUAGES]


class ElasticsearchSearch(CatalogueSearch):
    name = "elasticsearch"

    def __init__(self, url: str, index_prefix: str = ""):
        self.url = url
        self.index_prefix = index_prefix
        self.languages = catalogue_languages()
        self.aliases = {lang: bodies.alias_name(index_prefix, lang) for lang in self.languages}
        self.fallback = PostgresSearch()
        self._client = None
        self._down_until = 0.0
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ plumbing
    @property
    def client(self):
        if self._client is None:
            self._client = Elasticsearch(self.url, request_timeout=2, max_retries=0, retry_on_timeout=False)
        return self._client

    def available(self) -> bool:
        return time.monotonic() >= self._down_until

    def _mark_down(self, exc: Exception) -> None:
        log.warning("Elasticsearch at %s unreachable (%s); using PostgreSQL for %.0f s", self.url, exc,
                    RETRY_AFTER)
        self._down_until = time.monotonic() + RETRY_AFTER

    def index_body(self, language: str) -> dict:
        # docs/scale.md: one primary shard per language index up to millions of services; replicas for reads.
        return bodies.index_body(language, languages=self.languages,
                                 shards=int(os.environ.get("PORTAL_ES_SHARDS", "1")),
                                 replicas=int(os.environ.get("PORTAL_ES_REPLICAS", "0")))

    # ------------------------------------------------------------------ search
    def search(self, query: SearchQuery, scope: Scope) -> SearchResult:
        if not self.available():
            return self.fallback.search(query, scope)
        try:
            return self._search(query, scope)
        except Exception as exc:  # connection refused, timeout, missing index, cluster error: never a 5xx
            self._mark_down(exc)
            return self.fallback.search(query, scope)

    def _search(self, query: SearchQuery, scope: Scope) -> SearchResult:
        language = bodies.search_language(get_language(), self.languages)
        alias = self.aliases[language]
        body = bodies.query_body(query, scope, language=language, languages=self.languages)
        response = self.client.search(index=alias, body=body)
        relaxed = False
        if response["hits"]["total"]["value"] == 0 and len((query.text or "").split()) > 1:
            # no service has every word: any word, like the PostgreSQL backend
            body = bodies.query_body(query, scope, language=language, languages=self.languages, operator="or")
            response = self.client.search(index=alias, body=body)
            relaxed = response["hits"]["total"]["value"] > 0
        distance_sort = query.sort == "distance" and scope.origin is not None
        page, total, facets = bodies.parse_response(response, distance_sort=distance_sort)
        return SearchResult(hits=self._hits(page, scope), total=total, page=query.page, per_page=query.per_page,
                            facets=facets, backend=self.name, relaxed=relaxed)

    @staticmethod
    def _hits(page, scope: Scope) -> list[Hit]:
        ids = [service_id for service_id, _score, _distance in page]
        rows = {r["service_id"]: r for r in SearchDocument.objects.filter(service_id__in=ids).values(*HIT_FIELDS)}
        hits = []
        for service_id, score, distance in page:
            row = rows.get(service_id)
            if row is not None:
                hits.append(Hit(**row, score=score, distance_km=distance,
                                cap=scope.caps.get((row["service_type_code"], row["unit"]))))
        return hits

    # ------------------------------------------------------------------ indexing
    def sync(self, *, index=(), delete=()) -> None:
        """Write changed documents to every language's alias; on failure log it (``portal reindex`` repairs)."""
        if not self.available():
            return
        try:
            docs = SearchDocument.objects.filter(service_id__in=list(index))
            actions = list(bodies.index_actions(docs, self.aliases, languages=self.languages))
            actions += bodies.delete_actions(delete, self.aliases)
            if actions:
                bulk(self.client, actions, raise_on_error=False)
        except Exception as exc:
            self._mark_down(exc)

    def rebuild_index(self, *, out=None) -> None:
        """Zero-downtime rebuild of every language's index: new concrete indexes are created, loaded and
        refreshed while searches keep reading the old ones; then every alias moves in one atomic
        ``_aliases`` request and the old indexes (and the legacy two-language one) are deleted. Documents
        changed while loading are pushed again, and those deleted meanwhile are deleted from the new ones."""
        from datetime import timedelta

        from django.utils import timezone

        indices = self.client.indices
        stamp = f"{timezone.now():%Y%m%d%H%M%S}-{time.time_ns() % 1_000_000:06d}"
        new = {lang: bodies.concrete_index_name(alias, stamp) for lang, alias in self.aliases.items()}
        started = timezone.now()
        loaded = array("q")  # the service ids loaded, 8 bytes each

        def documents():
            for doc in SearchDocument.objects.iterator(chunk_size=2000):
                loaded.append(doc.service_id)
                yield doc

        with self._lock:
            try:
                for lang, index in new.items():
                    indices.create(index=index, **self.index_body(lang))
                bulk(self.client, bodies.index_actions(documents(), new, languages=self.languages),
                     chunk_size=1000)
                indices.refresh(index=",".join(new.values()))
            except Exception:
                indices.delete(index=",".join(new.values()), ignore_unavailable=True)
                raise
            moved = {self.aliases[lang]: index for lang, index in new.items()}
            current = {alias: self._alias_targets(alias) for alias in moved}
            plain = [alias for alias in moved if not current[alias] and indices.exists(index=alias)]
            legacy_name = bodies.legacy_alias_name(self.index_prefix)
            legacy = self._alias_targets(legacy_name) or (
                [legacy_name] if indices.exists(index=legacy_name) else [])
            indices.update_aliases(actions=bodies.alias_actions(moved, current, plain))
            for name in bodies.indexes_to_delete(moved, current, legacy):
                indices.delete(index=name, ignore_unavailable=True)
        changed = SearchDocument.objects.filter(modified_at__gte=started - timedelta(seconds=1))
        gone = bodies.deleted_since_load(loaded, SearchDocument.objects.values_list("service_id", flat=True)
                                         .iterator(chunk_size=10000))
        self.sync(index=list(changed.values_list("service_id", flat=True)), delete=gone)
        if out is not None:
            for alias, index in moved.items():
                print(f"  Elasticsearch index {index} built; alias {alias} moved to it", file=out)

    def _alias_targets(self, alias: str) -> list[str]:
        """The concrete indexes ``alias`` points to (none when it is not an alias)."""
        indices = self.client.indices
        return list(indices.get_alias(name=alias).keys()) if indices.exists_alias(name=alias) else []
