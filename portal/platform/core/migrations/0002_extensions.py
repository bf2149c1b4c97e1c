from django.contrib.postgres.operations import BtreeGistExtension, CreateExtension, TrigramExtension, UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    """Extensions live in the public schema, which is on every municipality's search path."""

    dependencies = [("core", "0001_initial")]

    operations = [
        UnaccentExtension(),
        TrigramExtension(),
        BtreeGistExtension(),
        CreateExtension("citext"),
    ]
