"""Approvals changes bump this municipality's search generation (``search.memory`` reloads its scope)."""

from django.db import migrations

TABLES = ("approvals_serviceapproval", "approvals_providerapproval")
FORWARD = "".join(
    f"CREATE TRIGGER {table}_search AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}"
    f" FOR EACH STATEMENT EXECUTE FUNCTION public.search_generation_bump();\n" for table in TABLES)
BACKWARD = "".join(f"DROP TRIGGER IF EXISTS {table}_search ON {table};\n" for table in TABLES)


class Migration(migrations.Migration):
    dependencies = [("approvals", "0001_initial"), ("search", "0003_generation")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
