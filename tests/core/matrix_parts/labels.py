"""Permission-matrix rows of this app: one object per key, built by `objects(o, other, users)`.

O is a city with a pending evaluation and a label awarded on an earlier, confirmed one.
Evaluations are read by O's members and the secretariat, requested by O's editors and admin (or
the secretariat), decided by the secretariat only; labels are public, their certificate is for
O's members and the secretariat.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from mediane.labels.models import Label, LabelEvaluation
from tests.core.matrix_roles import EVERYONE, O_EDITORS, O_MEMBERS, STAFF

EVALUATION_ROW = {
    "view": O_MEMBERS | STAFF,
    "create": O_EDITORS | STAFF,
    "confirm": STAFF,
    "refuse": STAFF,
}

EXPECTED: dict[str, tuple[type, dict[str, frozenset[str]]]] = {
    "label_evaluation_pending": (LabelEvaluation, EVALUATION_ROW),
    "label_evaluation_confirmed": (LabelEvaluation, EVALUATION_ROW),
    "label": (Label, {"view": EVERYONE, "certificate": O_MEMBERS | STAFF}),
}


def objects(o: Any, other: Any, users: dict[str, Any]) -> dict[str, Any]:
    now = timezone.now()
    confirmed = LabelEvaluation.objects.create(
        organisation=o,
        status="confirmed",
        evaluated_at=now - timedelta(days=10),
        decided_at=now - timedelta(days=9),
        results=[],
    )
    pending = LabelEvaluation.objects.create(organisation=o, evaluated_at=now, results=[])
    label = Label.objects.create(
        organisation=o,
        evaluation=confirmed,
        valid_from=timezone.localdate(),
        valid_until=timezone.localdate() + timedelta(days=365),
        awarded_at=now,
    )
    return {
        "label_evaluation_pending": pending,
        "label_evaluation_confirmed": confirmed,
        "label": label,
    }
