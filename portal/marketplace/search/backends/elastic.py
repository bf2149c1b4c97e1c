"""Elasticsearch 9 backend through ``elasticsearch.dsl``.

The index holds the same documents as the PostgreSQL ``SearchDocument`` table
(fed from it after every commit, rebuilt by ``portal reindex``). Text is
analysed twice: the Latvian analysis chain (stop words, Latvian stemmer) with
ASCII folding, and a folded-first variant so "aprupe" and "psihologam" meet
"aprūpe" and "psihologs"; fuzzy matching takes typos. Facets are terms
aggregations; distance is a geo_distance sort on the location.

When the cluster cannot be reached every search falls back to PostgreSQL (and
stops trying for ``RETRY_AFTER`` seconds), so a search never fails with a 5xx.
"""

from __future__ import annotations

import logging
import os
import threading
import time

from elasticsearch import Elasticsearch
from elasticsearch.dsl import (Boolean, Date, Document, Float, GeoPoint, Integer, Keyword, Q, ScaledFloat, Search,
                               Text, analyzer, token_filter)
from elasticsearch.helpers import bulk

from ..models import SearchDocument
from ..query import FACETS, Hit, Scope, SearchQuery, SearchResult
from .base import CatalogueSearch
from .postgres import HIT_FIELDS, PostgresSearch

log = logging.getLogger(__name__)

RETRY_AFTER = 30.0
_FACET_FIELDS = {"service_type": "service_type_code", "target_group": "target_groups",
                 "delivery_mode": "delivery_modes", "language": "languages", "accessibility": "accessibility"}


def _document_class(index_name: str):
    latvian_stop = token_filter("latvian_stop", "stop", stopwords="_latvian_")
    latvian_stemmer = token_filter("latvian_stemmer", "stemmer", language="latvian")
    folding = token_filter("folding", "asciifolding", preserve_original=False)
    # The built-in `latvian` analyzer rebuilt as a custom one, so ASCII folding can follow the stemmer …
    latvian_folded = analyzer("latvian_folded", tokenizer="standard",
                              filter=["lowercase", latvian_stop, latvian_stemmer, folding])
    # … and a variant that folds first, for queries typed without diacritics.
    folded_latvian = analyzer("folded_latvian", tokenizer="standard",
                              filter=["lowercase", folding, latvian_stemmer])

    def text(**kw):
        return Text(analyzer=latvian_folded, fields={"folded": Text(analyzer=folded_latvian)}, **kw)

    class ServiceDocument(Document):
        title = text()
        type_name = text()
        provider = text()
        places = text()
        body = text()
        is_listed = Boolean()
        service_type_code = Keyword()
        provider_id = Keyword()
        target_groups = Keyword(multi=True)
        delivery_modes = Keyword(multi=True)
        languages = Keyword(multi=True)
        municipalities = Keyword(multi=True)
        accessibility = Keyword(multi=True)
        unit = Keyword()
        unit_price = ScaledFloat(scaling_factor=100)
        min_age = Integer()
        max_age = Integer()
        has_free_places = Boolean()
        location = GeoPoint()
        modified_at = Date()
        distance_sort = Float()

        class Index:
            name = index_name
            # docs/scale.md: one primary shard holds 1 000 000 services; replicas for availability and reads.
            settings = {"number_of_shards": int(os.environ.get("PORTAL_ES_SHARDS", "1")),
                        "number_of_replicas": int(os.environ.get("PORTAL_ES_REPLICAS", "0"))}

    return ServiceDocument


