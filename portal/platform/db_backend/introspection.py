"""Listing the current schema's tables without reading the whole catalog.

Django's PostgreSQL ``get_table_list`` evaluates ``pg_table_is_visible()`` for every row of ``pg_class``;
django-tenants runs it with ``search_path`` set to one schema. `portal migrate` asks it four times per
schema (``MigrationRecorder.has_table``), so with ~330 catalog rows per municipality the migrate loop grew
with the square of the schema count: at ~400 schemas the four listings were 0.8 s of a 1.9 s schema
(docs/scale.md, "Schemas, measured"). Here the same listing finds the schema's relations through their
dependency on its namespace (an index look-up) — with ``search_path`` holding that one schema, "visible"
and "in that namespace" are the same tables.
"""

from django.db.backends.postgresql.introspection import TableInfo
from django_tenants.postgresql_backend.introspection import (
    DatabaseSchemaIntrospection,
    DatabaseSchemaIntrospectionSearchPathContext,
)

# Every relation but an index or a TOAST table records a dependency on its namespace in pg_depend, whose
# index on the referenced object finds one schema's relations without scanning pg_class (which has no
# index on the namespace alone).
TABLES_OF_CURRENT_SCHEMAS = """
    SELECT c.relname,
           CASE WHEN c.relispartition THEN 'p' WHEN c.relkind IN ('m', 'v') THEN 'v' ELSE 't' END,
           obj_description(c.oid, 'pg_class')
    FROM pg_catalog.pg_depend d
    JOIN pg_catalog.pg_class c ON c.oid = d.objid
    WHERE d.classid = 'pg_catalog.pg_class'::regclass
      AND d.refclassid = 'pg_catalog.pg_namespace'::regclass
      AND d.refobjid IN (SELECT n.oid FROM pg_catalog.pg_namespace n
                         WHERE n.nspname = ANY (current_schemas(false))
                           AND n.nspname NOT IN ('pg_catalog', 'pg_toast'))
      AND d.objsubid = 0
      AND c.relkind IN ('f', 'm', 'p', 'r', 'v')
"""


class SchemaIntrospection(DatabaseSchemaIntrospection):
    def get_table_list(self, cursor):
        with DatabaseSchemaIntrospectionSearchPathContext(cursor=cursor, connection=self.connection):
            cursor.execute(TABLES_OF_CURRENT_SCHEMAS)
            return [TableInfo(*row) for row in cursor.fetchall() if row[0] not in self.ignored_tables]
