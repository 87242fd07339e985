"""Reads of the diagnostic, permission-checked: pages, API, PDF and other apps call these.

Stable interface for other apps (the label's criteria):
- `latest_validated(organisation) -> Diagnostic | None`
- `dimension_levels(diagnostic) -> dict[str, float]` (dimension code "D1"… → score 1–5, absent
  when not applicable).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from mediane.core.errors import NotFound
from mediane.core.permissions import is_secretariat, require, user_roles
from mediane.diagnostic import scoring
from mediane.diagnostic.models import (
    Answer,
    Diagnostic,
    DiagnosticStatus,
    Dimension,
    Question,
    QuestionKind,
    QuestionnaireVersion,
)
from mediane.directory.models import Organisation, OrganisationKind


class DiagnosticNotFound(NotFound, Http404):
    code = "not_found"


# --- questionnaire ---------------------------------------------------------------------------


def current_version() -> QuestionnaireVersion | None:
    """The published version new diagnostics answer (the highest code)."""
    return QuestionnaireVersion.objects.filter(is_published=True).order_by("-code").first()


def dimensions_of(version: QuestionnaireVersion) -> list[Dimension]:
    return list(
        version.dimensions.order_by("order").prefetch_related(
            Prefetch("questions", queryset=Question.objects.order_by("order"))
        )
    )


def question_specs(version: QuestionnaireVersion) -> list[scoring.QuestionSpec]:
    specs = []
    for question in (
        Question.objects.filter(version=version)
        .select_related("dimension")
        .order_by("dimension__order", "order")
    ):
        bands = question.indicator_bands or {}
        perso = question.personalisation or {}
        specs.append(
            scoring.QuestionSpec(
                code=question.code,
                dimension=question.dimension.code,
                kind=question.kind,
                bands=bands.get("bands", {}),
                higher_is_better=bool(bands.get("higher_is_better", True)),
                not_applicable=perso.get("not_applicable", {}),
            )
        )
    return specs


# --- scores ----------------------------------------------------------------------------------


def band_of(diagnostic: Diagnostic) -> str:
    return scoring.size_band(diagnostic.population)


def answer_specs(diagnostic: Diagnostic) -> dict[str, scoring.AnswerSpec]:
    return {
        code: scoring.AnswerSpec(level=level, value=value, choice=choice)
        for code, level, value, choice in Answer.objects.filter(diagnostic=diagnostic).values_list(
            "question__code", "level", "value", "choice"
        )
    }


def result_of(diagnostic: Diagnostic) -> scoring.Result:
    """The scores of a diagnostic (no permission check: callers hold the diagnostic already)."""
    return scoring.score(
        question_specs(diagnostic.version), answer_specs(diagnostic), band=band_of(diagnostic)
    )


def dimension_levels(diagnostic: Diagnostic) -> dict[str, float]:
    """Dimension code → score 1–5 of the diagnostic; a not-applicable dimension is absent."""
    return dict(result_of(diagnostic).dimensions)


def latest_validated(organisation: Organisation) -> Diagnostic | None:
    """The city's validated diagnostic of the latest year, or None."""
    return (
        Diagnostic.objects.filter(organisation=organisation, status=DiagnosticStatus.VALIDATED)
        .select_related("version", "organisation")
        .order_by("-year")
        .first()
    )


# --- diagnostics a user may read -------------------------------------------------------------


def diagnostics_visible(user: Any) -> QuerySet[Diagnostic]:
    qs = Diagnostic.objects.select_related("organisation", "version")
    if is_secretariat(user):
        return qs
    return qs.filter(organisation_id__in=list(user_roles(user)))


def diagnostics_mine(user: Any) -> QuerySet[Diagnostic]:
    """Diagnostics of the user's own cities (the secretariat's list has every city)."""
    return diagnostics_visible(user).order_by("organisation__name", "-year")


def diagnostic_get_for(user: Any, *, pk: int) -> Diagnostic:
    diagnostic = diagnostics_visible(user).filter(pk=pk).first()
    if diagnostic is None:
        raise DiagnosticNotFound(_("Ce diagnostic n'existe pas ou ne vous est pas accessible."))
    require(user, "view", diagnostic)
    return diagnostic


