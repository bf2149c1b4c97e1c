"""The portal's backend lists a schema's tables as django-tenants' does, without reading every schema's."""

import pytest
from django.db import connection
from django_tenants.postgresql_backend.introspection import DatabaseSchemaIntrospection

from portal.platform.db_backend.introspection import SchemaIntrospection

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("schema", ["public", "jelgava", "tenant_template"])
def test_the_table_list_of_a_schema_is_the_one_django_tenants_gives(schema):
    from portal.tenants.models import Municipality

    assert isinstance(connection.introspection, SchemaIntrospection)
    if schema == "public":
        connection.set_schema_to_public()
    elif schema == "jelgava":
        connection.set_tenant(Municipality.objects.get(code=schema))
    else:
        connection.set_schema(schema)
    with connection.cursor() as cursor:
        ours = sorted(connection.introspection.get_table_list(cursor))
        theirs = sorted(DatabaseSchemaIntrospection(connection).get_table_list(cursor))
        cursor.execute("SHOW search_path")
        after = cursor.fetchone()[0]
    assert ours == theirs
    names = {table.name for table in ours}
    assert "django_migrations" in names  # what `portal migrate` asks for, in every schema
    assert ("accounts_user" in names) == (schema == "public")  # public's tables only in public
    assert ("people_person" in names) == (schema != "public")
    assert schema in after or schema == "public"  # the search path is given back
