"""SQLite only: the FTS5 table of the search index (no-op on other databases).

Columns hold text stemmed in Python (mediane.search.query); rowid is SearchEntry.id.
"""

from django.db import migrations

CREATE_SQL = """
CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(
    title, keywords, body, prefix,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3',
    detail = column
)
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(CREATE_SQL)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS search_fts")


class Migration(migrations.Migration):
    dependencies = [("search", "0001_search_entry")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
