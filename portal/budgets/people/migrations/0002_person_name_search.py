"""Accent- and case-insensitive name search served by a trigram index."""

import django.contrib.postgres.indexes
import portal.budgets.people.models
from django.conf import settings
from django.db import migrations

# In the public schema (where unaccent and pg_trgm live), so indexes in every municipality's schema — also in
# one cloned from the template — refer to the same function. IMMUTABLE: the unaccent dictionary is fixed.
FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION public.people_fold(value text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT upper(public.unaccent('public.unaccent'::regdictionary, value)) $$;
CREATE OR REPLACE FUNCTION public.people_search_name(first_name text, last_name text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT public.people_fold(coalesce(first_name, '') || ' ' || coalesce(last_name, '')) $$;
"""


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0001_initial'),
        ('core', '0002_extensions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # No reverse: other municipalities' schemas may still use the functions.
        migrations.RunSQL(FUNCTIONS, reverse_sql=migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name='person',
            index=django.contrib.postgres.indexes.GinIndex(django.contrib.postgres.indexes.OpClass(portal.budgets.people.models.SearchName('first_name', 'last_name'), name='gin_trgm_ops'), name='people_person_name_trgm'),
        ),
    ]
