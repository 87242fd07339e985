"""Evaluation of the label « ville numérique engagée » — pure Python, no Django import.

The criteria themselves are data (`labels.LabelCriterion`: a `kind` from `EVALUATORS` and its
`parameters`); `mediane.labels.facts.facts_for(organisation)` gathers plain `Facts` about a city
from the diagnostic, plans, data hub, market and cooperation apps; each evaluator answers
passed / failed with a one-line summary and the EVIDENCE (texts and links) that a reviewer of the
secretariat can check. `evaluate(facts, criteria)` runs them all.

Kinds and their parameters (defaults in brackets):

- ``diagnostic_recent`` — a diagnostic validated within ``months`` [12] months.
- ``dimension_levels`` — level ``min_level`` [3] or more in at least ``min_dimensions`` [5]
  dimensions of the latest validated diagnostic.
- ``plan_covers_weak`` — an active plan with at least one action in progress for each weak
  dimension (level under ``weak_below`` [3]) of the latest validated diagnostic.
- ``public_dataset_schema`` — at least ``min_count`` [1] public dataset(s) following a schema
  whose current version is valid.
- ``cooperation`` — at least ``min_count`` [1] challenge issued or co-issued (out of draft) or
  pooled project taken part in (out of draft).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Evidence:
    text: str
    url: str = ""


@dataclass(frozen=True)
class Outcome:
    passed: bool
    summary: str
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class DiagnosticFact:
    validated_on: date
    url: str
    title: str
    #: {dimension code: (dimension title, level 1.0–5.0)}, in questionnaire order; a dimension
    #: not applicable to the city is absent.
    levels: Mapping[str, tuple[str, float]]
    #: Dimensions of the questionnaire (8), applicable or not.
    dimension_count: int = 0


@dataclass(frozen=True)
class ActionFact:
    number: str
    title: str
    url: str


@dataclass(frozen=True)
class PlanFact:
    title: str
    url: str
    #: {dimension code: actions in progress linked to that dimension's questions}
    actions_by_dimension: Mapping[str, tuple[ActionFact, ...]]


@dataclass(frozen=True)
class DatasetFact:
    title: str
    url: str
    schema: str
    version: int


@dataclass(frozen=True)
class ParticipationFact:
    kind: str  # "challenge" or "project"
    title: str
    url: str
    status: str
    role: str


@dataclass(frozen=True)
class Facts:
    organisation: str
    today: date
    diagnostic: DiagnosticFact | None = None
    plan: PlanFact | None = None
    datasets: tuple[DatasetFact, ...] = ()
    participations: tuple[ParticipationFact, ...] = ()


@dataclass(frozen=True)
class CriterionSpec:
    code: str
    title: str
    kind: str
    parameters: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CriterionResult:
    code: str
    title: str
    kind: str
    passed: bool
    summary: str
    evidence: tuple[Evidence, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title,
            "kind": self.kind,
            "passed": self.passed,
            "summary": self.summary,
            "evidence": [{"text": e.text, "url": e.url} for e in self.evidence],
        }


MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip


def french_date(day: date) -> str:
    first = "1er" if day.day == 1 else str(day.day)
    return f"{first} {MONTHS[day.month - 1]} {day.year}"


def french_number(value: float) -> str:
    """1 decimal, comma as decimal separator: 3.45 → "3,5" (rounded half up), 3.0 → "3,0"."""
    rounded = int(value * 10 + 0.5) / 10
    return f"{rounded:.1f}".replace(".", ",")


def add_months(day: date, months: int) -> date:
    """`day` moved by `months` (negative goes back), the day clamped to the month's length."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    lengths = (31, 29 if _leap(year) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
    return date(year, month, min(day.day, lengths[month - 1]))


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _int(parameters: Mapping[str, Any], name: str, default: int) -> int:
    value = parameters.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"paramètre « {name} » : un nombre est attendu")
    return int(value)


def _float(parameters: Mapping[str, Any], name: str, default: float) -> float:
    value = parameters.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"paramètre « {name} » : un nombre est attendu")
    return float(value)


