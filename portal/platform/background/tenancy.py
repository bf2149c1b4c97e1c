"""Tasks that work inside one municipality's schema.

A Celery task starts in the public schema (the worker has no request and no Host header). A task
that touches a municipality's data is declared with ``tenant_task`` and is always called with the
schema it is for, ``task.delay(schema_name="jelgava")``; it enters that tenant for the call and leaves
it after, so two calls in one worker process never see each other's municipality.
``each_municipality`` fans one task out to every municipality schema (what beat schedules).
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.db import connection
from django_tenants.utils import tenant_context

from portal.tenants.models import Municipality

from .app import app

def municipality_schemas() -> list[str]:
    """Every municipality's schema (not the national site's public schema, not the template)."""
    connection.set_schema_to_public()
    return list(Municipality.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME)
                .order_by("schema_name").values_list("schema_name", flat=True))


def run_in_schema(schema_name: str, function, *args, **kwargs):
    """Call ``function`` inside the municipality whose schema is ``schema_name``, then go back to public."""
    if not schema_name or schema_name == settings.PUBLIC_SCHEMA_NAME:
        raise ValueError("a tenant task needs a municipality's schema_name")
    connection.set_schema_to_public()
    municipality = Municipality.objects.get(schema_name=schema_name)
    try:
        with tenant_context(municipality):
            return function(*args, **kwargs)
    finally:
        connection.set_schema_to_public()


def tenant_task(name: str, **options):
    """Declare a Celery task that runs ``function`` inside the schema given as ``schema_name=``."""

    def decorate(function):
        @app.task(name=name, **options)
        @functools.wraps(function)
        def task(*args, schema_name: str, **kwargs):
            return run_in_schema(schema_name, function, *args, **kwargs)

        return task

    return decorate


@app.task(name="portal.background.each_municipality")
def each_municipality(task_name: str) -> int:
    """Send ``task_name`` once per municipality schema. Returns how many were sent."""
    schemas = municipality_schemas()
    for schema_name in schemas:
        app.send_task(task_name, kwargs={"schema_name": schema_name}, ignore_result=True)
    return len(schemas)
