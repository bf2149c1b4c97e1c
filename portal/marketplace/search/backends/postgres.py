"""The default backend: PostgreSQL full-text search, unaccent and pg_trgm over ``SearchDocument``.

Each meaningful query word becomes an OR of stem prefixes matched against the
document's weighted tsvector: its own stem (inflections: "psihologam" →
"psiholog:*") and the stems of the closest words of the catalogue's
vocabulary (``SearchTerm``, a trigram index over a few thousand words: typos,
"fizioterapja" → "fizioterap:*"). Every word must match; when no service
matches every word, services matching any word are returned, most words
first, and the result says so (``relaxed``). Only the GIN index on the
tsvector is used on the large table.

By default the matching, counting and ordering run over the same documents
held in memory (``search.memory``; ``SEARCH_MEMORY_INDEX``), and SQL reads
only the page's display fields; the SQL statements below are the fallback
and the reference the memory path is tested against.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import BooleanField, F, FloatField, Q, QuerySet
from django.db.models.expressions import RawSQL

from portal.marketplace.catalogue.taxonomy import SERVICE_TYPE_CODES

from ..memory import MemoryIndex
from ..models import FACET_COLUMNS, SearchDocument
from ..params import facet_values
from ..query import FACETS, Hit, Scope, SearchQuery, SearchResult
from ..text import query_terms
from .base import CatalogueSearch

HIT_FIELDS = (
    "service_id", "title_lv", "title_en", "summary_lv", "summary_en", "provider_name", "provider_slug",
    "service_type_code", "service_type_name_lv", "service_type_name_en", "target_groups", "delivery_modes",
    "languages", "accessibility", "unit", "unit_price", "free_places", "waiting_weeks", "place", "min_age",
    "max_age",
)
_HITS_SQL = (f"SELECT {', '.join(HIT_FIELDS)} FROM {SearchDocument._meta.db_table} "
             f"WHERE service_id = ANY(%s::bigint[])")
_DISTANCE = ("111.045 * sqrt(power(latitude - %s, 2) + power((longitude - %s) * cos(radians(%s)), 2))")
TYPO_MIN_LENGTH = 4  # shorter words are not corrected
TYPO_SIMILARITY = 0.45
TYPO_ALTERNATIVES = 3


def expand_terms(terms: list[tuple[str, str]]) -> list[list[str]]:
    """For each (folded word, stem): its stem plus the stems of the closest vocabulary words (typos)."""
    long_words = [t for t, _ in terms if len(t) >= TYPO_MIN_LENGTH]
    similar: dict[str, list[str]] = {}
    if long_words:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT q.word, s.stem FROM unnest(%s::text[]) AS q(word) CROSS JOIN LATERAL ("
                " SELECT stem FROM search_searchterm WHERE word %% q.word AND similarity(word, q.word) >= %s"
                " ORDER BY similarity(word, q.word) DESC LIMIT %s) AS s",
                [long_words, TYPO_SIMILARITY, TYPO_ALTERNATIVES * 2])
            for word, stem in cursor.fetchall():
                similar.setdefault(word, []).append(stem)
    expanded = []
    for token, stem in terms:
        alternatives = [stem]
        for other in similar.get(token, []):
            if other not in alternatives and len(alternatives) <= TYPO_ALTERNATIVES:
                alternatives.append(other)
        expanded.append(alternatives)
    return expanded


def _facet_key(query: SearchQuery, scope: Scope) -> str:
    parts = [connection.schema_name, scope.approved_ids is not None, query.service_types, query.target_groups,
             query.age, query.municipalities, query.languages, query.delivery_modes, query.accessibility,
             query.free_places, str(query.modified_after), query.ids,
             sorted((k, str(v)) for k, v in scope.caps.items()) if query.within_cap else None,
             sorted((k, str(v)) for k, v in (scope.budget or {}).items()) if query.fits_budget else None]
    return "search:facets:" + hashlib.sha1(repr(parts).encode()).hexdigest()


def _or(alternatives: list[str]) -> str:
    return "(" + " | ".join(f"{a}:*" for a in alternatives) + ")"


def _matches(tsquery: str) -> RawSQL:
    return RawSQL("search_vector @@ to_tsquery('simple', %s)", [tsquery], output_field=BooleanField())


def structured_filters(qs: QuerySet, query: SearchQuery, scope: Scope) -> QuerySet:
    """Every filter except the words: the scope of the site, then the user's choices."""
    qs = qs.filter(is_listed=True)
    if scope.approved_ids is not None:
        qs = qs.filter(service_id__in=scope.approved_ids)
    if scope.approved_provider_ids is not None:
        qs = qs.filter(provider_id__in=scope.approved_provider_ids)
    if query.ids is not None:
        qs = qs.filter(service_id__in=query.ids)
    if query.service_types:
        qs = qs.filter(service_type_code__in=query.service_types)
    if query.target_groups:
        qs = qs.filter(target_groups__overlap=query.target_groups)
    if query.age is not None:
        qs = qs.filter(Q(min_age__isnull=True) | Q(min_age__lte=query.age),
                       Q(max_age__isnull=True) | Q(max_age__gte=query.age))
    if query.municipalities:
        qs = qs.filter(municipalities__overlap=query.municipalities)
    if query.languages:
        qs = qs.filter(languages__overlap=query.languages)
    if query.delivery_modes:
        qs = qs.filter(delivery_modes__overlap=query.delivery_modes)
    if query.accessibility:
        qs = qs.filter(accessibility__contains=query.accessibility)
    if query.free_places:
        qs = qs.filter(has_free_places=True)
    if query.within_cap and scope.caps:
        over = Q()
        for (type_code, unit), amount in scope.caps.items():
            over |= Q(service_type_code=type_code, unit=unit, unit_price__gt=amount)
        qs = qs.exclude(over)
    if query.fits_budget and scope.budget is not None:
        # "*" is money of a category for any type: it pays for the types no other category lists.
        fits = Q(pk__in=[])
        named = [code for code in scope.budget if code != "*"]
        for type_code, available in scope.budget.items():
            if available and available > 0:
                if type_code == "*":
                    fits |= Q(unit_price__lte=available) & ~Q(service_type_code__in=named)
                else:
                    fits |= Q(service_type_code=type_code, unit_price__lte=available)
        qs = qs.filter(fits)
    if query.modified_after is not None:
        qs = qs.filter(modified_at__gt=query.modified_after)
    return qs


