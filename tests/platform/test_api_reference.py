"""/api/docs/ is an accessible page listing this site's API from its own OpenAPI schema (Swagger UI moved)."""

import pytest

from tests.conftest import MUNICIPALITY_A

pytestmark = pytest.mark.django_db


def test_the_reference_lists_each_site_own_endpoints(client_for):
    national = client_for(None).get("/api/docs/")
    jelgava = client_for(MUNICIPALITY_A).get("/api/docs/")
    assert national.status_code == jelgava.status_code == 200
    assert '<html lang="lv"' in national.content.decode()
    assert "/api/v1/search/services/" in national.content.decode()
    # Agreements live on a municipality's site only: its reference has them, the national one does not.
    assert "/api/v1/agreements/" in jelgava.content.decode()
    assert "/api/v1/agreements/" not in national.content.decode()
    assert 'href="/api/swagger/"' in national.content.decode()
