"""Permission rules of labels (`core.permissions.rule`).

Evaluations (their results and evidence) are read by the city's members and the secretariat;
the city's editors and administrators (or the secretariat for it) request one; only the
secretariat confirms or refuses. Labels are public (list, verification page, badge); the
certificate PDF is for the city's members and the secretariat.
"""

from __future__ import annotations

from typing import Any

from mediane.core.permissions import has_role, is_secretariat, rule
from mediane.labels.models import Label, LabelEvaluation


@rule(LabelEvaluation, "view")
def evaluation_view(user: Any, evaluation: LabelEvaluation) -> bool:
    return is_secretariat(user) or has_role(user, evaluation.organisation_id, "member")


@rule(LabelEvaluation, "create")
def evaluation_create(user: Any, evaluation: LabelEvaluation) -> bool:
    return is_secretariat(user) or has_role(user, evaluation.organisation_id, "editor")


@rule(LabelEvaluation, "confirm", "refuse")
def evaluation_decide(user: Any, evaluation: LabelEvaluation) -> bool:
    return is_secretariat(user)


@rule(Label, "view")
def label_view(user: Any, label: Label) -> bool:
    return True


@rule(Label, "certificate")
def label_certificate(user: Any, label: Label) -> bool:
    return is_secretariat(user) or has_role(user, label.organisation_id, "member")
