"""Generation numbers the in-memory search index checks before each search (see ``search.memory``).

A statement trigger bumps ``docs`` on every write to the search documents;
the approvals tables of each municipality bump their schema's row (their
migration adds the triggers). Values come from a sequence, which a rollback
does not rewind, so a rolled-back change never leaves a number that was
already seen with other data.
"""

from django.db import migrations

FORWARD = """
CREATE SEQUENCE public.search_generation_seq;
CREATE TABLE public.search_generation (key varchar(63) PRIMARY KEY, value bigint NOT NULL);
CREATE FUNCTION public.search_generation_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.search_generation (key, value)
    VALUES (COALESCE(TG_ARGV[0], TG_TABLE_SCHEMA), nextval('public.search_generation_seq'))
    ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value;
    RETURN NULL;
END $$;
CREATE TRIGGER search_document_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON public.search_searchdocument
    FOR EACH STATEMENT EXECUTE FUNCTION public.search_generation_bump('docs');
"""

BACKWARD = """
DROP TRIGGER IF EXISTS search_document_changed ON public.search_searchdocument;
DROP FUNCTION IF EXISTS public.search_generation_bump() CASCADE;
DROP TABLE IF EXISTS public.search_generation;
DROP SEQUENCE IF EXISTS public.search_generation_seq;
"""


class Migration(migrations.Migration):
    dependencies = [("search", "0002_search_terms")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
