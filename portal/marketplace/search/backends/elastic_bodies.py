"""The Elasticsearch request bodies, built by pure functions (no network; unit-tested in
``tests/search/test_elastic_bodies.py``). ``elastic.py`` only sends them.

One index per catalogue language (``settings.LANGUAGES``), each behind its own alias:

    <prefix>sbs-catalogue-services-lv  →  <prefix>sbs-catalogue-services-lv-20261203093000-123456
    <prefix>sbs-catalogue-services-en  →  <prefix>sbs-catalogue-services-en-20261203093000-123456

Every service is a document in every language's index. In the index of language L:

- ``title``, ``type_name`` and ``body`` (the summary) hold L's text, or the Latvian text where L's is
  empty (what the result list shows, too), analysed with L's built-in Elasticsearch analyzer
  (``latvian``, ``english``) and, in a ``.folded`` sub-field, with L's stemmer after ASCII folding, so a
  query typed without diacritics ("aprupe") meets "aprūpe";
- ``provider`` and ``places`` are proper names, the same in every index, analysed as Latvian;
- ``other_<M>`` holds the text of every other language M, with M's analyzer and no boost: the
  PostgreSQL backend matches a word in either language whatever the page's language, and so does this
  one, but a match in the page's language ranks first.

A search on a page in language L reads alias L only (``search_language``). A rebuild creates a new
index per language, loads and refreshes them, then moves every alias in one ``_aliases`` request
(``alias_actions``), so a reader sees either all old or all new indexes, and deletes the old ones.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np

from portal.marketplace.catalogue.taxonomy import SERVICE_TYPE_CODES

from ..models import FACET_COLUMNS
from ..params import facet_values
from ..query import FACETS, Scope, SearchQuery

# Elasticsearch's built-in language analyzers by language code, from the reference's "Language analyzers" page:
# https://www.elastic.co/guide/en/elasticsearch/reference/current/analysis-lang-analyzer.html
# The folded sub-fields also use the name as a `stemmer` token filter language: documented for "latvian" and
# "english" (the catalogue's languages today); check the stemmer's list before adding another language.
# Languages missing here (Polish, Slovak, Slovenian, Croatian, Maltese) have no built-in analyzer and
# would need a plugin (e.g. analysis-stempel for Polish) before a catalogue could offer them.
LANGUAGE_ANALYZERS = {
    "bg": "bulgarian", "cs": "czech", "da": "danish", "de": "german", "el": "greek", "en": "english",
    "es": "spanish", "et": "estonian", "fi": "finnish", "fr": "french", "ga": "irish", "hu": "hungarian",
    "it": "italian", "lt": "lithuanian", "lv": "latvian", "nl": "dutch", "pt": "portuguese", "ro": "romanian",
    "ru": "russian", "sv": "swedish",
}
NAMES_LANGUAGE = "lv"  # provider and place names are Latvian whatever the page's language
FALLBACK_LANGUAGE = "lv"  # the catalogue's required language: titles and summaries always have it
_OWN_TEXT = (("title", "title"), ("type_name", "service_type_name"), ("body", "summary"))  # field, source
_NAME_FIELDS = ("provider", "places")
# What a text query reads, with its boost (the PostgreSQL backend's weights: title A, names B, the rest C).
_QUERY_FIELDS = (("title", 4), ("type_name", 3), ("provider", 2), ("places", 1), ("body", 1))
FACET_FIELDS = {"service_type": "service_type_code", "target_group": "target_groups",
                "delivery_mode": "delivery_modes", "language": "languages", "accessibility": "accessibility"}
_KEYWORDS = ("service_type_code", "provider_id", "target_groups", "delivery_modes", "languages", "municipalities",
             "accessibility", "unit", "browse_title")


def analyzer_name(language: str) -> str:
    """The built-in Elasticsearch analyzer of a catalogue language ("lv" → "latvian")."""
    try:
        return LANGUAGE_ANALYZERS[language]
    except KeyError:
        raise ValueError(f"Elasticsearch has no built-in analyzer for catalogue language {language!r}") from None


def search_language(active: str | None, languages: Iterable[str], default: str = FALLBACK_LANGUAGE) -> str:
    """The index a search reads: the page's (or API request's) language, "en-gb" → "en", else ``default``."""
    code = (active or "").lower().split("-")[0]
    return code if code in set(languages) else default


def alias_name(prefix: str, language: str) -> str:
    return f"{prefix}sbs-catalogue-services-{language}"


def legacy_alias_name(prefix: str) -> str:
    """The single two-language index (or alias) earlier versions kept; removed by the first rebuild."""
    return f"{prefix}sbs-catalogue-services"


def concrete_index_name(alias: str, stamp: str) -> str:
    return f"{alias}-{stamp}"


# ---------------------------------------------------------------------------------------------- index
def _text(language: str) -> dict:
    name = analyzer_name(language)
    return {"type": "text", "analyzer": name, "fields": {"folded": {"type": "text", "analyzer": f"{name}_folded"}}}


def index_body(language: str, *, languages: Iterable[str], shards: int, replicas: int) -> dict:
    """Settings and mappings of the index of ``language`` (``indices.create(index=…, **body)``)."""
    languages = list(languages)
    analysis: dict = {"filter": {"folding": {"type": "asciifolding", "preserve_original": False}}, "analyzer": {}}
    for code in dict.fromkeys([*languages, NAMES_LANGUAGE]):
        name = analyzer_name(code)
        analysis["filter"][f"{name}_stemmer"] = {"type": "stemmer", "language": name}
        # Folding before the stemmer: the query "aprupe" and the text "aprūpe" reach the same stem.
        analysis["analyzer"][f"{name}_folded"] = {"type": "custom", "tokenizer": "standard",
                                                  "filter": ["lowercase", "folding", f"{name}_stemmer"]}
    properties: dict = {field: _text(language) for field, _source in _OWN_TEXT}
    properties |= {field: _text(NAMES_LANGUAGE) for field in _NAME_FIELDS}
    properties |= {f"other_{code}": _text(code) for code in languages if code != language}
    properties |= {field: {"type": "keyword"} for field in _KEYWORDS}
    properties |= {
        "service_id": {"type": "long"}, "is_listed": {"type": "boolean"}, "has_free_places": {"type": "boolean"},
        "unit_price": {"type": "scaled_float", "scaling_factor": 100}, "min_age": {"type": "integer"},
        "max_age": {"type": "integer"}, "location": {"type": "geo_point"}, "modified_at": {"type": "date"},
    }
    return {"settings": {"number_of_shards": shards, "number_of_replicas": replicas, "analysis": analysis},
            "mappings": {"dynamic": "strict", "properties": properties}}


# ---------------------------------------------------------------------------------------------- documents
def localized(doc, field: str, language: str) -> str:
    """``doc.<field>_<language>``, or the Latvian text when that is empty (the result list does the same)."""
    return getattr(doc, f"{field}_{language}", "") or getattr(doc, f"{field}_{FALLBACK_LANGUAGE}", "") or ""


def document_source(doc, language: str, *, languages: Iterable[str]) -> dict:
    """The ``_source`` of a ``SearchDocument`` in the index of ``language``."""
    source = {field: localized(doc, name, language) for field, name in _OWN_TEXT}
    for code in languages:
        if code != language:
            source[f"other_{code}"] = " ".join(
                getattr(doc, f"{name}_{code}", "") or "" for _field, name in _OWN_TEXT).strip()
    source |= {
        "provider": doc.provider_name, "places": " ".join([doc.place, *doc.municipalities]).strip(),
        "service_id": doc.service_id, "is_listed": doc.is_listed, "provider_id": str(doc.provider_id),
        "service_type_code": doc.service_type_code, "target_groups": list(doc.target_groups),
        "delivery_modes": list(doc.delivery_modes), "languages": list(doc.languages),
        "municipalities": list(doc.municipalities), "accessibility": list(doc.accessibility), "unit": doc.unit,
        "unit_price": float(doc.unit_price), "min_age": doc.min_age, "max_age": doc.max_age,
        "has_free_places": doc.has_free_places, "browse_title": doc.title_lv,
        "modified_at": doc.modified_at.isoformat() if hasattr(doc.modified_at, "isoformat") else doc.modified_at,
        "location": ({"lat": doc.latitude, "lon": doc.longitude}
                     if doc.latitude is not None and doc.longitude is not None else None),
    }
    return source


def index_actions(docs: Iterable, indexes: Mapping[str, str], *, languages: Iterable[str]):
    """Bulk actions writing each document to the index (or alias) of every language: {language: name}."""
    languages = list(languages)
    for doc in docs:
        for language, index in indexes.items():
            yield {"_op_type": "index", "_index": index, "_id": str(doc.service_id),
                   "_source": document_source(doc, language, languages=languages)}


def delete_actions(service_ids: Iterable[int], indexes: Mapping[str, str]) -> list[dict]:
    return [{"_op_type": "delete", "_index": index, "_id": str(i)} for i in service_ids for index in indexes.values()]


# ---------------------------------------------------------------------------------------------- aliases
def alias_actions(new: Mapping[str, str], current: Mapping[str, Iterable[str]],
                  plain: Iterable[str] = ()) -> list[dict]:
    """One ``_aliases`` request moving every alias at once. ``new``: alias → its freshly built index;
    ``current``: alias → the indexes it points to now; ``plain``: alias names taken by a concrete index
    (removed in the same request: Elasticsearch runs ``remove_index`` before the adds)."""
    actions = []
    plain = set(plain)
    for alias, index in new.items():
        actions += [{"remove": {"index": old, "alias": alias}} for old in current.get(alias, ()) if old != index]
        if alias in plain:
            actions.append({"remove_index": {"index": alias}})
        actions.append({"add": {"index": index, "alias": alias, "is_write_index": True}})
    return actions


def indexes_to_delete(new: Mapping[str, str], current: Mapping[str, Iterable[str]],
                      legacy: Iterable[str] = ()) -> list[str]:
    """The indexes no alias reads after the move: the previous ones and the legacy two-language index."""
    keep = set(new.values())
    gone = [name for names in current.values() for name in names] + list(legacy)
    return [name for name in dict.fromkeys(gone) if name not in keep]


def deleted_since_load(loaded: Iterable[int], present: Iterable[int]) -> list[int]:
    """Services loaded into the new indexes but gone from the search documents by the time the aliases moved
    (their deletion went to the old indexes); sorted."""
    loaded_ids = np.fromiter(loaded, dtype=np.int64)
    present_ids = np.fromiter(present, dtype=np.int64)
    return [int(i) for i in np.setdiff1d(loaded_ids, present_ids)]


# ---------------------------------------------------------------------------------------------- search
def text_fields(language: str, languages: Iterable[str]) -> list[str]:
    """The fields a text query reads in the index of ``language``, with their boosts."""
    fields = []
    for field, boost in _QUERY_FIELDS:
        suffix = f"^{boost}" if boost != 1 else ""
        fields += [f"{field}{suffix}", f"{field}.folded{suffix}"]
    for code in languages:
        if code != language:
            fields += [f"other_{code}", f"other_{code}.folded"]
    return fields


def _ids(value) -> list[int]:
    """Approved ids arrive as a flat ``values_list`` queryset or a list."""
    return [int(i) for i in value]


def _open_below(field: str, bound: dict) -> dict:
    """``field`` within ``bound``, or absent (no age limit)."""
    return {"bool": {"should": [{"range": {field: bound}}, {"bool": {"must_not": [{"exists": {"field": field}}]}}],
                     "minimum_should_match": 1}}


def filters(query: SearchQuery, scope: Scope) -> tuple[list[dict], list[dict]]:
    """(filter, must_not) clauses: the site's scope, then the user's choices (``postgres.structured_filters``)."""
    clauses: list[dict] = [{"term": {"is_listed": True}}]
    if scope.approved_ids is not None:
        clauses.append({"ids": {"values": [str(i) for i in _ids(scope.approved_ids)]}})
    if scope.approved_provider_ids is not None:
        clauses.append({"terms": {"provider_id": [str(i) for i in _ids(scope.approved_provider_ids)]}})
    if query.ids is not None:
        clauses.append({"ids": {"values": [str(i) for i in query.ids]}})
    for field, values in (("service_type_code", query.service_types), ("target_groups", query.target_groups),
                          ("municipalities", query.municipalities), ("languages", query.languages),
                          ("delivery_modes", query.delivery_modes)):
        if values:
            clauses.append({"terms": {field: list(values)}})
    clauses += [{"term": {"accessibility": feature}} for feature in query.accessibility or ()]
    if query.age is not None:
        clauses += [_open_below("min_age", {"lte": query.age}), _open_below("max_age", {"gte": query.age})]
    if query.free_places:
        clauses.append({"term": {"has_free_places": True}})
    must_not = []
    if query.within_cap and scope.caps:
        for (type_code, unit), amount in scope.caps.items():
            must_not.append({"bool": {"filter": [{"term": {"service_type_code": type_code}}, {"term": {"unit": unit}},
                                                 {"range": {"unit_price": {"gt": float(amount)}}}]}})
    if query.fits_budget and scope.budget is not None:
        # "*" is money of a category for any type: it pays for the types no other category lists.
        named = [code for code in scope.budget if code != "*"]
        fits = [{"bool": {"filter": [{"term": {"service_type_code": code}},
                                     {"range": {"unit_price": {"lte": float(amount)}}}]}}
                for code, amount in scope.budget.items() if amount and amount > 0 and code != "*"]
        star = scope.budget.get("*")
        if star and star > 0:
            fits.append({"bool": {"filter": [{"range": {"unit_price": {"lte": float(star)}}}],
                                  "must_not": [{"terms": {"service_type_code": named}}]}})
        clauses.append({"bool": {"should": fits, "minimum_should_match": 1}} if fits else {"ids": {"values": []}})
    if query.modified_after is not None:
        clauses.append({"range": {"modified_at": {"gt": query.modified_after.isoformat()}}})
    return clauses, must_not


def query_body(query: SearchQuery, scope: Scope, *, language: str, languages: Iterable[str],
               operator: str = "and") -> dict:
    """The ``_search`` body for ``query`` in ``scope``, sent to the alias of ``language``."""
    clauses, must_not = filters(query, scope)
    text = (query.text or "").strip()
    must = [{"multi_match": {"query": text, "operator": operator, "fuzziness": "AUTO", "prefix_length": 1,
                             "fields": text_fields(language, languages)}}] if text else [{"match_all": {}}]
    aggs: dict = {name: {"terms": {"field": field, "size": 50}} for name, field in FACET_FIELDS.items()}
    aggs["free_places"] = {"filter": {"term": {"has_free_places": True}}}
    # Ties broken by service id, as the PostgreSQL backend does (sorting on _id is off by default in 8+).
    if query.sort == "distance" and scope.origin is not None:
        sort = [{"_geo_distance": {"location": {"lat": scope.origin[0], "lon": scope.origin[1]}, "order": "asc",
                                   "unit": "km"}}, {"unit_price": "asc"}, {"service_id": "asc"}]
    elif query.sort == "price":
        sort = [{"unit_price": "asc"}, {"service_id": "asc"}]
    elif text:
        sort = [{"_score": "desc"}, {"service_id": "asc"}]
    else:
        sort = [{"service_type_code": "asc"}, {"browse_title": "asc"}, {"service_id": "asc"}]
    return {"query": {"bool": {"must": must, "filter": clauses, "must_not": must_not}}, "aggs": aggs,
            "sort": sort, "track_total_hits": True, "from": (query.page - 1) * query.per_page,
            "size": query.per_page}


def parse_response(response: Mapping, *, distance_sort: bool) -> tuple[list[tuple[int, float, float | None]], int,
                                                                       dict[str, dict[str, int]]]:
    """(page of (service id, score, distance km), total, facets) from a ``_search`` response; facets keep
    only the values the PostgreSQL backend counts (taxonomy types, the facet's known values)."""
    page = []
    for hit in response["hits"]["hits"]:
        distance = None
        if distance_sort and hit.get("sort"):
            value = hit["sort"][0]
            distance = float(value) if isinstance(value, int | float) and math.isfinite(value) else None
        page.append((int(hit["_id"]), float(hit.get("_score") or 0.0), distance))
    known = {"service_type": set(SERVICE_TYPE_CODES)}
    known |= {facet: set(facet_values(facet)) for facet, _column in FACET_COLUMNS}
    facets: dict[str, dict[str, int]] = {name: {} for name in FACETS}
    aggregations = response.get("aggregations", {})
    for name in FACET_FIELDS:
        for bucket in aggregations.get(name, {}).get("buckets", []):
            if bucket["key"] in known[name] and bucket["doc_count"]:
                facets[name][bucket["key"]] = bucket["doc_count"]
    free = aggregations.get("free_places", {}).get("doc_count", 0)
    if free:
        facets["free_places"]["yes"] = free
    return page, response["hits"]["total"]["value"], facets