class PostgresSearch(CatalogueSearch):
    name = "postgresql"

    def __init__(self, *, memory: bool | None = None):
        if memory is None:
            memory = getattr(settings, "SEARCH_MEMORY_INDEX", True)
        self.memory = None
        if memory:
            self.memory = MemoryIndex(sync_limit=getattr(settings, "SEARCH_MEMORY_SYNC_LIMIT", 5000))

    def search(self, query: SearchQuery, scope: Scope) -> SearchResult:
        if self.memory is not None:
            facets, total, page, relaxed = self.memory.search(query, scope, expand_terms)
            return SearchResult(hits=self._hits(page, scope), total=total, page=query.page,
                                per_page=query.per_page, facets=facets, backend=self.name, relaxed=relaxed)
        return self.sql_search(query, scope)

    def sql_search(self, query: SearchQuery, scope: Scope) -> SearchResult:
        base = structured_filters(SearchDocument.objects.all(), query, scope)
        terms = query_terms(query.text)
        expanded = expand_terms(terms) if terms else []
        relaxed = False
        if expanded:
            facets, total, page = self._run(base, " & ".join(_or(a) for a in expanded), query, scope, expanded,
                                            relaxed=False)
            if total == 0 and len(expanded) > 1:
                facets, total, page = self._run(base, " | ".join(_or(a) for a in expanded), query, scope,
                                                expanded, relaxed=True)
                relaxed = total > 0
        else:
            facets, total, page = self._browse(base, query, scope)
        return SearchResult(hits=self._hits(page, scope), total=total, page=query.page, per_page=query.per_page,
                            facets=facets, backend=self.name, relaxed=relaxed)

    def _browse(self, base: QuerySet, query: SearchQuery, scope: Scope):
        """No words: the counts over the whole scope are the expensive part and change rarely, so they
        are cached briefly (``SEARCH_FACET_CACHE_SECONDS``, default 60) per site and filter set."""
        seconds = getattr(settings, "SEARCH_FACET_CACHE_SECONDS", 60)
        key = _facet_key(query, scope)
        cached = cache.get(key) if seconds else None
        if cached is None:
            facets, total, page = self._run(base, None, query, scope, [], relaxed=False)
            if seconds:
                cache.set(key, (facets, total), seconds)
            return facets, total, page
        facets, total = cached
        qs = base
        if scope.origin is not None:
            lat, lon = scope.origin
            qs = qs.annotate(distance_km=RawSQL(_DISTANCE, [lat, lon, lat], output_field=FloatField()))
        if query.sort == "distance" and scope.origin is not None:
            order = [F("distance_km").asc(nulls_last=True), "unit_price", "service_id"]
        elif query.sort == "price":
            order = ["unit_price", "service_id"]
        else:
            order = ["service_type_code", "title_lv", "service_id"]
        offset = (query.page - 1) * query.per_page
        fields = ["service_id", "distance_km"] if scope.origin is not None else ["service_id"]
        rows = qs.order_by(*order).values_list(*fields)[offset:offset + query.per_page]
        return facets, total, [(r[0], 0.0, r[1] if len(r) > 1 else None) for r in rows]

    def _run(self, base: QuerySet, tsquery: str | None, query: SearchQuery, scope: Scope, expanded,
             relaxed: bool):
        """One statement: the matching documents once (MATERIALIZED), then every facet count and the total
        over them, and the requested page of (id, score, distance) in order."""
        qs = base.filter(_matches(tsquery)) if tsquery else base
        annotations = {}
        if relaxed:  # services matching more of the words first
            sql = " + ".join("(search_vector @@ to_tsquery('simple', %s))::int" for _ in expanded)
            annotations["matched"] = RawSQL(sql, [_or(a) for a in expanded], output_field=FloatField())
        if expanded:
            annotations["score"] = RawSQL("ts_rank_cd(search_vector, to_tsquery('simple', %s))",
                                          [" | ".join(_or(a) for a in expanded)], output_field=FloatField())
        if scope.origin is not None:
            lat, lon = scope.origin
            annotations["distance_km"] = RawSQL(_DISTANCE, [lat, lon, lat], output_field=FloatField())
        qs = qs.annotate(**annotations)
        inner, inner_params = qs.values(
            "service_id", "service_type_code", "title_lv", "unit_price", "target_groups", "delivery_modes",
            "languages", "accessibility", "has_free_places", *annotations).query.sql_with_params()
        if query.sort == "distance" and scope.origin is not None:
            order = "m.distance_km ASC NULLS LAST, m.unit_price, m.service_id"
        elif query.sort == "price":
            order = "m.unit_price, m.service_id"
        elif relaxed:
            order = "m.matched DESC, m.score DESC, m.service_id"
        elif expanded:
            order = "m.score DESC, m.service_id"
        else:
            order = "m.service_type_code, m.title_lv, m.service_id"
        columns, column_params, keys = ["count(*)", "count(*) FILTER (WHERE m.has_free_places)"], [], []
        for code in SERVICE_TYPE_CODES:
            columns.append("count(*) FILTER (WHERE m.service_type_code = %s)")
            column_params.append(code)
            keys.append(("service_type", code))
        for facet, column in FACET_COLUMNS:
            for value in facet_values(facet):
                columns.append(f"count(*) FILTER (WHERE m.{column} @> ARRAY[%s]::varchar[])")
                column_params.append(value)
                keys.append((facet, value))
        score = "m.score" if expanded else "0::float"
        distance = "m.distance_km" if scope.origin is not None else "NULL::float"
        offset = (query.page - 1) * query.per_page
        sql = (f"WITH m AS MATERIALIZED ({inner}) "
               f"SELECT f.*, h.* FROM (SELECT {', '.join(columns)} FROM m) AS f, "
               f"(SELECT array_agg(p.service_id ORDER BY p.n), array_agg(p.score ORDER BY p.n), "
               f"array_agg(p.distance ORDER BY p.n) FROM (SELECT m.service_id, {score} AS score, "
               f"{distance} AS distance, row_number() OVER (ORDER BY {order}) AS n FROM m "
               f"ORDER BY {order} LIMIT %s OFFSET %s) AS p) AS h")
        limits = [query.per_page, offset]
        with connection.cursor() as cursor:
            cursor.execute(sql, [*inner_params, *column_params, *limits])
            row = cursor.fetchone()
        facets: dict[str, dict[str, int]] = {name: {} for name in FACETS}
        total, free = row[0], row[1]
        if free:
            facets["free_places"]["yes"] = free
        for (facet, value), count in zip(keys, row[2:2 + len(keys)]):
            if count:
                facets[facet][value] = count
        ids, scores, distances = (row[-3] or []), (row[-2] or []), (row[-1] or [])
        return facets, total, list(zip(ids, scores, distances))

    def _hits(self, page, scope: Scope) -> list[Hit]:
        """The display fields of one page of documents, in the page's order (a primary-key lookup)."""
        if not page:
            return []
        # One plain statement: on the hot path the ORM's query building cost more than the query.
        with connection.cursor() as cursor:
            cursor.execute(_HITS_SQL, [[i for i, _, _ in page]])
            rows = {r[0]: dict(zip(HIT_FIELDS, r)) for r in cursor.fetchall()}
        hits = []
        for service_id, score, distance in page:
            row = rows.get(service_id)
            if row is not None:
                cap = scope.caps.get((row["service_type_code"], row["unit"]))
                hits.append(Hit(**row, score=score or 0.0, distance_km=distance, cap=cap))
        return hits
