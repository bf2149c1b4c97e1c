"""A schema made from the template's DDL (pg_dump once, replayed under the new name) is the template's twin.

The template schema is made by `migrate_schemas` (refresh_template), so "identical to the template" is
"identical to one made by migrate": the same tables, columns, defaults and identity columns, indexes,
constraints (foreign keys into public still pointing at public), sequences and their owners, triggers,
functions, privileges, and the same rows (migration history, content types, seeded ledger rows).
"""

import re

import pytest
from django.conf import settings
from django.db import connection

from portal.tenants import template_sql
from portal.tenants.provisioning import municipality_provision
from tests.conftest import MUNICIPALITY_A

pytestmark = pytest.mark.django_db

TEMPLATE = settings.TENANT_BASE_SCHEMA

# Each query lists one kind of object of the schema %(s)s as comparable text; the schema's own name is
# replaced by "S" afterwards, so two schemas made the same way give equal listings.
CATALOG = {
    "relations": "SELECT c.relname, c.relkind, c.relpersistence, coalesce(c.relacl::text, '') FROM pg_class c "
                 "WHERE c.relnamespace = %(s)s::regnamespace",
    # The logical position, not attnum: a column a migration dropped keeps its attnum slot in the template.
    "columns": "SELECT c.relname, row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum), a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
               "a.attidentity, a.attgenerated, coalesce(pg_get_expr(d.adbin, d.adrelid), ''), "
               "coalesce(a.attcollation::regcollation::text, '') "
               "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
               "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
               "WHERE c.relnamespace = %(s)s::regnamespace AND a.attnum > 0 AND NOT a.attisdropped",
    "indexes": "SELECT indexname, tablename, indexdef FROM pg_indexes WHERE schemaname = %(s)s",
    "constraints": "SELECT conrelid::regclass::text, conname, contype, condeferrable, condeferred, convalidated, "
                   "pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = %(s)s::regnamespace",
    "sequences": "SELECT sequencename, data_type::text, start_value, min_value, max_value, increment_by, cycle, "
                 "cache_size, coalesce(last_value, 0) FROM pg_sequences WHERE schemaname = %(s)s",
    "sequence owners": "SELECT s.relname, t.relname, a.attname, d.deptype FROM pg_depend d "
                       "JOIN pg_class s ON s.oid = d.objid AND d.classid = 'pg_class'::regclass "
                       "JOIN pg_class t ON t.oid = d.refobjid JOIN pg_attribute a ON a.attrelid = t.oid "
                       "AND a.attnum = d.refobjsubid WHERE s.relkind = 'S' AND s.relnamespace = %(s)s::regnamespace",
    "triggers": "SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE c.relnamespace = %(s)s::regnamespace AND NOT t.tgisinternal",
    "functions": "SELECT pg_get_functiondef(p.oid) FROM pg_proc p WHERE p.pronamespace = %(s)s::regnamespace",
    "migrations": 'SELECT app, name FROM "%(bare)s".django_migrations',
}


def _expression(text: str) -> str:
    """An expression as PostgreSQL prints it, without casts, parentheses and spaces. A check rebuilt from its
    own printed form (pg_dump, and clone_schema() alike) prints `x::text = ANY (ARRAY['a'::varchar, …]::text[])`
    where the migration's original prints `ARRAY[('a'::varchar)::text, …]`: the same check, other casts."""
    return re.sub(r"::[a-z ]+(\[\])?|[() ]", "", text)


def schema_definition(schema: str) -> dict[str, list]:
    listing = {}
    with connection.cursor() as cursor:
        for kind, query in CATALOG.items():
            cursor.execute(query.replace("%(bare)s", schema), {"s": schema})
            rows = [tuple(str(v).replace(f'"{schema}".', "S.").replace(f"{schema}.", "S.") for v in row)
                    for row in cursor.fetchall()]
            if kind == "constraints":  # the definition of a check, compared as an expression
                rows = [row[:-1] + (_expression(row[-1]) if row[2] == "c" else row[-1],) for row in rows]
            listing[kind] = sorted(rows)
        cursor.execute("SELECT relname FROM pg_class WHERE relnamespace = %s::regnamespace AND relkind = 'r'",
                       [schema])
        for (table,) in sorted(cursor.fetchall()):  # every table's rows, as text, in a stable order
            cursor.execute(f'SELECT t::text FROM "{schema}"."{table}" t ORDER BY 1')
            listing[f"rows of {table}"] = [row[0] for row in cursor.fetchall()]
    return listing