def _plural(count: int, one: str, many: str) -> str:
    return one if count <= 1 else many  # French: 0 and 1 take the singular


# --- evaluators ------------------------------------------------------------------------------


def diagnostic_recent(facts: Facts, parameters: Mapping[str, Any]) -> Outcome:
    months = _int(parameters, "months", 12)
    diagnostic = facts.diagnostic
    if diagnostic is None:
        return Outcome(False, "Aucun diagnostic validé.")
    limit = add_months(facts.today, -months)
    evidence = (
        Evidence(
            f"{diagnostic.title} — diagnostic validé le {french_date(diagnostic.validated_on)}",
            diagnostic.url,
        ),
    )
    if diagnostic.validated_on >= limit:
        return Outcome(
            True,
            f"Diagnostic validé le {french_date(diagnostic.validated_on)}, "
            f"il y a moins de {months} mois.",
            evidence,
        )
    return Outcome(
        False,
        f"Le dernier diagnostic validé date du {french_date(diagnostic.validated_on)}, "
        f"il y a plus de {months} mois (il doit l'être depuis le {french_date(limit)}).",
        evidence,
    )


def dimension_levels(facts: Facts, parameters: Mapping[str, Any]) -> Outcome:
    min_level = _float(parameters, "min_level", 3)
    min_dimensions = _int(parameters, "min_dimensions", 5)
    diagnostic = facts.diagnostic
    if diagnostic is None:
        return Outcome(False, "Aucun diagnostic validé : pas de niveaux à comparer.")
    total = max(len(diagnostic.levels), diagnostic.dimension_count)
    reached = [
        (code, title, level)
        for code, (title, level) in diagnostic.levels.items()
        if level >= min_level
    ]
    level_text = french_number(min_level).removesuffix(",0")
    figures = " · ".join(
        f"{code} {french_number(level)}" for code, (_title, level) in diagnostic.levels.items()
    )
    summary = (
        f"{len(reached)} {_plural(len(reached), 'dimension', 'dimensions')} sur {total} "
        f"au niveau {level_text} ou plus : {figures}"
        if total
        else "Le diagnostic n'a aucune dimension notée."
    )
    evidence = tuple(
        Evidence(f"{code} {title} : niveau {french_number(level)}", diagnostic.url)
        for code, (title, level) in diagnostic.levels.items()
    )
    passed = len(reached) >= min_dimensions
    if not passed and total:
        summary += f" (il en faut au moins {min_dimensions})."
    return Outcome(passed, summary, evidence)


def plan_covers_weak(facts: Facts, parameters: Mapping[str, Any]) -> Outcome:
    weak_below = _float(parameters, "weak_below", 3)
    diagnostic, plan = facts.diagnostic, facts.plan
    if plan is None:
        return Outcome(False, "Aucun plan stratégique actif.")
    plan_evidence = Evidence(f"Plan actif : {plan.title}", plan.url)
    if diagnostic is None:
        return Outcome(
            False,
            "Aucun diagnostic validé : les dimensions faibles ne sont pas connues.",
            (plan_evidence,),
        )
    weak = [
        (code, title, level)
        for code, (title, level) in diagnostic.levels.items()
        if level < weak_below
    ]
    level_text = french_number(weak_below).removesuffix(",0")
    if not weak:
        return Outcome(
            True,
            f"Aucune dimension sous le niveau {level_text} ; le plan « {plan.title} » est actif.",
            (plan_evidence,),
        )
    evidence = [plan_evidence]
    missing = []
    for code, title, level in weak:
        actions = plan.actions_by_dimension.get(code, ())
        if actions:
            for action in actions:
                evidence.append(
                    Evidence(
                        f"{code} {title} ({french_number(level)}) : action {action.number} "
                        f"« {action.title} » en cours",
                        action.url,
                    )
                )
        else:
            missing.append(code)
            evidence.append(
                Evidence(
                    f"{code} {title} ({french_number(level)}) : aucune action en cours", plan.url
                )
            )
    count = len(weak)
    if missing:
        return Outcome(
            False,
            f"{count - len(missing)} {_plural(count, 'dimension faible', 'dimensions faibles')} "
            f"sur {count} avec une action en cours ; sans action : {', '.join(missing)}.",
            tuple(evidence),
        )
    return Outcome(
        True,
        f"{_plural(count, 'La dimension faible a', f'Les {count} dimensions faibles ont')} "
        f"une action en cours dans « {plan.title} ».",
        tuple(evidence),
    )


