"""The Django side of the evaluation: plain `evaluation.Facts` about a city, gathered from the
diagnostic, plans, data hub, market and cooperation apps.

These reads are deliberately not permission-filtered: they establish facts for the label. What
reaches a reader is the evaluation snapshot, itself readable only by the city's members and the
secretariat (the public sees the criteria met, never the evidence).
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from mediane.directory.models import Organisation
from mediane.labels.evaluation import (
    ActionFact,
    DatasetFact,
    DiagnosticFact,
    Facts,
    ParticipationFact,
    PlanFact,
)


def diagnostic_fact(organisation: Organisation) -> tuple[DiagnosticFact | None, int | None]:
    """The latest validated diagnostic with its level per dimension (questionnaire order), and
    the id of its questionnaire version."""
    from mediane.diagnostic import selectors as diagnostic_selectors
    from mediane.diagnostic.models import Dimension

    diagnostic = diagnostic_selectors.latest_validated(organisation)
    if diagnostic is None or diagnostic.validated_at is None:
        return None, None
    levels = diagnostic_selectors.dimension_levels(diagnostic)
    names = {
        d.code: d.short_fr or d.name_fr
        for d in Dimension.objects.filter(version_id=diagnostic.version_id).order_by("order")
    }
    ordered = [code for code in names if code in levels] + sorted(set(levels) - set(names))
    fact = DiagnosticFact(
        validated_on=timezone.localdate(diagnostic.validated_at),
        url=diagnostic.get_absolute_url(),
        title=f"Diagnostic {diagnostic.year}",
        levels={code: (names.get(code, code), float(levels[code])) for code in ordered},
        dimension_count=len(names),
    )
    return fact, diagnostic.version_id


def plan_fact(organisation: Organisation, diagnostic_version_id: int | None) -> PlanFact | None:
    """The active plan with its actions in progress grouped by the dimension of the
    questionnaire items they answer."""
    from mediane.diagnostic.models import Question
    from mediane.plans import selectors as plan_selectors

    plan = plan_selectors.active_plan(organisation)
    if plan is None:
        return None
    by_question = plan_selectors.actions_in_progress_by_question(plan)
    questions = Question.objects.filter(code__in=list(by_question)).select_related("dimension")
    if diagnostic_version_id is not None:
        questions = questions.filter(version_id=diagnostic_version_id)
    dimension_of = {q.code: q.dimension.code for q in questions}
    grouped: dict[str, dict[int, ActionFact]] = {}
    for code, actions in by_question.items():
        dimension = dimension_of.get(code)
        if dimension is None:
            continue
        for action in actions:
            grouped.setdefault(dimension, {})[action.pk] = ActionFact(
                number=str(action.number), title=action.title, url=action.get_absolute_url()
            )
    return PlanFact(
        title=plan.title,
        url=plan.get_absolute_url(),
        actions_by_dimension={
            dimension: tuple(sorted(actions.values(), key=lambda a: int(a.number)))
            for dimension, actions in grouped.items()
        },
    )


def dataset_facts(organisation: Organisation) -> tuple[DatasetFact, ...]:
    """Public datasets of the city following a schema, whose current version is ready and valid."""
    from mediane.datahub.models import Dataset, ValidationStatus, VersionStatus

    datasets = (
        Dataset.objects.filter(
            organisation=organisation,
            visibility="public",
            schema__isnull=False,
            current_version__status=VersionStatus.READY,
            current_version__validation_status=ValidationStatus.VALID,
        )
        .select_related("schema", "current_version")
        .order_by("title", "pk")
    )
    return tuple(
        DatasetFact(
            title=d.title,
            url=d.get_absolute_url(),
            schema=f"{d.schema.title} {d.schema.version}".strip(),  # type: ignore[union-attr]
            version=d.current_version.number,  # type: ignore[union-attr]
        )
        for d in datasets
    )


def participation_facts(organisation: Organisation) -> tuple[ParticipationFact, ...]:
    """Challenges the city issued or co-issued and pooled projects it takes part in, out of
    draft."""
    from mediane.cooperation.models import ProjectPartner, ProjectStatus
    from mediane.market.models import ChallengeIssuer, ChallengeStatus

    found = []
    issued = (
        ChallengeIssuer.objects.filter(organisation=organisation)
        .exclude(challenge__status=ChallengeStatus.DRAFT)
        .select_related("challenge")
        .order_by("challenge__title", "pk")
    )
    for link in issued:
        challenge = link.challenge
        found.append(
            ParticipationFact(
                kind="challenge",
                title=challenge.title,
                url=challenge.get_absolute_url(),
                status=str(challenge.get_status_display()).lower(),  # type: ignore[attr-defined]
                role="émetteur" if link.role == "lead" else "co-émetteur",
            )
        )
    partnered = (
        ProjectPartner.objects.filter(organisation=organisation)
        .exclude(project__status=ProjectStatus.DRAFT)
        .select_related("project")
        .order_by("project__title", "pk")
    )
    for partner in partnered:
        project = partner.project
        found.append(
            ParticipationFact(
                kind="project",
                title=project.title,
                url=project.get_absolute_url(),
                status=str(project.get_status_display()).lower(),  # type: ignore[attr-defined]
                role="chef de file" if partner.role == "lead" else "partenaire",
            )
        )
    return tuple(found)


def facts_for(organisation: Organisation, *, today: date | None = None) -> Facts:
    diagnostic, version_id = diagnostic_fact(organisation)
    return Facts(
        organisation=organisation.name,
        today=today or timezone.localdate(),
        diagnostic=diagnostic,
        plan=plan_fact(organisation, version_id),
        datasets=dataset_facts(organisation),
        participations=participation_facts(organisation),
    )