def history_of(user: Any, diagnostic: Diagnostic) -> list[Diagnostic]:
    """Every diagnostic of the same city the user may read, oldest first."""
    return list(
        diagnostics_visible(user)
        .filter(organisation_id=diagnostic.organisation_id)
        .order_by("year")
    )


def previous_validated(diagnostic: Diagnostic) -> Diagnostic | None:
    return (
        Diagnostic.objects.filter(
            organisation_id=diagnostic.organisation_id,
            status=DiagnosticStatus.VALIDATED,
            year__lt=diagnostic.year,
        )
        .order_by("-year")
        .first()
    )


def cities_to_start(user: Any) -> list[Organisation]:
    """Cities for which the user may start a diagnostic."""
    from mediane.core.permissions import can

    qs = Organisation.objects.filter(kind=OrganisationKind.COLLECTIVITE)
    if not is_secretariat(user):
        qs = qs.filter(pk__in=list(user_roles(user)))
    return [org for org in qs.order_by("name") if can(user, "start_diagnostic", org)]


def answers_by_code(diagnostic: Diagnostic) -> dict[str, Answer]:
    return {
        answer.question.code: answer
        for answer in Answer.objects.filter(diagnostic=diagnostic).select_related(
            "question", "answered_by"
        )
    }


def contributors_of(diagnostic: Diagnostic) -> list[tuple[Any, int]]:
    """The people who answered and how many answers each, most answers first."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    counts = dict(
        Answer.objects.filter(diagnostic=diagnostic, answered_by__isnull=False)
        .values("answered_by")
        .annotate(n=Count("pk"))
        .values_list("answered_by", "n")
    )
    people = get_user_model().objects.filter(pk__in=list(counts))
    return sorted(((p, counts[p.pk]) for p in people), key=lambda item: (-item[1], str(item[0])))


# --- the network -----------------------------------------------------------------------------


@dataclass
class NetworkRow:
    """One city's latest validated scores as the comparison sees them."""

    scores: scoring.CityScores
    name: str | None  # None unless the city chose to share its name
    organisation_id: int


def network_rows() -> list[NetworkRow]:
    """Latest validated diagnostic of each city, with the name only when shared."""
    latest: dict[int, Diagnostic] = {}
    for diagnostic in (
        Diagnostic.objects.filter(status=DiagnosticStatus.VALIDATED)
        .select_related("organisation", "version")
        .order_by("organisation_id", "-year")
    ):
        latest.setdefault(diagnostic.organisation_id, diagnostic)  # type: ignore[attr-defined]
    rows = []
    for diagnostic in latest.values():
        result = result_of(diagnostic)
        rows.append(
            NetworkRow(
                scores=scoring.CityScores(
                    city_id=diagnostic.organisation_id,  # type: ignore[attr-defined]
                    year=diagnostic.year,
                    band=band_of(diagnostic),
                    overall=result.overall,
                    dimensions=result.dimensions,
                ),
                name=diagnostic.organisation.name if diagnostic.share_name else None,
                organisation_id=diagnostic.organisation_id,  # type: ignore[attr-defined]
            )
        )
    return rows


def dimension_codes() -> list[str]:
    version = current_version()
    if version is None:
        return []
    return list(version.dimensions.order_by("order").values_list("code", flat=True))


def network_stats(*, band: str | None = None) -> scoring.PeerStats:
    """Anonymous figures of a size band (or the whole network): public, never under 3 cities."""
    return scoring.peer_stats(
        [row.scores for row in network_rows()], band=band, dimension_codes=dimension_codes()
    )


def shared_cities(user: Any, *, exclude_id: int | None = None) -> list[NetworkRow]:
    """Cities that chose to be shown by name, for network members (sorted by name)."""
    from mediane.core.permissions import is_network_member

    if not is_network_member(user):
        return []
    rows = [
        row for row in network_rows() if row.name is not None and row.organisation_id != exclude_id
    ]
    return sorted(rows, key=lambda row: row.name or "")


def kind_is_scored(kind: str) -> bool:
    return kind != QuestionKind.PERSONALISATION
