"""Shared helpers of the diagnostic tests: a city with its people, answering everything."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mediane.diagnostic import selectors, services
from mediane.diagnostic.models import Diagnostic, QuestionKind
from tests.directory.factories import OrganisationFactory, TerritoryFactory, member_of


@dataclass
class City:
    org: Any
    admin: Any
    editor: Any
    member: Any


def make_city(population: int = 30_000, name: str = "") -> City:
    territory = TerritoryFactory(population=population)
    org = OrganisationFactory(
        kind="collectivite", territory=territory, **({"name": name} if name else {})
    )
    return City(org, member_of(org, "admin"), member_of(org, "editor"), member_of(org, "member"))


def answer_all(diagnostic: Diagnostic, actor: Any, level: int = 3, choice: str = "oui") -> None:
    for question in diagnostic.version.questions.all():
        if question.kind == QuestionKind.PERSONALISATION:
            services.answer_save(
                actor=actor, diagnostic=diagnostic, question_code=question.code, choice=choice
            )
        else:
            services.answer_save(
                actor=actor, diagnostic=diagnostic, question_code=question.code, level=level
            )


def validated(
    city: City, year: int, level: int, secretariat: Any, share: bool = False
) -> Diagnostic:
    diagnostic = services.diagnostic_start(
        actor=city.editor, organisation=city.org, year=year, share_name=share
    )
    answer_all(diagnostic, city.editor, level=level)
    services.diagnostic_submit(actor=city.editor, diagnostic=diagnostic)
    return services.diagnostic_validate(actor=secretariat, diagnostic=diagnostic)


def secretariat_user() -> Any:
    from tests.accounts.factories import UserFactory

    return UserFactory(is_secretariat=True)


__all__ = ["City", "answer_all", "make_city", "selectors", "validated", "secretariat_user"]
