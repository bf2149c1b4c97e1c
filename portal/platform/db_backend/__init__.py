"""The portal's database backend: django-tenants' PostgreSQL backend, with a table listing that reads only
the current schema's catalog entries (introspection.py)."""