def public_dataset_schema(facts: Facts, parameters: Mapping[str, Any]) -> Outcome:
    min_count = _int(parameters, "min_count", 1)
    evidence = tuple(
        Evidence(
            f"jeu de données « {d.title} » (schéma {d.schema}, version {d.version} valide)", d.url
        )
        for d in facts.datasets
    )
    count = len(facts.datasets)
    if count >= min_count:
        return Outcome(
            True,
            f"{count} "
            + _plural(count, "jeu de données public conforme", "jeux de données publics conformes")
            + " à un schéma.",
            evidence,
        )
    return Outcome(
        False,
        f"{count} jeu de données public conforme à un schéma (il en faut au moins {min_count}).",
        evidence,
    )


def cooperation(facts: Facts, parameters: Mapping[str, Any]) -> Outcome:
    min_count = _int(parameters, "min_count", 1)
    evidence = tuple(
        Evidence(
            f"{'défi' if p.kind == 'challenge' else 'projet mutualisé'} « {p.title} » "
            f"({p.role}, {p.status})",
            p.url,
        )
        for p in facts.participations
    )
    challenges = sum(1 for p in facts.participations if p.kind == "challenge")
    projects = len(facts.participations) - challenges
    summary = (
        f"{challenges} {_plural(challenges, 'défi', 'défis')} et {projects} "
        f"{_plural(projects, 'projet mutualisé', 'projets mutualisés')}"
    )
    if len(facts.participations) >= min_count:
        return Outcome(True, summary + ".", evidence)
    return Outcome(False, summary + f" (il en faut au moins {min_count} en tout).", evidence)


Evaluator = Callable[[Facts, Mapping[str, Any]], Outcome]

#: The fixed registry of evaluators: LabelCriterion.kind → function.
EVALUATORS: dict[str, Evaluator] = {
    "diagnostic_recent": diagnostic_recent,
    "dimension_levels": dimension_levels,
    "plan_covers_weak": plan_covers_weak,
    "public_dataset_schema": public_dataset_schema,
    "cooperation": cooperation,
}

#: French names of the kinds (choices of LabelCriterion.kind).
KIND_LABELS: dict[str, str] = {
    "diagnostic_recent": "Diagnostic validé récemment",
    "dimension_levels": "Niveaux atteints par dimension",
    "plan_covers_weak": "Plan actif couvrant les dimensions faibles",
    "public_dataset_schema": "Jeu de données public conforme à un schéma",
    "cooperation": "Participation à un défi ou à un projet mutualisé",
}


def check_parameters(kind: str, parameters: Mapping[str, Any]) -> None:
    """Raise ValueError (French) when `kind` is unknown or its parameters unusable."""
    if kind not in EVALUATORS:
        raise ValueError(f"type de critère inconnu : {kind}")
    if not isinstance(parameters, Mapping):
        raise ValueError("les paramètres doivent être un objet JSON")
    EVALUATORS[kind](Facts(organisation="", today=date(2000, 1, 1)), parameters)


def evaluate(facts: Facts, criteria: list[CriterionSpec]) -> list[CriterionResult]:
    """Run every criterion on `facts`, in the given order. A criterion whose parameters are
    unusable fails with the reason rather than stopping the evaluation."""
    results = []
    for spec in criteria:
        evaluator = EVALUATORS.get(spec.kind)
        if evaluator is None:
            outcome = Outcome(False, f"Type de critère inconnu : {spec.kind}.")
        else:
            try:
                outcome = evaluator(facts, spec.parameters)
            except ValueError as error:
                outcome = Outcome(False, f"Critère mal paramétré : {error}.")
        results.append(
            CriterionResult(
                spec.code, spec.title, spec.kind, outcome.passed, outcome.summary, outcome.evidence
            )
        )
    return results
