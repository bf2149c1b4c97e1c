"""Creating municipalities and keeping every schema migrated.

A new municipality's schema is made from a template schema
(``settings.TENANT_BASE_SCHEMA``), which ``migrate_all`` keeps current after
every migration: the template's DDL, read once per process with pg_dump, is
replayed under the new name (template_sql.py) — many times faster than running
every migration again, and, unlike django-tenants' clone_schema(), it does not
read the whole catalog on every call. When the template is missing or
stale, or its DDL cannot be read, the new schema is migrated instead, and the
caller is told so plainly.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context, schema_exists

from portal.platform.connections import without_pool
from portal.platform.core.errors import Conflict, ValidationFailed

from .models import CODE_VALIDATOR, Domain, Municipality, PlanningRegion
from .template_sql import TemplateSqlUnavailable, create_schema_from_template, migration_key, template_sql

# Codes that would collide with PostgreSQL's own schemas or with our host names.
RESERVED_CODES = frozenset({
    "public", "template", "tenanttemplate", "information", "pg", "www", "api", "admin", "static",
    "media", "mail", "national", "ministry", "lm", "portal",
})
NATIONAL_CODE = "national"
# Migration histories of the template (template_sql.migration_key) this process's code found complete.
_CURRENT_TEMPLATES: set[str] = set()


@dataclass
class ProvisionResult:
    municipality: Municipality
    created: bool
    method: str  # "template", "migrate" or "existing"
    seconds: float
    warning: str = ""


def _say(out, message: str) -> None:
    if out is not None:
        print(message, file=out, flush=True)


def host_for(code: str) -> str:
    return f"{code}.{settings.PORTAL_BASE_DOMAIN}"


def ensure_national_site(*, out=None) -> Municipality:
    """The public schema's own row: the national site on the base domain."""
    national, created = Municipality.objects.get_or_create(
        schema_name=settings.PUBLIC_SCHEMA_NAME,
        defaults={"name": "SBS portāls", "code": NATIONAL_CODE, "region": ""},
    )
    for host, primary in ((settings.PORTAL_BASE_DOMAIN, True), ("127.0.0.1", False)):
        Domain.objects.get_or_create(domain=host, defaults={"tenant": national, "is_primary": primary})
    if created:
        _say(out, _("• National site created on %(host)s") % {"host": settings.PORTAL_BASE_DOMAIN})
    return national


def validate_request(*, code: str, name: str, region: str) -> None:
    """Refuse a bad request before anything is written."""
    errors = {}
    try:
        CODE_VALIDATOR(code)
    except ValidationError as exc:
        errors["code"] = exc.messages[0]
    if not errors and code in RESERVED_CODES:
        errors["code"] = _("“%(code)s” is reserved; choose another short code.") % {"code": code}
    if not name.strip():
        errors["name"] = _("Give the municipality's name.")
    if region not in PlanningRegion.values:
        errors["region"] = _("Unknown planning region “%(region)s”; choose one of: %(choices)s.") % {
            "region": region, "choices": ", ".join(PlanningRegion.values)}
    if errors:
        field, message = next(iter(errors.items()))
        raise ValidationFailed(message, code=f"invalid_{field}", field=field)


def template_state() -> str:
    """'current', 'stale' or 'missing' — is the template schema usable for cloning?"""
    template = settings.TENANT_BASE_SCHEMA
    if not schema_exists(template):
        return "missing"
    key = migration_key(template)
    if key and key in _CURRENT_TEMPLATES:  # this process's code found this migration history complete
        return "current"
    with schema_context(template):
        executor = MigrationExecutor(connection)  # loads every migration module: ~0.6 s here
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan and key:
        _CURRENT_TEMPLATES.add(key)
    return "stale" if plan else "current"


def refresh_template(*, out=None) -> None:
    """Create or migrate the template schema so new municipalities copy a current one."""
    template = settings.TENANT_BASE_SCHEMA
    if not schema_exists(template):
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{template}"')
        _say(out, _("• Template schema created"))
    call_command("migrate_schemas", tenant=True, schema_name=template, interactive=False, verbosity=0)
    connection.set_schema_to_public()
    _say(out, _("• Template schema is current"))


