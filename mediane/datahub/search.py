"""Datasets in the search index (kind "dataset"): title, description, keywords, themes,
organisation and territory, with the dataset's access level so that the search service never
shows a members-only or private dataset to someone who may not read it."""

from __future__ import annotations

from collections.abc import Iterable

from mediane.core.models import choice_label
from mediane.search.services import SearchDocument, index_document, register_indexer

KIND = "dataset"


def document(dataset) -> SearchDocument:  # type: ignore[no-untyped-def]
    from mediane.datahub.models import Theme

    keywords = [*dataset.keywords, *(choice_label(Theme, t) for t in dataset.themes)]
    keywords.append(dataset.organisation.name)
    if dataset.territory_id:
        keywords.append(dataset.territory.name)
    if dataset.schema_id:
        keywords.append(dataset.schema.title)
    return SearchDocument(
        kind=KIND,
        object_id=dataset.pk,
        title=dataset.title,
        body=dataset.description,
        keywords=" ".join(str(k) for k in keywords),
        visibility=dataset.visibility,
        owner_id=dataset.organisation_id,
        url=dataset.get_absolute_url(),
    )


def index(dataset) -> None:  # type: ignore[no-untyped-def]
    index_document(document(dataset))


def _all() -> Iterable[SearchDocument]:
    from mediane.datahub.models import Dataset

    for dataset in Dataset.objects.select_related("organisation", "territory", "schema").iterator(
        chunk_size=500
    ):
        yield document(dataset)


def register() -> None:
    register_indexer(KIND, _all)
