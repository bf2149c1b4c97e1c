"""Person search: accents and case do not matter, every word must match, a code finds by its start; the
trigram index exists in every municipality's schema (also the ones cloned from the template)."""

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from portal.budgets.people import selectors, services

from .conftest import MUNICIPALITY_A, MUNICIPALITY_B, adult_data, demo_user


@pytest.mark.parametrize("code", [MUNICIPALITY_A, MUNICIPALITY_B])
def test_search_ignores_accents_and_case_in_every_municipality(code, muni_a, muni_b):
    from portal.tenants.roles import Role

    municipality = muni_a if code == MUNICIPALITY_A else muni_b
    worker = demo_user(Role.SOCIAL_WORKER, code)
    with tenant_context(municipality):
        person = services.person_create(actor=worker, **adult_data(first_name="Ilze", last_name="Žūriņa-Ķēniņa"))
        for query in ["zurina", "ŽŪRIŅA", "ilze kenina", "Ķēniņa Ilze", person.personal_code[:6],
                      person.personal_code.replace("-", "")]:
            assert person in selectors.person_search(worker, query=query), query
        assert person not in selectors.person_search(worker, query="ilze berzina")
        assert person not in selectors.person_search(worker, query="zurina", target_group="children")
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE schemaname = %s AND indexname = %s",
                           [municipality.schema_name, "people_person_name_trgm"])
            (definition,) = cursor.fetchone()
            cursor.execute("SELECT n.nspname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                           "WHERE p.proname = 'people_search_name'")
            schemas = {row[0] for row in cursor.fetchall()}
        assert "people_search_name" in definition and "gin_trgm_ops" in definition
        assert schemas == {"public"}  # one function for all schemas, none copied into a municipality's
