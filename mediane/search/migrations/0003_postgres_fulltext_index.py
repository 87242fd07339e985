"""PostgreSQL only: unaccent, the french_unaccent configuration, the weighted tsvector column
and its GIN index (no-op on other databases)."""

from django.db import migrations

CREATE_SQL = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    # unaccent() is only STABLE; a generated column needs an IMMUTABLE function.
    """
    CREATE OR REPLACE FUNCTION mediane_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT unaccent('unaccent'::regdictionary, $1) $$
    """,
    """
    DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'french_unaccent') THEN
            CREATE TEXT SEARCH CONFIGURATION french_unaccent (COPY = french);
            ALTER TEXT SEARCH CONFIGURATION french_unaccent
                ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
        END IF;
    END $$
    """,
    # A (title), B (keywords), C (body): French stems; D: unstemmed title words for prefixes.
    """
    ALTER TABLE search_searchentry ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('french_unaccent'::regconfig, coalesce(title, '')), 'A')
        || setweight(to_tsvector('french_unaccent'::regconfig, coalesce(keywords, '')), 'B')
        || setweight(to_tsvector('french_unaccent'::regconfig, coalesce(body, '')), 'C')
        || setweight(
            to_tsvector('simple'::regconfig, mediane_unaccent(lower(coalesce(title, '')))), 'D'
        )
    ) STORED
    """,
    "CREATE INDEX search_entry_vector_gin ON search_searchentry USING gin (search_vector)",
]
DROP_SQL = [
    "DROP INDEX IF EXISTS search_entry_vector_gin",
    "ALTER TABLE search_searchentry DROP COLUMN IF EXISTS search_vector",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in CREATE_SQL:
            schema_editor.execute(sql)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in DROP_SQL:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("search", "0002_sqlite_fts5_index")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
