"""`mediane demo`, labels part: Lourdes is evaluated from what the other demo steps created
(diagnostic, Plan Avenir Lourdes, SCDL dataset, challenges, pooled project), meets every
criterion and is labelled by the secretariat; a second load changes nothing."""

from __future__ import annotations

import pytest

from mediane.labels import selectors
from mediane.labels.models import Label, LabelEvaluation
from tests.demo.loading import run_demo

pytestmark = pytest.mark.django_db


def test_lourdes_is_the_labelled_city(demo_loaded):
    evaluation = LabelEvaluation.objects.get(organisation__name="Ville de Lourdes")
    failed = [r["title"] + " : " + r["summary"] for r in evaluation.results if not r["passed"]]
    assert failed == []
    assert evaluation.status == "confirmed" and evaluation.is_demo
    [label] = selectors.labelled_cities()
    assert label.organisation.name == "Ville de Lourdes"
    assert label.evaluation == evaluation
    by_kind = {r["kind"]: r for r in evaluation.results}
    assert "Plan Avenir Lourdes" in by_kind["plan_covers_weak"]["evidence"][0]["text"]
    assert (
        "Subventions aux associations 2025"
        in by_kind["public_dataset_schema"]["evidence"][0]["text"]
    )


def test_second_load_changes_nothing(demo_loaded):
    before = (LabelEvaluation.objects.count(), Label.objects.count())
    run_demo()
    assert (LabelEvaluation.objects.count(), Label.objects.count()) == before
