"""Twinning agreements in the search index (kind "twinning_agreement"): only signed or ended
agreements, which are public; a proposal is not indexed."""

from __future__ import annotations

from collections.abc import Iterable

from mediane.search.services import (
    SearchDocument,
    index_document,
    register_indexer,
    remove_document,
)

KIND = "twinning_agreement"


def document(agreement) -> SearchDocument:  # type: ignore[no-untyped-def]
    return SearchDocument(
        kind=KIND,
        object_id=agreement.pk,
        title=agreement.title,
        body=f"{agreement.scope}\n{agreement.programme}",
        keywords=f"jumelage incubateur {agreement.first.name} {agreement.second.name}",
        visibility="public",
        url=agreement.get_absolute_url(),
    )


def index(agreement) -> None:  # type: ignore[no-untyped-def]
    from mediane.incubation.models import AgreementStatus

    if agreement.status == AgreementStatus.PROPOSED:
        remove_document(kind=KIND, object_id=agreement.pk)
    else:
        index_document(document(agreement))


def _all() -> Iterable[SearchDocument]:
    from mediane.incubation.models import AgreementStatus, TwinningAgreement

    agreements = TwinningAgreement.objects.exclude(status=AgreementStatus.PROPOSED)
    for agreement in agreements.select_related("first", "second").iterator(chunk_size=500):
        yield document(agreement)


def register() -> None:
    register_indexer(KIND, _all)
