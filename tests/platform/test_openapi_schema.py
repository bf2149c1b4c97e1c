"""Each site's OpenAPI schema is a valid OpenAPI 3 document, and every operation documents its error answers with
the one error envelope (issue 15). What the answers look like is checked by schemathesis (test_schemathesis.py).
"""

from __future__ import annotations

import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.validation import validate_schema

from portal.api.schema import ERROR_STATUSES
from tests.conftest import MUNICIPALITY_A

pytestmark = pytest.mark.django_db

METHODS = ("get", "post", "put", "patch", "delete")
ERROR_REF = "#/components/schemas/ErrorOut"


@pytest.fixture(params=[MUNICIPALITY_A, None], ids=["municipality", "national"])
def schema(request, client_for):
    GENERATOR_STATS.reset()
    response = client_for(request.param).get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def test_the_schema_is_valid_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)  # raises on any violation of the OpenAPI 3 JSON schema
    # Two serializers with one component name would make one of them document the other's shape.
    collisions = [message for message in GENERATOR_STATS._warn_cache if "identical names" in message]
    assert collisions == []


def test_every_operation_documents_its_error_answers(schema):
    assert set(schema["components"]["schemas"]["ErrorOut"]["required"]) == {"code", "detail"}
    missing, operations = [], 0
    for path, item in schema["paths"].items():
        for method in METHODS:
            if method not in item:
                continue
            operations += 1
            responses = item[method]["responses"]
            expected = {"400", "401", "403", "404", "429"}
            if method != "get":
                expected.add("409")
            if method in ("post", "put", "patch"):
                expected.add("415")
            for status in sorted(expected):
                documented = responses.get(status, {}).get("content", {}).get("application/json", {})
                if documented.get("schema", {}).get("$ref") != ERROR_REF:
                    missing.append(f"{method.upper()} {path} {status}")
            # and a success answer
            assert any(status.startswith("2") for status in responses), f"{method.upper()} {path}"
    assert operations >= 40
    assert set(ERROR_STATUSES) == {"400", "401", "403", "404", "409", "415", "429"}
    assert missing == []


def test_an_unknown_api_address_answers_with_the_error_envelope(client_for):
    response = client_for(MUNICIPALITY_A).get("/api/v1/agreements/-1/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"
    page = client_for(MUNICIPALITY_A).get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")
