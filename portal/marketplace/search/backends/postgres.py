"""The default backend: PostgreSQL full-text search, unaccent and pg_trgm over ``SearchDocument``.

Each meaningful query word matches a document when its stem prefix-matches the
document's weighted tsvector (inflections: "psihologam" → "psiholog:*") or the
folded word is trigram-similar to a word of the document (typos: "psiholgs").
Every word must match; when no service matches every word, services matching
any word are returned instead and the result says so (``relaxed``).
"""

from __future__ import annotations

from django.db import connection
from django.db.models import BooleanField, F, FloatField, Q, QuerySet
from django.db.models.expressions import RawSQL

from ..models import SearchDocument
from ..query import FACETS, Hit, Scope, SearchQuery, SearchResult
from ..text import fold, query_terms
from .base import CatalogueSearch

HIT_FIELDS = (
    "service_id", "title_lv", "title_en", "summary_lv", "summary_en", "provider_name", "provider_slug",
    "service_type_code", "service_type_name_lv", "service_type_name_en", "target_groups", "delivery_modes",
    "languages", "accessibility", "unit", "unit_price", "free_places", "waiting_weeks", "place", "min_age",
    "max_age",
)
_DISTANCE = ("111.045 * sqrt(power(latitude - %s, 2) + power((longitude - %s) * cos(radians(%s)), 2))")


def _term_condition(token: str, stem: str) -> RawSQL:
    return RawSQL("(search_vector @@ to_tsquery('simple', %s) OR search_text %%> %s)",
                  [f"{stem}:*", token], output_field=BooleanField())


def structured_filters(qs: QuerySet, query: SearchQuery, scope: Scope) -> QuerySet:
    """Every filter except the words: the scope of the site, then the user's choices."""
    qs = qs.filter(is_listed=True)
    if scope.approved_ids is not None:
        qs = qs.filter(service_id__in=scope.approved_ids)
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

    def search(self, query: SearchQuery, scope: Scope) -> SearchResult:
        base = structured_filters(SearchDocument.objects.all(), query, scope)
        terms = query_terms(query.text)
        relaxed = False
        qs = base
        if terms:
            qs = base.filter(*[_term_condition(t, s) for t, s in terms])
        facets, total = self._facets_and_total(qs)
        if terms and total == 0 and len(terms) > 1:
            any_term = Q()
            for t, s in terms:
                any_term |= Q(_term_condition(t, s))
            qs = base.filter(any_term)
            facets, total = self._facets_and_total(qs)
            relaxed = total > 0
        hits = self._hits(qs, query, scope, terms, relaxed) if total else []
        return SearchResult(hits=hits, total=total, page=query.page, per_page=query.per_page, facets=facets,
                            backend=self.name, relaxed=relaxed)

    def _hits(self, qs: QuerySet, query: SearchQuery, scope: Scope, terms, relaxed: bool) -> list[Hit]:
        annotations = {}
        if relaxed:  # services matching more of the words first
            sql = " + ".join("(CASE WHEN (search_vector @@ to_tsquery('simple', %s) OR search_text %%> %s) "
                             "THEN 1 ELSE 0 END)" for _ in terms)
            annotations["matched"] = RawSQL(sql, [p for t, s in terms for p in (f"{s}:*", t)],
                                            output_field=FloatField())
        if terms:
            tsquery = " | ".join(f"{s}:*" for _, s in terms)
            annotations["score"] = RawSQL(
                "ts_rank_cd(search_vector, to_tsquery('simple', %s)) + word_similarity(%s, search_title)",
                [tsquery, fold(query.text)], output_field=FloatField())
        if scope.origin is not None:
            lat, lon = scope.origin
            annotations["distance_km"] = RawSQL(_DISTANCE, [lat, lon, lat], output_field=FloatField())
        qs = qs.annotate(**annotations)
        if query.sort == "distance" and scope.origin is not None:
            order = [F("distance_km").asc(nulls_last=True), "unit_price", "service_id"]
        elif query.sort == "price":
            order = ["unit_price", "service_id"]
        elif relaxed:
            order = [F("matched").desc(), F("score").desc(), "service_id"]
        elif terms:
            order = [F("score").desc(), "service_id"]
        else:
            order = ["service_type_code", "title_lv", "service_id"]
        offset = (query.page - 1) * query.per_page
        rows = qs.order_by(*order).values(*HIT_FIELDS, *annotations)[offset:offset + query.per_page]
        hits = []
        for row in rows:
            row.pop("matched", None)
            cap = scope.caps.get((row["service_type_code"], row["unit"]))
            hits.append(Hit(**row, cap=cap))
        return hits

    def _facets_and_total(self, qs: QuerySet) -> tuple[dict[str, dict[str, int]], int]:
        sql, params = qs.values("service_type_code", "target_groups", "delivery_modes", "languages",
                                "accessibility", "has_free_places").query.sql_with_params()
        facet_sql = f"""
            WITH base AS MATERIALIZED ({sql})
            SELECT 'total', '', count(*) FROM base
            UNION ALL SELECT 'service_type', service_type_code, count(*) FROM base GROUP BY 2
            UNION ALL SELECT 'target_group', v, count(*) FROM base, unnest(target_groups) v GROUP BY 2
            UNION ALL SELECT 'delivery_mode', v, count(*) FROM base, unnest(delivery_modes) v GROUP BY 2
            UNION ALL SELECT 'language', v, count(*) FROM base, unnest(languages) v GROUP BY 2
            UNION ALL SELECT 'accessibility', v, count(*) FROM base, unnest(accessibility) v GROUP BY 2
            UNION ALL SELECT 'free_places', 'yes', count(*) FROM base WHERE has_free_places
        """
        facets: dict[str, dict[str, int]] = {name: {} for name in FACETS}
        total = 0
        with connection.cursor() as cursor:
            cursor.execute(facet_sql, params)
            for facet, value, count in cursor.fetchall():
                if facet == "total":
                    total = count
                elif count:
                    facets[facet][value] = count
        return facets, total
