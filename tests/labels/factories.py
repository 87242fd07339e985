"""A small world for the label tests: the city of Lourdes with its people, and helpers that give
it each fact a criterion looks at (built as rows, like the other apps' tests)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from mediane.accounts.models import User
from mediane.cooperation.models import Project, ProjectPartner
from mediane.datahub.models import Dataset, DatasetVersion, TableSchema
from mediane.diagnostic.models import (
    Answer,
    Diagnostic,
    Dimension,
    Question,
    QuestionnaireVersion,
)
from mediane.directory.models import Organisation
from mediane.labels import services
from mediane.labels.models import Label, LabelEvaluation
from mediane.market.models import Challenge, ChallengeIssuer
from mediane.plans.models import Action, Axis, Plan
from tests.directory.factories import UserFactory, member_of
from tests.market.factories import CityFactory, CompanyFactory

DIMENSIONS = [f"D{n}" for n in range(1, 9)]


@dataclass
class LabelWorld:
    city: Organisation
    other_city: Organisation
    company: Organisation
    admin: User
    editor: User
    member: User
    other_editor: User
    outsider: User
    secretariat: User


def make_world() -> LabelWorld:
    city = CityFactory(name="Lourdes", slug="lourdes")
    other = CityFactory(name="Nevers", slug="nevers")
    return LabelWorld(
        city=city,
        other_city=other,
        company=CompanyFactory(name="Start-up", slug="start-up"),
        admin=member_of(city, "admin"),
        editor=member_of(city, "editor"),
        member=member_of(city, "member"),
        other_editor=member_of(other, "editor"),
        outsider=UserFactory(),
        secretariat=UserFactory(is_secretariat=True),
    )


def questionnaire() -> QuestionnaireVersion:
    """A questionnaire of 8 dimensions with one level question each ("1.1" … "8.1")."""
    version = QuestionnaireVersion.objects.filter(code="test-label").first()
    if version is not None:
        return version
    version = QuestionnaireVersion.objects.create(
        code="test-label", title="Test", is_published=True
    )
    for n, code in enumerate(DIMENSIONS, start=1):
        dimension = Dimension.objects.create(
            version=version,
            code=code,
            order=n,
            name_fr=f"Dimension {n}",
            name_en=f"Dimension {n}",
            short_fr=f"Dim. {n}",
            short_en=f"Dim. {n}",
            suggested_action_fr="Agir",
            suggested_action_en="Act",
        )
        Question.objects.create(
            version=version,
            dimension=dimension,
            code=f"{n}.1",
            order=1,
            text_fr=f"Question {n}",
            text_en=f"Question {n}",
        )
    return version


def give_diagnostic(
    city: Organisation,
    levels: list[int],
    *,
    validated_at: datetime | None = None,
    year: int | None = None,
    status: str = "validated",
) -> Diagnostic:
    """A diagnostic of `city` answering question n.1 with levels[n-1]."""
    version = questionnaire()
    at = validated_at or timezone.now() - timedelta(days=30)
    diagnostic = Diagnostic.objects.create(
        organisation=city,
        year=year or at.year,
        version=version,
        status=status,
        population=15000,
        validated_at=at if status == "validated" else None,
    )
    for question, level in zip(
        Question.objects.filter(version=version).order_by("order", "dimension__order"),
        levels,
        strict=False,
    ):
        Answer.objects.create(diagnostic=diagnostic, question=question, level=level, answered_at=at)
    return diagnostic


def give_plan(city: Organisation, in_progress_for: list[str], *, status: str = "active") -> Plan:
    """A plan of `city` with one action in progress linked to question "n.1" of each listed
    dimension code ("D3" → "3.1"), plus one action to come (which never counts)."""
    plan = Plan.objects.create(
        organisation=city,
        title=f"Plan Avenir {city.name}",
        slug=f"plan-{city.slug}-{Plan.objects.count()}",
        start_year=2022,
        end_year=2030,
        status=status,
        visibility="public",
    )
    axis = Axis.objects.create(plan=plan, number=1, title="Axe 1")
    number = 0
    for number, code in enumerate(in_progress_for, start=1):
        action = Action.objects.create(
            plan=plan, axis=axis, number=number, title=f"Action pour {code}", status="in_progress"
        )
        action.questions.create(code=f"{code[1:]}.1")
    upcoming = Action.objects.create(
        plan=plan, axis=axis, number=number + 1, title="Action à venir", status="upcoming"
    )
    for code in DIMENSIONS:
        upcoming.questions.create(code=f"{code[1:]}.1")
    return plan


def give_dataset(
    city: Organisation,
    *,
    visibility: str = "public",
    validation: str = "valid",
    with_schema: bool = True,
    title: str = "Subventions 2025",
) -> Dataset:
    schema = None
    if with_schema:
        schema = TableSchema.objects.filter(identifier="scdl-subventions").first()
        if schema is None:
            schema = TableSchema.objects.create(
                identifier="scdl-subventions",
                version="2.1.1",
                title="Subventions (SCDL)",
                definition={"fields": []},
            )
    dataset = Dataset.objects.create(
        organisation=city,
        slug=f"{city.slug}-{Dataset.objects.count()}",
        title=title,
        schema=schema,
        visibility=visibility,
    )
    DatasetVersion.objects.create(
        dataset=dataset, number=1, status="ready", validation_status="invalid"
    )
    current = DatasetVersion.objects.create(
        dataset=dataset, number=2, status="ready", validation_status=validation
    )
    dataset.current_version = current
    dataset.save(update_fields=["current_version"])
    return dataset


def give_challenge(city: Organisation, *, status: str = "open", role: str = "lead") -> Challenge:
    challenge = Challenge.objects.create(
        title=f"Défi de {city.name}",
        slug=f"defi-{city.slug}-{Challenge.objects.count()}",
        problem="Un besoin.",
        status=status,
    )
    ChallengeIssuer.objects.create(challenge=challenge, organisation=city, role=role)
    return challenge


def give_project(city: Organisation, *, status: str = "active", role: str = "partner") -> Project:
    project = Project.objects.create(
        title=f"Projet mutualisé {Project.objects.count()}",
        slug=f"projet-{Project.objects.count()}",
        status=status,
    )
    ProjectPartner.objects.create(
        project=project, organisation=city, role=role, joined_on=date(2025, 1, 1)
    )
    return project


def make_eligible(city: Organisation) -> None:
    """Every default criterion met: recent diagnostic with 6 dimensions at 3 or more, the two
    weak ones (D7, D8) covered by actions in progress, a public valid dataset, a challenge."""
    give_diagnostic(city, [4, 3, 3, 4, 3, 5, 2, 1])
    give_plan(city, ["D7", "D8"])
    give_dataset(city)
    give_challenge(city)


def awarded(world: LabelWorld, **kwargs: Any) -> Label:
    make_eligible(world.city)
    evaluation = services.evaluation_request(actor=world.editor, organisation=world.city)
    return services.evaluation_confirm(actor=world.secretariat, evaluation=evaluation, **kwargs)


def pending(world: LabelWorld) -> LabelEvaluation:
    return services.evaluation_request(actor=world.editor, organisation=world.city)
