"""Permission rules of the diagnostic (`core.permissions.rule`).

- The questionnaire (its versions, dimensions, questions and anchors) is public: it is the
  network's method, read by anyone.
- A diagnostic is read by its city's people (member, editor, administrator) and the secretariat;
  nobody else reads a city's answers. Other cities see only anonymous network figures, and the
  city's name only when it chose to share it (see `selectors.network_cities`).
- Answering is for the city's editors and administrators while the diagnostic is in progress
  (members read it): several of them may contribute, each answer records who and when. They
  also submit it for validation.
- Validating or sending back a submitted diagnostic is for the city's administrators and the
  secretariat. Choosing whether the city's name is shown to other cities is for the city's
  administrators (and the secretariat), at any status.
- Starting a diagnostic is for the editors and administrators of a city (an organisation of
  kind `collectivite`) and the secretariat.
"""

from __future__ import annotations

from typing import Any

from mediane.core.permissions import has_role, is_secretariat, role_in, rule
from mediane.diagnostic.models import Diagnostic, DiagnosticStatus, QuestionnaireVersion
from mediane.directory.models import Organisation, OrganisationKind


@rule(QuestionnaireVersion, "view")
def questionnaire_view(user: Any, version: QuestionnaireVersion) -> bool:
    return True


@rule(Diagnostic, "view", "export")
def diagnostic_view(user: Any, diagnostic: Diagnostic) -> bool:
    return is_secretariat(user) or role_in(user, diagnostic.organisation_id) is not None  # type: ignore[attr-defined]


@rule(Diagnostic, "answer", "submit")
def diagnostic_answer(user: Any, diagnostic: Diagnostic) -> bool:
    if diagnostic.status != DiagnosticStatus.DRAFT:
        return False
    return is_secretariat(user) or has_role(user, diagnostic.organisation_id, "editor")  # type: ignore[attr-defined]


@rule(Diagnostic, "validate", "send_back")
def diagnostic_review(user: Any, diagnostic: Diagnostic) -> bool:
    if diagnostic.status != DiagnosticStatus.SUBMITTED:
        return False
    return is_secretariat(user) or has_role(user, diagnostic.organisation_id, "admin")  # type: ignore[attr-defined]


@rule(Diagnostic, "set_sharing")
def diagnostic_sharing(user: Any, diagnostic: Diagnostic) -> bool:
    return is_secretariat(user) or has_role(user, diagnostic.organisation_id, "admin")  # type: ignore[attr-defined]


@rule(Organisation, "start_diagnostic")
def organisation_start_diagnostic(user: Any, organisation: Organisation) -> bool:
    if organisation.kind != OrganisationKind.COLLECTIVITE:
        return False
    return is_secretariat(user) or has_role(user, organisation.pk, "editor")
