"""Search: one interface, a full-text backend per database (SQLite FTS5, PostgreSQL).

Indexing (write services of every app, inside their transaction)::

    from mediane.search.services import SearchDocument, index_document, remove_document
    index_document(SearchDocument(kind="organisation", object_id=org.pk, title=org.name, ...))

Rebuilding: each app calls `register_indexer(kind, iter_documents)` in `AppConfig.ready()`;
`mediane reindex [--kind KIND]` rebuilds from those.

Reading: `selectors.search(user=..., query=...)` for the global search,
`selectors.autocomplete(...)` for suggestions, and `selectors.search_filter_queryset(qs, ...)`
to restrict and rank another app's queryset. See docs/search.md.
"""