class ElasticsearchSearch(CatalogueSearch):
    name = "elasticsearch"

    def __init__(self, url: str, index_prefix: str = ""):
        self.url = url
        self.index_name = f"{index_prefix}sbs-catalogue-services"
        self.fallback = PostgresSearch()
        self._client = None
        self._doc = None
        self._down_until = 0.0
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ plumbing
    @property
    def client(self):
        if self._client is None:
            self._client = Elasticsearch(self.url, request_timeout=2, max_retries=0, retry_on_timeout=False)
        return self._client

    @property
    def doc(self):
        if self._doc is None:
            self._doc = _document_class(self.index_name)
        return self._doc

    def available(self) -> bool:
        return time.monotonic() >= self._down_until

    def _mark_down(self, exc: Exception) -> None:
        log.warning("Elasticsearch at %s unreachable (%s); using PostgreSQL for %.0f s", self.url, exc,
                    RETRY_AFTER)
        self._down_until = time.monotonic() + RETRY_AFTER

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
        s = self.build(query, scope)
        response = s.execute()
        if response.hits.total.value == 0 and len((query.text or "").split()) > 1:
            # no service has every word: any word, like the PostgreSQL backend (without the `relaxed` flag)
            s = self.build(query, scope, operator="or")
            response = s.execute()
        return self._result(response, query, scope)

    def build(self, query: SearchQuery, scope: Scope, *, operator: str = "and"):
        """The Elasticsearch request for ``query`` in ``scope`` (no network: inspectable in tests)."""
        s = Search(using=self._client, index=self.index_name)
        filters = [Q("term", is_listed=True)]
        if scope.approved_ids is not None:
            filters.append(Q("ids", values=[str(i) for i in _ids(scope.approved_ids)]))
        if scope.approved_provider_ids is not None:
            filters.append(Q("terms", provider_id=_ids(scope.approved_provider_ids)))
        if query.ids is not None:
            filters.append(Q("ids", values=[str(i) for i in query.ids]))
        for field, values in (("service_type_code", query.service_types), ("target_groups", query.target_groups),
                              ("municipalities", query.municipalities), ("languages", query.languages),
                              ("delivery_modes", query.delivery_modes)):
            if values:
                filters.append(Q("terms", **{field: list(values)}))
        for feature in query.accessibility:
            filters.append(Q("term", accessibility=feature))
        if query.age is not None:
            filters.append(Q("bool", should=[Q("range", min_age={"lte": query.age}),
                                             ~Q("exists", field="min_age")], minimum_should_match=1))
            filters.append(Q("bool", should=[Q("range", max_age={"gte": query.age}),
                                             ~Q("exists", field="max_age")], minimum_should_match=1))
        if query.free_places:
            filters.append(Q("term", has_free_places=True))
        must_not = []
        if query.within_cap and scope.caps:
            for (type_code, unit), amount in scope.caps.items():
                must_not.append(Q("bool", filter=[Q("term", service_type_code=type_code), Q("term", unit=unit),
                                                  Q("range", unit_price={"gt": float(amount)})]))
        if query.fits_budget and scope.budget is not None:
            named = [code for code in scope.budget if code != "*"]
            fits = [Q("bool", filter=[Q("term", service_type_code=code), Q("range", unit_price={"lte": float(a)})])
                    for code, a in scope.budget.items() if a and a > 0 and code != "*"]
            star = scope.budget.get("*")
            if star and star > 0:
                fits.append(Q("bool", filter=[Q("range", unit_price={"lte": float(star)})],
                              must_not=[Q("terms", service_type_code=named)]))
            filters.append(Q("bool", should=fits, minimum_should_match=1) if fits else Q("ids", values=[]))
        if query.modified_after is not None:
            filters.append(Q("range", modified_at={"gt": query.modified_after.isoformat()}))
        text = (query.text or "").strip()
        must = []
        if text:
            must.append(Q("multi_match", query=text, operator=operator, fuzziness="AUTO", prefix_length=1,
                          fields=["title^4", "title.folded^4", "type_name^3", "type_name.folded^3", "provider^2",
                                  "provider.folded^2", "places", "places.folded", "body", "body.folded"]))
        s = s.query(Q("bool", must=must or [Q("match_all")], filter=filters, must_not=must_not))
        for name, field in _FACET_FIELDS.items():
            s.aggs.bucket(name, "terms", field=field, size=50)
        s.aggs.bucket("free_places", "filter", Q("term", has_free_places=True))
        if query.sort == "distance" and scope.origin is not None:
            s = s.sort({"_geo_distance": {"location": {"lat": scope.origin[0], "lon": scope.origin[1]},
                                          "order": "asc", "unit": "km"}}, "unit_price")
        elif query.sort == "price":
            s = s.sort("unit_price", {"_id": "asc"})
        elif not text:
            s = s.sort("service_type_code", {"_id": "asc"})
        offset = (query.page - 1) * query.per_page
        return s.extra(track_total_hits=True)[offset:offset + query.per_page]

    def _result(self, response, query: SearchQuery, scope: Scope) -> SearchResult:
        ids = [int(h.meta.id) for h in response.hits]
        rows = {r["service_id"]: r for r in SearchDocument.objects.filter(service_id__in=ids).values(*HIT_FIELDS)}
        hits = []
        for h in response.hits:
            row = rows.get(int(h.meta.id))
            if row is None:
                continue
            distance = None
            if query.sort == "distance" and getattr(h.meta, "sort", None):
                distance = float(h.meta.sort[0]) if h.meta.sort[0] not in (None, "Infinity") else None
            hits.append(Hit(**row, score=float(h.meta.score or 0), distance_km=distance,
                            cap=scope.caps.get((row["service_type_code"], row["unit"]))))
        facets = {name: {} for name in FACETS}
        for name in _FACET_FIELDS:
            for bucket in getattr(response.aggregations, name).buckets:
                facets[name][bucket.key] = bucket.doc_count
        if response.aggregations.free_places.doc_count:
            facets["free_places"]["yes"] = response.aggregations.free_places.doc_count
        return SearchResult(hits=hits, total=response.hits.total.value, page=query.page, per_page=query.per_page,
                            facets=facets, backend=self.name)

    # ------------------------------------------------------------------ indexing
    def _to_es(self, d: SearchDocument):
        doc = self.doc(
            meta={"id": d.service_id},
            title=f"{d.title_lv} {d.title_en}", type_name=f"{d.service_type_name_lv} {d.service_type_name_en}",
            provider=d.provider_name, places=f"{d.place} {' '.join(d.municipalities)}",
            body=f"{d.summary_lv} {d.summary_en}",
            is_listed=d.is_listed, provider_id=d.provider_id, service_type_code=d.service_type_code, target_groups=d.target_groups,
            delivery_modes=d.delivery_modes, languages=d.languages, municipalities=d.municipalities,
            accessibility=d.accessibility, unit=d.unit, unit_price=float(d.unit_price), min_age=d.min_age,
            max_age=d.max_age, has_free_places=d.has_free_places, modified_at=d.modified_at)
        if d.latitude is not None and d.longitude is not None:
            doc.location = {"lat": d.latitude, "lon": d.longitude}
        return doc.to_dict(include_meta=True, skip_empty=False) | {"_index": self.index_name}

    def sync(self, *, index=(), delete=()) -> None:
        """Push changed documents; on failure log it (``portal reindex`` repairs the index)."""
        if not self.available():
            return
        try:
            actions = [self._to_es(d) for d in SearchDocument.objects.filter(service_id__in=list(index))]
            actions += [{"_op_type": "delete", "_index": self.index_name, "_id": str(i)} for i in delete]
            if actions:
                bulk(self.client, actions, raise_on_error=False)
        except Exception as exc:
            self._mark_down(exc)

    def rebuild_index(self, *, out=None) -> None:
        """Zero-downtime rebuild: ``index_name`` is an alias. A new concrete index is created, loaded and
        refreshed while searches keep reading the old one; then the alias moves to it in one atomic
        ``_aliases`` call and the old index is deleted. Documents changed while it loaded are pushed again."""
        from datetime import timedelta

        from django.utils import timezone

        alias, indices = self.index_name, self.client.indices
        concrete = f"{alias}-{timezone.now():%Y%m%d%H%M%S}-{time.time_ns() % 1_000_000:06d}"
        started = timezone.now()
        with self._lock:
            self.doc.init(index=concrete, using=self.client)
            bulk(self.client, (self._to_es(d) | {"_index": concrete}
                               for d in SearchDocument.objects.iterator(chunk_size=2000)), chunk_size=1000)
            indices.refresh(index=concrete)
            old = list(indices.get_alias(name=alias).keys()) if indices.exists_alias(name=alias) else []
            actions = [{"add": {"index": concrete, "alias": alias, "is_write_index": True}}]
            actions += [{"remove": {"index": name, "alias": alias}} for name in old]
            if not old and indices.exists(index=alias):  # a plain index of that name, from before aliases
                actions.append({"remove_index": {"index": alias}})
            indices.update_aliases(actions=actions)
            for name in old:
                indices.delete(index=name, ignore_unavailable=True)
        changed = SearchDocument.objects.filter(modified_at__gte=started - timedelta(seconds=1))
        self.sync(index=list(changed.values_list("service_id", flat=True)))
        if out is not None:
            print(f"  Elasticsearch index {concrete} built; alias {alias} moved to it", file=out)


def _ids(value) -> list[int]:
    """Approved ids arrive as a flat ``values_list`` queryset or a list."""
    return [int(i) for i in value]