def migrate_all(*, out=None) -> None:
    """Migrate the public schema, then every municipality in parallel, then the template."""
    _say(out, _("• Migrating the national (public) schema …"))
    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    ensure_national_site(out=out)
    tenants = Municipality.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME).count()
    if tenants:
        _say(out, _("• Migrating %(n)d municipality schemas in parallel …") % {"n": tenants})
        with without_pool():  # the executor forks; children must open their own connections
            call_command("migrate_schemas", tenant=True, interactive=False, verbosity=0,
                         executor="multiprocessing")
    refresh_template(out=out)


def municipality_provision(*, code: str, name: str, region: str, extra_hosts: tuple[str, ...] = (),
                           out=None, force_migrate: bool = False, **details) -> ProvisionResult:
    """Create a municipality with its schema and host, or return the existing one unchanged.

    Raises ``ValidationFailed`` for a bad code, name or region and ``Conflict``
    when the code already belongs to another municipality. Idempotent: the same
    request twice creates one municipality. ``force_migrate`` skips the template
    (the benchmark compares both ways).
    """
    code = (code or "").strip().lower()
    name = (name or "").strip()
    validate_request(code=code, name=name, region=region)
    started = time.perf_counter()
    existing = Municipality.objects.filter(code=code).first()
    if existing is not None:
        if existing.name != name:
            raise Conflict(
                _("The short code “%(code)s” already belongs to %(name)s.") % {"code": code, "name": existing.name},
                code="duplicate_code", field="code")
        _ensure_hosts(existing, code, extra_hosts)
        return ProvisionResult(existing, False, "existing", time.perf_counter() - started)
    if Municipality.objects.filter(name__iexact=name).exists():
        raise Conflict(_("A municipality named “%(name)s” already exists.") % {"name": name},
                       code="duplicate_name", field="name")

    state = "forced" if force_migrate else template_state()
    warning = ""
    if state not in ("current", "forced"):
        warning = _("Warning: the template schema is %(state)s, so %(code)s is migrated from scratch (slower). "
                    "Run `portal migrate` to refresh the template.") % {"state": state, "code": code}
        _say(out if out is not None else sys.stderr, warning)
    if state == "current":
        try:
            template_sql(settings.TENANT_BASE_SCHEMA)  # read (or find cached) before the transaction
        except TemplateSqlUnavailable as exc:
            state = "unreadable"
            warning = _("Warning: the template schema's definition could not be read (%(error)s), so %(code)s is "
                        "migrated from scratch (slower).") % {"error": exc, "code": code}
            _say(out if out is not None else sys.stderr, warning)
    method = "template" if state == "current" else "migrate"
    with transaction.atomic():
        municipality = Municipality(schema_name=code, code=code, name=name, region=region, **details)
        municipality.auto_create_schema = False
        municipality.full_clean()
        municipality.save()
        if settings.CITUS_DISTRIBUTE_SCHEMAS:
            _distribute_new_schemas()
        _create_schema(code, method)
        if settings.CITUS_DISTRIBUTE_SCHEMAS:
            _check_distributed(code)
        _ensure_hosts(municipality, code, extra_hosts)
    connection.set_schema_to_public()
    return ProvisionResult(municipality, True, method, time.perf_counter() - started, warning)


def _create_schema(schema: str, method: str) -> None:
    if method == "template":
        create_schema_from_template(schema, settings.TENANT_BASE_SCHEMA)
    else:
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{schema}"')
        call_command("migrate_schemas", tenant=True, schema_name=schema, interactive=False, verbosity=0)


def _distribute_new_schemas() -> None:
    """Citus schema-based sharding (docs/adr/0014): a schema created in this transaction becomes a
    distributed schema — its tables single-shard tables placed together on one worker node."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL citus.enable_schema_based_sharding TO on")


def _check_distributed(schema: str) -> None:
    """Refuse to create a municipality that was meant to be distributed and is not: on PostgreSQL without
    Citus the catalogue ``pg_dist_schema`` does not exist, and the whole provisioning rolls back."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_dist_schema WHERE schemaid = %s::regnamespace", [schema])
        if cursor.fetchone()[0] != 1:
            raise RuntimeError(f"schema {schema} was not distributed by Citus")


def _ensure_hosts(municipality: Municipality, code: str, extra_hosts) -> None:
    hosts = [host_for(code), *extra_hosts]
    for index, host in enumerate(hosts):
        Domain.objects.get_or_create(domain=host, defaults={"tenant": municipality, "is_primary": index == 0})
