"""Schemathesis against each site's own OpenAPI schema (issue 15): every operation, every client role of the
site plus an anonymous client, a bounded number of generated requests each, sent in-process through the Django
test client on the site's host. Every response passes schemathesis's own checks: ``not_a_server_error``,
``status_code_conformance`` (only documented statuses), ``content_type_conformance`` and
``response_schema_conformance`` (the body matches the documented schema of that status).
"""

from __future__ import annotations

import http.client
import os

import hypothesis
import hypothesis.errors
import pytest
import requests
import schemathesis
from schemathesis import GenerationMode
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.core.transport import Response
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from portal.tenants.roles import MUNICIPAL_ROLES, NATIONAL_ROLES, Role
from tests.conftest import MUNICIPALITY_A, demo_user

pytestmark = pytest.mark.django_db

# Per operation, each sent by every client of the site: valid generated requests, invalid ones, and one valid
# request aimed at existing ids. PORTAL_SCHEMATHESIS_EXAMPLES=20 for a deeper run by hand.
EXAMPLES = int(os.environ.get("PORTAL_SCHEMATHESIS_EXAMPLES", "1"))
NEGATIVE_EXAMPLES = EXAMPLES
SITES = {
    # A municipality's site: its six roles, and provider staff (who see their agreements there too).
    MUNICIPALITY_A: sorted(MUNICIPAL_ROLES) + [Role.PROVIDER_STAFF],
    None: sorted(NATIONAL_ROLES),
}
MIN_OPERATIONS = {MUNICIPALITY_A: 80, None: 40}  # the schema did not lose operations
not_a_server_error = schemathesis.checks.not_a_server_error
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# "METHOD /path" → why its answers do not conform yet: only not_a_server_error is asserted for it. Empty today.
KNOWN_NONCONFORMANT: dict[str, str] = {}
REQUEST_ARGS = ("method", "url", "headers", "files", "data", "params", "cookies", "json")


def _send(client, case):
    """Schemathesis serializes the case for its media type (JSON, form, multipart); the Django test client sends it
    to the site's host in-process."""
    kwargs = case.as_transport_kwargs(base_url=f"http://{client.hostname}")
    request = requests.Request(**{key: value for key, value in kwargs.items() if key in REQUEST_ARGS}).prepare()
    body = request.body or b""
    extra = {"data": body.encode() if isinstance(body, str) else body,
             "content_type": request.headers["Content-Type"]} if "Content-Type" in request.headers else {}
    response = client.generic(request.method, request.path_url, **extra)
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return Response(status_code=response.status_code,
                    headers={name: [value] for name, value in response.headers.items()},
                    content=content, request=request, elapsed=0.0, verify=False,
                    message=http.client.responses.get(response.status_code, ""))


def _existing(case, code) -> None:
    """Point the case at objects the demo data holds: small ids, this site's municipality."""
    for name, value in (case.path_parameters or {}).items():
        if isinstance(value, int):
            case.path_parameters[name] = 1 + abs(value) % 3
        elif name == "code" and code:
            case.path_parameters[name] = code


def _generated(strategy, count: int) -> list:
    """``count`` cases drawn by Hypothesis, the same on every run (derandomized), so a failure is reproducible."""
    cases = []

    @hypothesis.settings(max_examples=count, derandomize=True, database=None, deadline=None,
                         phases=[hypothesis.Phase.generate], suppress_health_check=list(hypothesis.HealthCheck))
    @hypothesis.given(strategy)
    def draw(case):
        cases.append(case)

    draw()
    return cases[:count]


def _cases(operation, code) -> list:
    """Per operation: valid requests, invalid ones (negative mode: wrong types, missing fields — a 4xx is
    expected and must be documented), and one valid request aimed at objects that exist."""
    valid = _generated(operation.as_strategy(), EXAMPLES + 1)
    try:
        invalid = _generated(operation.as_strategy(GenerationMode.NEGATIVE), NEGATIVE_EXAMPLES)
    except hypothesis.errors.Unsatisfiable:
        invalid = []  # nothing to get wrong: no parameters, no body
    *random_ids, existing = valid
    _existing(existing, code)
    return [*random_ids, *invalid, existing]


def _client(client_for, code, role):
    if role is None:
        return client_for(code)
    return client_for(code, user=demo_user(role, code) if role in MUNICIPAL_ROLES else demo_user(role))


@pytest.mark.parametrize("code", list(SITES), ids=lambda c: c or "national")
def test_every_operation_answers_as_documented(code, client_for):
    anonymous = client_for(code)
    raw = anonymous.get("/api/schema/?format=json").json()
    schema = schemathesis.openapi.from_dict(raw)
    roles = [*SITES[code], None]
    clients = {role or "anonymous": _client(client_for, code, role) for role in roles}
    operations = [result.ok() for result in schema.get_all_operations()]
    # Deletes last: one that succeeds may remove a role a later request relies on.
    operations.sort(key=lambda operation: operation.method.upper() == "DELETE")
    tried, drawn, failures = 0, 0, {}
    for operation in operations:
        label = f"{operation.method.upper()} {operation.path}"
        cases = _cases(operation, code)
        drawn += len(cases)
        for case in cases:
            for role, client in clients.items():
                response = _send(client, case)
                tried += 1
                known = label in KNOWN_NONCONFORMANT
                try:
                    case.validate_response(response, checks=[not_a_server_error] if known else CHECKS)
                except (FailureGroup, Failure) as error:
                    found = error.exceptions if isinstance(error, FailureGroup) else [error]
                    message = " | ".join(found[0].message.splitlines())[:400]
                    failures.setdefault(label, set()).add(
                        f"{role} {response.status_code}: {found[0].title}: {message}")
    print(f"{code or 'national'}: {len(operations)} operations, {drawn} cases × {len(clients)} clients = {tried}")
    assert tried == drawn * len(clients) and drawn >= 2 * len(operations)
    assert len(operations) >= MIN_OPERATIONS[code]
    report = "\n".join(f"{label}\n    " + "\n    ".join(sorted(found)) for label, found in failures.items())
    assert failures == {}, report
