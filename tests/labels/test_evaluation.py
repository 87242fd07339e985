"""The evaluators alone (pure Python): every criterion kind, its parameters, its evidence."""

from __future__ import annotations

from datetime import date

import pytest

from mediane.labels.evaluation import (
    ActionFact,
    CriterionSpec,
    DatasetFact,
    DiagnosticFact,
    Facts,
    ParticipationFact,
    PlanFact,
    add_months,
    check_parameters,
    evaluate,
    french_number,
)

TODAY = date(2026, 6, 15)
NAMES = [f"Dim {n}" for n in range(1, 9)]


def diagnostic(levels: list[float], validated_on: date = date(2026, 3, 2)) -> DiagnosticFact:
    return DiagnosticFact(
        validated_on=validated_on,
        url="/diagnostic/1/",
        title="Diagnostic 2026",
        levels={f"D{n}": (NAMES[n - 1], level) for n, level in enumerate(levels, start=1)},
        dimension_count=8,
    )


def facts(**kwargs: object) -> Facts:
    return Facts(organisation="Lourdes", today=TODAY, **kwargs)  # type: ignore[arg-type]


def run(kind: str, f: Facts, **parameters: object):  # type: ignore[no-untyped-def]
    [result] = evaluate(f, [CriterionSpec("c", "Critère", kind, parameters)])
    return result


# --- diagnostic_recent -----------------------------------------------------------------------


def test_no_diagnostic_fails() -> None:
    result = run("diagnostic_recent", facts())
    assert not result.passed
    assert result.summary == "Aucun diagnostic validé."


def test_diagnostic_within_12_months_passes_with_its_date_as_evidence() -> None:
    result = run("diagnostic_recent", facts(diagnostic=diagnostic([3] * 8)))
    assert result.passed
    assert "Diagnostic validé le 2 mars 2026" in result.summary
    assert result.evidence[0].text == "Diagnostic 2026 — diagnostic validé le 2 mars 2026"
    assert result.evidence[0].url == "/diagnostic/1/"


@pytest.mark.parametrize(
    ("validated_on", "passed"),
    [(date(2025, 6, 15), True), (date(2025, 6, 14), False), (date(2024, 1, 1), False)],
)
def test_diagnostic_age_limit_is_inclusive(validated_on: date, passed: bool) -> None:
    result = run("diagnostic_recent", facts(diagnostic=diagnostic([3] * 8, validated_on)))
    assert result.passed is passed
    if not passed:
        assert "plus de 12 mois" in result.summary


def test_diagnostic_months_parameter() -> None:
    f = facts(diagnostic=diagnostic([3] * 8, date(2026, 1, 10)))
    assert run("diagnostic_recent", f, months=6).passed
    assert not run("diagnostic_recent", f, months=5).passed


# --- dimension_levels ------------------------------------------------------------------------


def test_five_dimensions_at_level_three_pass_with_the_figures() -> None:
    f = facts(diagnostic=diagnostic([3.4, 3, 3.0, 4.2, 3.05, 2.9, 1, 2]))
    result = run("dimension_levels", f)
    assert result.passed
    assert result.summary.startswith("5 dimensions sur 8 au niveau 3 ou plus : D1 3,4 · D2 3,0")
    assert "D6 2,9" in result.summary
    assert len(result.evidence) == 8
    assert result.evidence[0].text == "D1 Dim 1 : niveau 3,4"


def test_four_dimensions_fail_and_say_how_many_are_needed() -> None:
    result = run("dimension_levels", facts(diagnostic=diagnostic([3, 3, 3, 3, 2.99, 2, 1, 1])))
    assert not result.passed
    assert result.summary.startswith("4 dimensions sur 8")
    assert result.summary.endswith("(il en faut au moins 5).")


def test_not_applicable_dimension_counts_as_not_reached() -> None:
    partial = DiagnosticFact(
        validated_on=date(2026, 3, 2),
        url="",
        title="Diagnostic 2026",
        levels={f"D{n}": ("x", 4.0) for n in range(1, 5)},
        dimension_count=8,
    )
    result = run("dimension_levels", facts(diagnostic=partial))
    assert not result.passed
    assert "4 dimensions sur 8" in result.summary


def test_dimension_levels_parameters() -> None:
    f = facts(diagnostic=diagnostic([4, 4, 3, 3, 3, 3, 3, 3]))
    assert not run("dimension_levels", f, min_level=4, min_dimensions=3).passed
    assert run("dimension_levels", f, min_level=4, min_dimensions=2).passed


def test_dimension_levels_without_diagnostic_fails() -> None:
    assert not run("dimension_levels", facts()).passed


# --- plan_covers_weak ------------------------------------------------------------------------


def plan(actions: dict[str, list[str]]) -> PlanFact:
    return PlanFact(
        title="Plan Avenir Lourdes",
        url="/plans/pal/",
        actions_by_dimension={
            code: tuple(
                ActionFact(str(72 + i), title, f"/plans/pal/{72 + i}/")
                for i, title in enumerate(titles)
            )
            for code, titles in actions.items()
        },
    )


