"""Helpers shared by the market and cooperation: facets, stored-file downloads, page URLs and the
currency of amounts."""

from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import InMemoryStorage
from django.http import Http404

from mediane.core.facets import Facet, FacetOption, counted_facet
from mediane.core.files import stored_file_response
from mediane.core.models import Currency, url_or_empty


def test_counted_facet_checks_the_selected_values():
    facet = counted_facet("sector", "Secteur", [("eau", "Eau", 3), ("sport", "Sport", 1)], {"eau"})
    assert facet == Facet(
        "sector",
        "Secteur",
        [FacetOption("eau", "Eau", 3, True), FacetOption("sport", "Sport", 1, False)],
    )


def test_stored_file_is_downloaded_unsniffed_and_a_missing_one_is_404():
    storage = InMemoryStorage()
    name = storage.save("cooperation/abc/compte-rendu.pdf", ContentFile(b"%PDF-1.4"))
    stored = SimpleNamespace(
        file=SimpleNamespace(name=name, open=lambda mode: storage.open(name, mode)),
        content_type="application/pdf",
    )
    response = stored_file_response(stored, fallback_name="document")
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert 'attachment; filename="compte-rendu.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == b"%PDF-1.4"

    def gone(mode: str) -> None:
        raise FileNotFoundError(name)

    with pytest.raises(Http404):
        stored_file_response(
            SimpleNamespace(file=SimpleNamespace(name=name, open=gone), content_type="x/y"),
            fallback_name="document",
        )


def test_url_or_empty_and_one_currency():
    from mediane.cooperation.models import Currency as ProjectCurrency
    from mediane.market.models import Currency as ChallengeCurrency
    from mediane.solutions.models import Currency as SolutionCurrency

    assert url_or_empty("cooperation:proposals")
    assert url_or_empty("no-such:page", slug="x") == ""
    assert ProjectCurrency is ChallengeCurrency is SolutionCurrency is Currency
    assert Currency.values == ["EUR", "CAD"]