def test_a_schema_from_the_template_sql_is_identical_to_the_migrated_template():
    result = municipality_provision(code="sigulda", name="Siguldas novads", region="riga")
    assert result.created and result.method == "template" and not result.warning
    made, template = schema_definition("sigulda"), schema_definition(TEMPLATE)
    assert made.keys() == template.keys()
    for kind in template:
        assert made[kind] == template[kind], kind
    # The listings are not empty by accident: the template has its tables, keys, identity sequences, triggers.
    assert len(template["relations"]) > 200 and len(template["sequences"]) > 30
    assert len(template["rows of django_migrations"]) > 50 and template["rows of ledger_fundingsource"]
    assert len(template["triggers"]) >= 4 and len(template["functions"]) >= 2
    # Foreign keys into the public schema still point at public; the schema's own keys at the schema.
    foreign = [row[-1] for row in made["constraints"] if row[2] == "f"]
    assert any("REFERENCES accounts_user(id)" in text for text in foreign)  # public is on the search_path
    assert any("REFERENCES S.people_person(id)" in text for text in foreign)
    with connection.cursor() as cursor:  # nothing of the new schema points into the template
        cursor.execute("SELECT count(*) FROM pg_constraint WHERE connamespace = 'sigulda'::regnamespace "
                       "AND confrelid <> 0 AND confrelid::regclass::text LIKE %s", [f"{TEMPLATE}.%"])
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT count(*) FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid JOIN pg_class c "
                       "ON c.oid = t.tgrelid WHERE c.relnamespace = 'sigulda'::regnamespace "
                       "AND p.pronamespace = %s::regnamespace", [TEMPLATE])
        assert cursor.fetchone()[0] == 0


def test_the_template_sql_is_read_once_per_migration_state():
    template_sql.forget()
    first = template_sql.template_sql(TEMPLATE)
    municipality_provision(code="sigulda", name="Siguldas novads", region="riga")
    municipality_provision(code="cesis", name="Cēsu novads", region="vidzeme")
    assert template_sql.template_sql(TEMPLATE) is first  # both provisioned from the cached DDL
    pre_data, rows, post_data = first.for_schema("cesis")
    assert TEMPLATE not in pre_data + post_data and '"cesis".' in pre_data + post_data
    assert f'FROM "{TEMPLATE}"."django_migrations"' in rows  # the template's rows are copied from it
    with connection.cursor() as cursor:  # a migration recorded on the template makes it read again
        cursor.execute(f"INSERT INTO {TEMPLATE}.django_migrations (app, name, applied) VALUES ('x', 'y', now())")
    assert template_sql.template_sql(TEMPLATE) is not first


def test_a_municipality_made_from_the_template_sql_serves_its_own_host(client_for):
    from portal.budgets.ledger.models import LedgerEntry
    from portal.budgets.people.models import Person
    from tests.factories import make_budget_with_categories, make_person

    municipality_provision(code="sigulda", name="Siguldas novads", region="riga")
    home = client_for("sigulda").get("/")
    assert home.status_code == 200 and "Siguldas novads" in home.content.decode()
    assert client_for("sigulda").get("/healthz").json()["schema"] == "sigulda"
    assert client_for("sigulda").get("/api/v1/search/services/?q=x").status_code == 200
    assert "Siguldas novads" not in client_for(MUNICIPALITY_A).get("/").content.decode()
    connection.set_tenant(connection.tenant.__class__.objects.get(code="sigulda"))
    person = make_person()  # identity keys start where the template's did; a user in public is referenced
    assert person.pk == 1 and Person.objects.count() == 1
    make_budget_with_categories(person, [("respite-care", "100.00")])
    entry = LedgerEntry.objects.first()
    assert entry is not None
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():  # the schema's own trigger
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=0)


def test_without_a_usable_pg_dump_the_template_sql_is_refused_plainly(monkeypatch):
    monkeypatch.setenv("PORTAL_PG_DUMP", "/nonexistent/pg_dump")
    template_sql.forget()
    with pytest.raises(template_sql.TemplateSqlUnavailable, match="pg_dump failed"):
        template_sql.template_sql(TEMPLATE)
