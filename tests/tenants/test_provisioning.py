"""Provisioning municipalities: made from the template, idempotent, clear errors."""

import pytest
from django.db import connection
from django_tenants.utils import schema_exists

from portal.platform.core.errors import Conflict, ValidationFailed
from portal.tenants.models import Domain, Municipality
from portal.tenants.provisioning import municipality_provision, template_state

pytestmark = pytest.mark.django_db


def _counts():
    return Municipality.objects.count(), Domain.objects.count()


def test_a_new_municipality_is_made_from_the_current_template_and_gets_its_host():
    assert template_state() == "current"
    result = municipality_provision(code="sigulda", name="Siguldas novads", region="riga")
    assert result.created and result.method == "template" and not result.warning
    assert schema_exists("sigulda")
    assert Domain.objects.get(domain="sigulda.localhost").tenant == result.municipality
    with connection.cursor() as cursor:  # the new schema has the tenant tables and their migration history
        cursor.execute("SELECT count(*) FROM sigulda.django_migrations WHERE app = 'core'")
        assert cursor.fetchone()[0] >= 2
        cursor.execute("SELECT count(*) FROM sigulda.core_auditevent")
        assert cursor.fetchone()[0] == 0


def test_provisioning_twice_is_idempotent():
    first = municipality_provision(code="sigulda", name="Siguldas novads", region="riga")
    before = _counts()
    again = municipality_provision(code="sigulda", name="Siguldas novads", region="riga")
    assert not again.created and again.method == "existing"
    assert again.municipality.pk == first.municipality.pk
    assert _counts() == before


@pytest.mark.parametrize("code, field, error_code", [
    ("Sigulda!", "code", "invalid_code"),
    ("1abc", "code", "invalid_code"),
    ("s", "code", "invalid_code"),
    ("public", "code", "invalid_code"),
    ("www", "code", "invalid_code"),
])
def test_a_bad_code_is_refused_and_nothing_is_written(code, field, error_code):
    before = _counts()
    with pytest.raises(ValidationFailed) as exc:
        municipality_provision(code=code, name="Siguldas novads", region="riga")
    assert exc.value.field == field and exc.value.code == error_code
    assert _counts() == before


def test_an_unknown_region_is_refused():
    before = _counts()
    with pytest.raises(ValidationFailed) as exc:
        municipality_provision(code="sigulda", name="Siguldas novads", region="mars")
    assert exc.value.code == "invalid_region" and "kurzeme" in exc.value.message and "mars" in exc.value.message
    assert _counts() == before and not schema_exists("sigulda")


def test_a_code_taken_by_another_municipality_is_a_conflict(muni_a):
    before = _counts()
    with pytest.raises(Conflict) as exc:
        municipality_provision(code=muni_a.code, name="Cita pašvaldība", region="riga")
    assert exc.value.code == "duplicate_code" and muni_a.name in exc.value.message
    assert _counts() == before


def test_a_missing_template_falls_back_to_migrating_with_a_visible_warning(capsys):
    with connection.cursor() as cursor:
        cursor.execute('ALTER SCHEMA "tenant_template" RENAME TO "tenant_template_away"')
    try:
        result = municipality_provision(code="sigulda", name="Siguldas novads", region="riga")
    finally:
        with connection.cursor() as cursor:
            cursor.execute('ALTER SCHEMA "tenant_template_away" RENAME TO "tenant_template"')
    assert result.created and result.method == "migrate"
    assert "portal migrate" in result.warning
    assert "portal migrate" in capsys.readouterr().err
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sigulda.core_auditevent")
        assert cursor.fetchone()[0] == 0


def test_cli_provision_reports_a_bad_code_clearly(capsys):
    from portal.platform.cli import main

    assert main(["provision", "Bad Code", "Nekas", "--region", "riga"]) == 2
    assert "mazos latīņu burtus" in capsys.readouterr().err  # Latvian by default


def test_with_citus_schemas_on_the_new_schema_is_created_distributed_or_not_at_all(settings):
    """Citus is not installed here: the hook asks for a distributed schema, finds it was not distributed
    (no pg_dist_schema), and nothing is written — no municipality, host or schema."""
    from django.db.utils import ProgrammingError
    from django.test.utils import CaptureQueriesContext

    settings.CITUS_DISTRIBUTE_SCHEMAS = True
    before = _counts()
    with CaptureQueriesContext(connection) as queries, pytest.raises(ProgrammingError, match="pg_dist_schema"):
        municipality_provision(code="cesis", name="Cēsu novads", region="vidzeme")
    assert any("citus.enable_schema_based_sharding TO on" in q["sql"] for q in queries.captured_queries)
    assert _counts() == before and not schema_exists("cesis")
