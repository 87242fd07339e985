"""The diagnostic demo: seven cities, two years for Lourdes and Nevers, created by the services."""

from __future__ import annotations

import pytest
from django.utils import timezone

from mediane.diagnostic import selectors
from mediane.diagnostic.models import Diagnostic
from mediane.directory.models import Organisation

pytestmark = pytest.mark.django_db


def test_demo_diagnostics(demo_loaded):
    year = timezone.now().year
    names = set(Diagnostic.objects.values_list("organisation__name", flat=True))
    assert len(names) == 7
    lourdes = Organisation.objects.get(name="Ville de Lourdes")
    assert set(lourdes.diagnostics.values_list("year", flat=True)) == {year - 1, year}
    assert set(
        Organisation.objects.get(name="Ville de Nevers").diagnostics.values_list("year", flat=True)
    ) == {year - 1, year}
    latest = selectors.latest_validated(lourdes)
    assert latest is not None and latest.year == year
    levels = selectors.dimension_levels(latest)
    assert levels["D5"] < 3 and sum(1 for v in levels.values() if v >= 3) >= 5
    assert selectors.result_of(latest).not_applicable == {"2.2", "2.4"}
    assert selectors.network_stats().available
    nevers = Organisation.objects.get(name="Ville de Nevers").diagnostics.get(year=year)
    assert nevers.status == "draft" and not selectors.result_of(nevers).complete


def test_a_second_load_changes_nothing(demo_loaded):
    from tests.demo.loading import run_demo

    before = Diagnostic.objects.count()
    run_demo()
    assert Diagnostic.objects.count() == before == 9