def test_every_weak_dimension_with_an_action_in_progress_passes() -> None:
    f = facts(
        diagnostic=diagnostic([3, 3, 3, 3, 3, 3, 2.5, 1]),
        plan=plan({"D7": ["Navettes"], "D8": ["Tableau de bord"], "D1": ["Autre"]}),
    )
    result = run("plan_covers_weak", f)
    assert result.passed
    assert (
        result.summary
        == "Les 2 dimensions faibles ont une action en cours dans « Plan Avenir Lourdes »."
    )
    texts = [e.text for e in result.evidence]
    assert texts[0] == "Plan actif : Plan Avenir Lourdes"
    assert "D7 Dim 7 (2,5) : action 72 « Navettes » en cours" in texts
    assert not any("Autre" in t for t in texts)  # D1 is not weak


def test_a_weak_dimension_without_action_fails_and_is_named() -> None:
    f = facts(diagnostic=diagnostic([3, 3, 3, 3, 3, 2, 2, 1]), plan=plan({"D7": ["Navettes"]}))
    result = run("plan_covers_weak", f)
    assert not result.passed
    assert result.summary.endswith("sans action : D6, D8.")
    assert "D6 Dim 6 (2,0) : aucune action en cours" in [e.text for e in result.evidence]


def test_no_weak_dimension_needs_only_an_active_plan() -> None:
    f = facts(diagnostic=diagnostic([3] * 8), plan=plan({}))
    assert run("plan_covers_weak", f).passed


def test_no_active_plan_fails() -> None:
    result = run("plan_covers_weak", facts(diagnostic=diagnostic([3] * 8)))
    assert not result.passed
    assert result.summary == "Aucun plan stratégique actif."


def test_plan_without_diagnostic_fails() -> None:
    assert not run("plan_covers_weak", facts(plan=plan({}))).passed


def test_weak_threshold_parameter() -> None:
    f = facts(diagnostic=diagnostic([3.5] * 8), plan=plan({}))
    assert run("plan_covers_weak", f).passed
    assert not run("plan_covers_weak", f, weak_below=4).passed


# --- public_dataset_schema -------------------------------------------------------------------


def test_public_dataset_with_valid_schema_passes_with_evidence() -> None:
    data = DatasetFact("Subventions 2025", "/donnees/sub/", "Subventions (SCDL) 2.1.1", 2)
    result = run("public_dataset_schema", facts(datasets=(data,)))
    assert result.passed
    assert result.summary == "1 jeu de données public conforme à un schéma."
    assert result.evidence[0].text == (
        "jeu de données « Subventions 2025 » (schéma Subventions (SCDL) 2.1.1, version 2 valide)"
    )


def test_no_dataset_fails_and_min_count_applies() -> None:
    assert not run("public_dataset_schema", facts()).passed
    data = DatasetFact("A", "/a/", "S", 1)
    assert not run("public_dataset_schema", facts(datasets=(data,)), min_count=2).passed


# --- cooperation -----------------------------------------------------------------------------


def test_a_challenge_or_a_project_is_enough() -> None:
    challenge = ParticipationFact("challenge", "Navettes", "/defis/n/", "publié", "émetteur")
    project = ParticipationFact("project", "Sentiers", "/projets/s/", "en cours", "partenaire")
    one = run("cooperation", facts(participations=(challenge,)))
    assert one.passed and one.summary == "1 défi et 0 projet mutualisé."
    assert one.evidence[0].text == "défi « Navettes » (émetteur, publié)"
    other = run("cooperation", facts(participations=(project,)))
    assert (
        other.passed
        and other.evidence[0].text == "projet mutualisé « Sentiers » (partenaire, en cours)"
    )
    assert not run("cooperation", facts()).passed
    assert not run("cooperation", facts(participations=(project,)), min_count=2).passed


# --- registry, parameters, helpers -----------------------------------------------------------


def test_unknown_kind_and_bad_parameters_fail_without_stopping_the_others() -> None:
    results = evaluate(
        facts(),
        [
            CriterionSpec("a", "A", "nope", {}),
            CriterionSpec("b", "B", "diagnostic_recent", {"months": "douze"}),
            CriterionSpec("c", "C", "cooperation", {}),
        ],
    )
    assert [r.code for r in results] == ["a", "b", "c"]
    assert results[0].summary == "Type de critère inconnu : nope."
    assert results[1].summary.startswith("Critère mal paramétré")
    assert not any(r.passed for r in results)


def test_check_parameters() -> None:
    check_parameters("dimension_levels", {"min_level": 3, "min_dimensions": 5})
    with pytest.raises(ValueError, match="inconnu"):
        check_parameters("nope", {})
    with pytest.raises(ValueError, match="min_dimensions"):
        check_parameters("dimension_levels", {"min_dimensions": True})


def test_helpers() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2026, 3, 15), -12) == date(2025, 3, 15)
    assert french_number(3.45) == "3,5"
    assert french_number(3) == "3,0"
