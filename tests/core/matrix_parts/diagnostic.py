"""Permission-matrix rows of diagnostic (mediane/diagnostic/rules.py): a diagnostic of O in each
status, O seen as a city (and as a non-city) for starting one, and the questionnaire."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from mediane.diagnostic.models import Diagnostic, QuestionnaireVersion
from mediane.directory.models import Organisation
from tests.core.matrix_roles import (
    EVERYONE,
    NOBODY,
    O_ADMIN,
    O_EDITORS,
    O_MEMBERS,
    STAFF,
)

SUPERUSER = frozenset({"superuser"})


def _row(*, answer: frozenset[str], review: frozenset[str]) -> dict[str, frozenset[str]]:
    return {
        "view": O_MEMBERS | STAFF,
        "export": O_MEMBERS | STAFF,
        "answer": answer,
        "submit": answer,
        "validate": review,
        "send_back": review,
        "set_sharing": O_ADMIN | STAFF,
    }


EXPECTED: dict[str, tuple[type, dict[str, frozenset[str]]]] = {
    "questionnaire_version": (QuestionnaireVersion, {"view": EVERYONE}),
    # In progress: O's editors and admins answer; nobody reviews before submission.
    "diagnostic_draft_of_o": (Diagnostic, _row(answer=O_EDITORS | STAFF, review=SUPERUSER)),
    # Submitted: frozen for answers; O's admin or the secretariat validates or sends back.
    "diagnostic_submitted_of_o": (Diagnostic, _row(answer=SUPERUSER, review=O_ADMIN | STAFF)),
    "diagnostic_validated_of_o": (Diagnostic, _row(answer=SUPERUSER, review=SUPERUSER)),
    "organisation_city_for_diagnostic": (
        Organisation,
        {"start_diagnostic": O_EDITORS | STAFF},
    ),
    # Only cities have a diagnostic.
    "organisation_not_city_for_diagnostic": (
        Organisation,
        {"start_diagnostic": SUPERUSER | NOBODY},
    ),
}


def objects(o: Any, other: Any, users: dict[str, Any]) -> dict[str, Any]:
    version = QuestionnaireVersion.objects.create(code="matrix", title="Matrice", is_published=True)
    now = timezone.now()
    city = Organisation.objects.get(pk=o.pk)
    city.kind = "collectivite"  # O seen as a city by the rule; its memberships are unchanged
    not_city = Organisation.objects.get(pk=o.pk)
    not_city.kind = "pme"

    def diagnostic(year: int, status: str) -> Diagnostic:
        return Diagnostic.objects.create(
            organisation=o,
            year=year,
            version=version,
            status=status,
            validated_at=now if status == "validated" else None,
        )

    return {
        "questionnaire_version": version,
        "diagnostic_draft_of_o": diagnostic(2025, "draft"),
        "diagnostic_submitted_of_o": diagnostic(2024, "submitted"),
        "diagnostic_validated_of_o": diagnostic(2023, "validated"),
        "organisation_city_for_diagnostic": city,
        "organisation_not_city_for_diagnostic": not_city,
    }
