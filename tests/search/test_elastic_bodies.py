"""The Elasticsearch request bodies, one index per language, checked as data (no cluster, no fake server).

What these tests cannot show: that a live Elasticsearch accepts the bodies and ranks as intended. That is
the Elasticsearch half of tests/search/test_backends.py, which runs only where ELASTICSEARCH_URL is set.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.conf import settings

from portal.marketplace.search.backends import elastic_bodies as bodies
from portal.marketplace.search.models import SearchDocument
from portal.marketplace.search.query import FACETS, Scope, SearchQuery

LANGUAGES = [code for code, _name in settings.LANGUAGES]

# The built-in language analyzers, as listed on Elasticsearch's reference page "Language analyzers"
# (https://www.elastic.co/guide/en/elasticsearch/reference/current/analysis-lang-analyzer.html).
DOCUMENTED_ANALYZERS = {
    "arabic", "armenian", "basque", "bengali", "brazilian", "bulgarian", "catalan", "cjk", "czech", "danish",
    "dutch", "english", "estonian", "finnish", "french", "galician", "german", "greek", "hindi", "hungarian",
    "indonesian", "irish", "italian", "latvian", "lithuanian", "norwegian", "persian", "portuguese", "romanian",
    "russian", "sorani", "spanish", "swedish", "turkish", "thai",
}
BUILT_IN_FILTERS = {"lowercase"}


def _doc(**overrides) -> SearchDocument:
    values = dict(
        service_id=41, is_listed=True, provider_id=7, provider_name="Samariešu apvienība", provider_slug="samariesi",
        service_type_code="home-care", service_type_name_lv="Aprūpe mājās", service_type_name_en="Home care",
        title_lv="Aprūpe mājās Jelgavā", title_en="", summary_lv="Aprūpētājs palīdz ikdienas darbos.",
        summary_en="A carer helps with daily tasks.", target_groups=["adults"], min_age=18, max_age=None,
        delivery_modes=["home"], languages=["lv", "ru"], municipalities=["jelgava"], accessibility=[],
        unit="hour", unit_price=Decimal("9.50"), free_places=5, waiting_weeks=None, has_free_places=True,
        latitude=56.65, longitude=23.72, place="Lielā iela 1, Jelgava",
        modified_at=datetime(2026, 12, 3, 9, 0, tzinfo=UTC))
    return SearchDocument(**(values | overrides))


def _mapping(language):
    return bodies.index_body(language, languages=LANGUAGES, shards=2, replicas=1)


def test_every_catalogue_language_has_a_documented_built_in_analyzer():
    assert LANGUAGES == ["lv", "en"]
    assert [bodies.analyzer_name(code) for code in LANGUAGES] == ["latvian", "english"]
    assert set(bodies.LANGUAGE_ANALYZERS.values()) <= DOCUMENTED_ANALYZERS
    with pytest.raises(ValueError, match="pl"):
        bodies.analyzer_name("pl")  # Polish needs a plugin: say so, do not index it with the wrong one


@pytest.mark.parametrize("language, own, other", [("lv", "latvian", "english"), ("en", "english", "latvian")])
def test_each_language_index_analyses_its_text_with_that_language(language, own, other):
    body = _mapping(language)
    assert body["settings"]["number_of_shards"] == 2 and body["settings"]["number_of_replicas"] == 1
    props = body["mappings"]["properties"]
    for field in ("title", "type_name", "body"):
        assert props[field]["analyzer"] == own
        assert props[field]["fields"]["folded"]["analyzer"] == f"{own}_folded"
    other_code = next(c for c in LANGUAGES if c != language)
    assert props[f"other_{other_code}"]["analyzer"] == other and f"other_{language}" not in props
    assert props["provider"]["analyzer"] == props["places"]["analyzer"] == "latvian"  # names are Latvian
    assert props["location"] == {"type": "geo_point"} and props["service_id"] == {"type": "long"}
    assert body["mappings"]["dynamic"] == "strict"
    analysis = body["settings"]["analysis"]
    for name in ("latvian", "english"):
        assert analysis["filter"][f"{name}_stemmer"] == {"type": "stemmer", "language": name}
        # folding before stemming: "aprupe" typed without diacritics reaches the stem of "aprūpe"
        assert analysis["analyzer"][f"{name}_folded"]["filter"] == ["lowercase", "folding", f"{name}_stemmer"]
    assert analysis["filter"]["folding"]["type"] == "asciifolding"
    # every analyzer a field names is built in (documented) or defined here, every filter likewise
    used = {p["analyzer"] for p in props.values() if "analyzer" in p}
    used |= {p["fields"]["folded"]["analyzer"] for p in props.values() if "fields" in p}
    assert used <= DOCUMENTED_ANALYZERS | set(analysis["analyzer"])
    for definition in analysis["analyzer"].values():
        assert set(definition["filter"]) <= BUILT_IN_FILTERS | set(analysis["filter"])


def test_the_english_document_falls_back_to_latvian_where_english_is_empty():
    doc = _doc()
    en = bodies.document_source(doc, "en", languages=LANGUAGES)
    lv = bodies.document_source(doc, "lv", languages=LANGUAGES)
    assert en["title"] == "Aprūpe mājās Jelgavā"  # no English title: the Latvian one, as the result list shows
    assert en["type_name"] == "Home care" and en["body"] == "A carer helps with daily tasks."
    assert en["other_lv"] == "Aprūpe mājās Jelgavā Aprūpe mājās Aprūpētājs palīdz ikdienas darbos."
    assert lv["title"] == "Aprūpe mājās Jelgavā" and lv["type_name"] == "Aprūpe mājās"
    assert lv["other_en"] == "Home care A carer helps with daily tasks."  # the empty English title adds nothing
    assert lv["provider"] == en["provider"] == "Samariešu apvienība"
    assert en["places"] == "Lielā iela 1, Jelgava jelgava"
    assert en["location"] == {"lat": 56.65, "lon": 23.72} and en["unit_price"] == 9.5
    assert en["provider_id"] == "7" and en["browse_title"] == "Aprūpe mājās Jelgavā"
    # the strict mapping accepts exactly these fields
    for language, source in (("en", en), ("lv", lv)):
        assert set(source) == set(_mapping(language)["mappings"]["properties"])
    assert bodies.document_source(_doc(latitude=None), "lv", languages=LANGUAGES)["location"] is None
    english = bodies.document_source(_doc(title_en="Home care in Jelgava"), "en", languages=LANGUAGES)
    assert english["title"] == "Home care in Jelgava"


def test_a_changed_service_is_written_to_every_language_alias():
    aliases = {lang: bodies.alias_name("t-", lang) for lang in LANGUAGES}
    assert aliases == {"lv": "t-sbs-catalogue-services-lv", "en": "t-sbs-catalogue-services-en"}
    actions = list(bodies.index_actions([_doc(), _doc(service_id=42)], aliases, languages=LANGUAGES))
    assert [(a["_op_type"], a["_index"], a["_id"]) for a in actions] == [
        ("index", "t-sbs-catalogue-services-lv", "41"), ("index", "t-sbs-catalogue-services-en", "41"),
        ("index", "t-sbs-catalogue-services-lv", "42"), ("index", "t-sbs-catalogue-services-en", "42")]
    assert actions[0]["_source"]["type_name"] == "Aprūpe mājās" and actions[1]["_source"]["type_name"] == "Home care"
    assert bodies.delete_actions([41], aliases) == [
        {"_op_type": "delete", "_index": "t-sbs-catalogue-services-lv", "_id": "41"},
        {"_op_type": "delete", "_index": "t-sbs-catalogue-services-en", "_id": "41"}]


def test_a_reindex_moves_both_aliases_in_one_request_then_deletes_the_old_indexes():
    lv, en = bodies.alias_name("", "lv"), bodies.alias_name("", "en")
    new = {lv: bodies.concrete_index_name(lv, "20261203100000-000001"),
           en: bodies.concrete_index_name(en, "20261203100000-000001")}
    assert new[lv] == "sbs-catalogue-services-lv-20261203100000-000001"
    current = {lv: ["sbs-catalogue-services-lv-old"], en: ["sbs-catalogue-services-en-old"]}
    actions = bodies.alias_actions(new, current)
    assert actions == [
        {"remove": {"index": "sbs-catalogue-services-lv-old", "alias": lv}},
        {"add": {"index": new[lv], "alias": lv, "is_write_index": True}},
        {"remove": {"index": "sbs-catalogue-services-en-old", "alias": en}},
        {"add": {"index": new[en], "alias": en, "is_write_index": True}},
    ]
    assert bodies.indexes_to_delete(new, current) == ["sbs-catalogue-services-lv-old", "sbs-catalogue-services-en-old"]

    # The first rebuild after the two-language index: no alias yet; the old single index goes afterwards.
    first = bodies.alias_actions(new, {lv: [], en: []})
    assert first == [{"add": {"index": new[lv], "alias": lv, "is_write_index": True}},
                     {"add": {"index": new[en], "alias": en, "is_write_index": True}}]
    legacy = ["sbs-catalogue-services-20261101000000-000001"]
    assert bodies.legacy_alias_name("") == "sbs-catalogue-services"
    assert bodies.indexes_to_delete(new, {lv: [], en: []}, legacy) == legacy
    # A concrete index squatting an alias's name is dropped in the same atomic request.
    squatted = bodies.alias_actions(new, {lv: [], en: []}, plain=[lv])
    assert squatted[0] == {"remove_index": {"index": lv}} and len(squatted) == 3


def test_services_deleted_while_the_new_indexes_loaded_are_deleted_from_them():
    from array import array

    assert bodies.deleted_since_load(array("q", [3, 1, 2, 5]), iter([1, 2, 4])) == [3, 5]
    assert bodies.deleted_since_load([], [1]) == [] and bodies.deleted_since_load([1], []) == [1]


def test_a_search_reads_the_page_languages_index_with_its_fields():
    assert bodies.search_language("en", LANGUAGES) == "en"
    assert bodies.search_language("en-gb", LANGUAGES) == "en"
    assert bodies.search_language("lv", LANGUAGES) == "lv"
    assert bodies.search_language("de", LANGUAGES) == "lv" and bodies.search_language(None, LANGUAGES) == "lv"
    assert bodies.text_fields("en", LANGUAGES) == [
        "title^4", "title.folded^4", "type_name^3", "type_name.folded^3", "provider^2", "provider.folded^2",
        "places", "places.folded", "body", "body.folded", "other_lv", "other_lv.folded"]
    assert bodies.text_fields("lv", LANGUAGES)[-2:] == ["other_en", "other_en.folded"]

    scope = Scope(municipality="jelgava", approved_ids=[1, 2], approved_provider_ids=[3],
                  caps={("psychologist", "session"): Decimal("50.00")}, origin=(56.65, 23.72))
    body = bodies.query_body(SearchQuery(text="psihologam", service_types=["psychologist"], within_cap=True,
                                         age=10, sort="distance", page=2, per_page=5),
                             scope, language="lv", languages=LANGUAGES)
    text = body["query"]["bool"]["must"][0]["multi_match"]
    assert text["query"] == "psihologam" and text["operator"] == "and" and text["fuzziness"] == "AUTO"
    assert text["fields"] == bodies.text_fields("lv", LANGUAGES)
    filters = body["query"]["bool"]["filter"]
    assert {"term": {"is_listed": True}} in filters and {"ids": {"values": ["1", "2"]}} in filters
    assert {"terms": {"provider_id": ["3"]}} in filters
    assert {"terms": {"service_type_code": ["psychologist"]}} in filters
    assert body["query"]["bool"]["must_not"] == [{"bool": {"filter": [
        {"term": {"service_type_code": "psychologist"}}, {"term": {"unit": "session"}},
        {"range": {"unit_price": {"gt": 50.0}}}]}}]
    assert set(body["aggs"]) == set(FACETS)
    assert body["sort"][0]["_geo_distance"]["location"] == {"lat": 56.65, "lon": 23.72}
    assert body["from"] == 5 and body["size"] == 5 and body["track_total_hits"] is True
    # every field the query names is in the index's mapping
    props = _mapping("lv")["mappings"]["properties"]
    named = {f.split("^")[0].split(".")[0] for f in text["fields"]}
    named |= {field for clause in filters for kind in ("term", "terms", "range") for field in clause.get(kind, {})}
    named |= {agg["terms"]["field"] for agg in body["aggs"].values() if "terms" in agg}
    named |= {key for order in body["sort"] for key in order if key != "_geo_distance"} | {"location"}
    assert named <= set(props)

    browse = bodies.query_body(SearchQuery(), Scope(), language="en", languages=LANGUAGES)
    assert browse["query"]["bool"]["must"] == [{"match_all": {}}]
    assert browse["sort"] == [{"service_type_code": "asc"}, {"browse_title": "asc"}, {"service_id": "asc"}]
    assert bodies.query_body(SearchQuery(sort="price"), Scope(), language="en", languages=LANGUAGES)["sort"] == [
        {"unit_price": "asc"}, {"service_id": "asc"}]
    relaxed = bodies.query_body(SearchQuery(text="logopēds zzz"), Scope(), language="en", languages=LANGUAGES,
                                operator="or")
    assert relaxed["query"]["bool"]["must"][0]["multi_match"]["operator"] == "or"


def test_the_budget_filter_pays_named_types_and_any_type_money_for_the_rest():
    scope = Scope(budget={"*": Decimal("12.00"), "psychologist": Decimal("36.00"), "home-care": Decimal("0")})
    body = bodies.query_body(SearchQuery(fits_budget=True), scope, language="lv", languages=LANGUAGES)
    fits = body["query"]["bool"]["filter"][-1]["bool"]["should"]
    assert fits == [
        {"bool": {"filter": [{"term": {"service_type_code": "psychologist"}},
                             {"range": {"unit_price": {"lte": 36.0}}}]}},
        {"bool": {"filter": [{"range": {"unit_price": {"lte": 12.0}}}],
                  "must_not": [{"terms": {"service_type_code": ["psychologist", "home-care"]}}]}}]
    nothing = bodies.query_body(SearchQuery(fits_budget=True), Scope(budget={}), language="lv", languages=LANGUAGES)
    assert nothing["query"]["bool"]["filter"][-1] == {"ids": {"values": []}}


def test_a_search_response_becomes_the_page_total_and_facets():
    """The response shape is the one the _search API documents; it is written here, not received."""
    response = {
        "hits": {"total": {"value": 3, "relation": "eq"}, "hits": [
            {"_id": "41", "_score": None, "sort": [1.25, 9.5, 41]},
            {"_id": "42", "_score": None, "sort": ["Infinity", 9.5, 42]},
        ]},
        "aggregations": {
            "service_type": {"buckets": [{"key": "home-care", "doc_count": 2}, {"key": "x-unknown", "doc_count": 1}]},
            "target_group": {"buckets": [{"key": "adults", "doc_count": 3}]},
            "delivery_mode": {"buckets": []}, "language": {"buckets": [{"key": "lv", "doc_count": 3}]},
            "accessibility": {"buckets": []}, "free_places": {"doc_count": 2},
        },
    }
    page, total, facets = bodies.parse_response(response, distance_sort=True)
    assert page == [(41, 0.0, 1.25), (42, 0.0, None)] and total == 3
    assert facets["service_type"] == {"home-care": 2}  # only the taxonomy's types, as PostgreSQL counts
    assert facets["target_group"] == {"adults": 3} and facets["free_places"] == {"yes": 2}
    assert set(facets) == set(FACETS)
    page, _, _ = bodies.parse_response(response, distance_sort=False)
    assert page[0] == (41, 0.0, None)
