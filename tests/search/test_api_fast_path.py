"""The search API builds its JSON directly (result_data); it must equal what the DRF serializer renders."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from rest_framework.renderers import JSONRenderer

from portal.api.search.views import SearchResultSerializer, result_data
from portal.marketplace.search.query import SearchQuery
from portal.marketplace.search.selectors import catalogue_search, search_scope
from portal.tenants.models import Municipality
from tests.conftest import MUNICIPALITY_A

pytestmark = pytest.mark.django_db

QUERIES = [
    SearchQuery(text="klīniskais psihologs", per_page=50),
    SearchQuery(text="aprupe majas", sort="price", per_page=50),
    SearchQuery(sort="distance", per_page=100),
    SearchQuery(text="logopēds bērniem", free_places=True, per_page=50),
    SearchQuery(text="zzzz nekas"),
]


@pytest.mark.parametrize("code", [MUNICIPALITY_A, None])
def test_result_data_renders_exactly_like_the_serializer(catalogue_ids, code):
    if code:
        connection.set_tenant(Municipality.objects.get(code=code))
    try:
        scope = search_scope(None)
        seen_cap = False
        for query in QUERIES:
            result = catalogue_search(query, scope)
            fast, reference = result_data(result), SearchResultSerializer(result).data
            assert JSONRenderer().render(fast) == JSONRenderer().render(reference)
            assert json.loads(JSONRenderer().render(fast)) == json.loads(json.dumps(reference))
            seen_cap |= any(h.cap is not None for h in result.hits)
        assert seen_cap == bool(code)  # caps (Decimals) exercised on the municipality's site
    finally:
        connection.set_schema_to_public()
