"""SQLite only: rebuild the FTS5 table with full detail (faster bm25) and a `meta` column
holding kind, visibility and owner tokens, so filters and counts run inside the index.
Existing entries are re-indexed from search_searchentry (no-op on other databases)."""

from itertools import islice

from django.db import migrations

CREATE_SQL = """
CREATE VIRTUAL TABLE search_fts USING fts5(
    title, keywords, body, prefix, meta,
    tokenize = "unicode61 remove_diacritics 2 tokenchars '_'",
    prefix = '2 3'
)
"""


def rebuild(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    from mediane.search.backends.sqlite import meta_text
    from mediane.search.query import raw_text, stemmed_text

    schema_editor.execute("DROP TABLE IF EXISTS search_fts")
    schema_editor.execute(CREATE_SQL)
    SearchEntry = apps.get_model("search", "SearchEntry")
    entries = SearchEntry.objects.order_by("pk").iterator(chunk_size=2000)
    with schema_editor.connection.cursor() as cursor:
        while batch := list(islice(entries, 2000)):
            cursor.executemany(
                "INSERT INTO search_fts (rowid, title, keywords, body, prefix, meta) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                [
                    (
                        e.pk,
                        stemmed_text(e.title),
                        stemmed_text(e.keywords),
                        stemmed_text(e.body),
                        raw_text(e.title),
                        meta_text(e.kind, e.visibility, e.owner_id),
                    )
                    for e in batch
                ],
            )


class Migration(migrations.Migration):
    dependencies = [("search", "0003_postgres_fulltext_index")]
    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop, elidable=False)]
