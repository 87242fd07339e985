"""The quality score: each part can be lost, and the advice says how to get it back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mediane.datahub.quality import QualityInput, quality

NOW = datetime(2026, 11, 27, tzinfo=UTC)


def complete(**changes) -> QualityInput:
    values = dict(
        title="Subventions",
        description="x" * 100,
        themes=["ECON"],
        keywords=["subventions"],
        has_territory=True,
        has_temporal=True,
        contact_name="Service données",
        contact_email="donnees@lourdes.fr",
        frequency="ANNUAL",
        frequency_days=400,
        open_licence=True,
        has_schema=True,
        valid=True,
        last_version_at=NOW - timedelta(days=10),
        now=NOW,
    )
    values.update(changes)
    return QualityInput(**values)


def test_a_complete_fresh_valid_open_dataset_scores_100():
    result = quality(complete())
    assert result.score == 100 and not result.advice


def test_each_part_costs_points_with_advice():
    assert quality(complete(open_licence=False)).parts["licence"] == 0
    assert quality(complete(valid=False)).parts["schema"] == 10
    assert quality(complete(has_schema=False)).parts["schema"] == 0
    stale = quality(complete(last_version_at=NOW - timedelta(days=500)))
    assert stale.parts["freshness"] == 5 and any("500 jours" in a for a in stale.advice)
    assert quality(complete(last_version_at=None)).parts["freshness"] == 0
    sparse = quality(complete(description="court", themes=[], keywords=[], contact_email=""))
    assert sparse.parts["metadata"] < 25 and len(sparse.advice) == 4
