"""``ENGINE = "portal.platform.db_backend"``: django-tenants' backend with ``SchemaIntrospection``."""

from django_tenants.postgresql_backend.base import DatabaseWrapper as TenantDatabaseWrapper

from .introspection import SchemaIntrospection


class DatabaseWrapper(TenantDatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.introspection = SchemaIntrospection(self)
