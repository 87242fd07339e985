"""The labels part of the demo network, created through the real services.

Lourdes asks for the label « ville numérique engagée »: its editor requests an evaluation, which
the services compute from what the other demo steps created (its validated diagnostic, Plan
Avenir Lourdes, its public subsidies dataset following the SCDL schema, its challenges and pooled
projects); when every criterion is met the secretariat confirms it, and Lourdes becomes the
demo's labelled city (certificate, badge, public list). Nothing is hard-coded: if a criterion is
not met, the evaluation stays waiting for the secretariat with its evidence.
"""

from __future__ import annotations

from typing import Any

from mediane.labels import services
from mediane.labels.criteria import seed_default_criteria
from mediane.labels.models import LabelCriterion, LabelEvaluation

CITY = "Ville de Lourdes"


def load_labels(loader: Any) -> None:
    """Evaluate Lourdes and confirm its label when every criterion is met (idempotent: nothing
    is done once Lourdes has an evaluation)."""
    city = loader.organisations.get(CITY)
    editor = loader.users.get("city_editor")
    secretariat = loader.users.get("secretariat")
    if city is None or editor is None or secretariat is None:
        return
    if not LabelCriterion.objects.exists():
        # The criteria come with a migration; a database flushed since (transactional tests)
        # has none: seed the defaults again so that the demo can be evaluated.
        seed_default_criteria(LabelCriterion)
    if LabelEvaluation.objects.filter(organisation=city).exists():
        loader.report.existing["évaluations pour le label"] += 1
        return
    evaluation = services.evaluation_request(actor=editor, organisation=city, is_demo=True)
    loader.report.created["évaluations pour le label"] += 1
    if evaluation.all_passed:
        services.evaluation_confirm(actor=secretariat, evaluation=evaluation)
        loader.report.created["labels"] += 1
