"""Factories of the market: a small world of cities (Paris and Toronto time zones), companies,
people with roles, and helpers that build challenges through the real services.

`MarketWorld` is what most tests use: `world.open_challenge()` gives a published challenge with
its dates around `world.now`; `world.evaluation(...)` runs it up to the jury.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import factory

from mediane.accounts.models import User
from mediane.directory.models import Expert, Organisation, Sector
from mediane.market import services
from mediane.market.inputs import AnswerInput, ChallengeInput, OfferInput
from mediane.market.models import Answer, Challenge, Offer
from mediane.territories.models import Territory
from tests.directory.factories import (
    OrganisationFactory,
    SectorFactory,
    TerritoryFactory,
    UserFactory,
    member_of,
)

NOW = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)


class QuebecTerritoryFactory(TerritoryFactory):
    country = "QC"
    code = factory.Sequence(lambda n: f"Q{n}")
    name = factory.Sequence(lambda n: f"Municipalité {n}")
    slug = factory.Sequence(lambda n: f"municipalite-{n}")


class CityFactory(OrganisationFactory):
    kind = "collectivite"
    name = factory.Sequence(lambda n: f"Ville émettrice {n}")
    slug = factory.Sequence(lambda n: f"ville-emettrice-{n}")
    territory = factory.SubFactory(TerritoryFactory)


class QuebecCityFactory(CityFactory):
    country = "QC"
    territory = factory.SubFactory(QuebecTerritoryFactory)


class CompanyFactory(OrganisationFactory):
    kind = "startup"
    name = factory.Sequence(lambda n: f"Entreprise {n}")
    slug = factory.Sequence(lambda n: f"entreprise-{n}")


def challenge_input(**changes: Any) -> ChallengeInput:
    """A complete challenge about pilgrims' flows; naive dates are in the issuer's zone."""
    values: dict[str, Any] = {
        "title": "Mesurer les flux touristiques après la saison des pèlerinages",
        "problem": "<p>Nous ne savons pas où vont les visiteurs en <strong>hiver</strong>.</p>",
        "summary": "Comprendre les flux pour adapter les services.",
        "context": "<p>5 millions de visiteurs par an.</p>",
        "expected_outcomes": "<ul><li>Tableau de bord</li></ul>",
        "budget_min": 10_000,
        "budget_max": 40_000,
        "currency": "EUR",
        "pilot_duration_months": 6,
        "opens_at": "2025-03-01T09:00",
        "closes_at": "2025-04-01T17:00",
        "contact_name": "Service innovation",
        "contact_email": "innovation@example.org",
    }
    values.update(changes)
    return ChallengeInput(**values)


def answer_input(**changes: Any) -> AnswerInput:
    values: dict[str, Any] = {
        "approach": "<p>Capteurs anonymes et comptage Wi-Fi agrégé.</p>",
        "references": "<p>Déployé à Nevers.</p>",
        "team": "<p>3 personnes.</p>",
        "price_min": 15_000,
        "price_max": 30_000,
        "currency": "EUR",
    }
    values.update(changes)
    return AnswerInput(**values)


def offer_input(**changes: Any) -> OfferInput:
    values: dict[str, Any] = {
        "title": "Comptage de fréquentation anonyme",
        "summary": "Capteurs sans données personnelles.",
        "description": "<p>Mesure des flux piétons.</p>",
        "target_kinds": ["collectivite"],
        "price_model": "subscription",
    }
    values.update(changes)
    return OfferInput(**values)


@dataclass
class MarketWorld:
    """Cities, companies and people with roles; `now` is the reference time of the tests."""

    now: datetime
    city: Organisation  # Paris time zone
    city_editor: User
    city_member: User
    co_city: Organisation  # Québec (America/Toronto)
    co_city_editor: User
    company: Organisation
    company_editor: User
    company_member: User
    rival: Organisation
    rival_editor: User
    secretariat: User
    outsider: User
    expert: User
    sector: Sector
    extra: dict[str, Any] = field(default_factory=dict)

    def draft(self, **changes: Any) -> Challenge:
        return services.challenge_create(
            actor=self.city_editor,
            lead_issuer=self.city,
            data=challenge_input(**changes),
            now=self.now,
        )

    def open_challenge(self, **changes: Any) -> Challenge:
        challenge = self.draft(**changes)
        services.challenge_submit(actor=self.city_editor, challenge=challenge, now=self.now)
        services.challenge_publish(actor=self.secretariat, challenge=challenge, now=self.now)
        return challenge

    def answer(self, challenge: Challenge, organisation: Organisation | None = None) -> Answer:
        organisation = organisation or self.company
        editor = self.company_editor if organisation == self.company else self.rival_editor
        return services.answer_create(
            actor=editor,
            challenge=challenge,
            organisation=organisation,
            data=answer_input(),
            now=self.now,
        )

    def after_closing(self, challenge: Challenge) -> datetime:
        assert challenge.closes_at is not None
        return challenge.closes_at + timedelta(minutes=1)

    def evaluation(self, jurors: list[User] | None = None) -> tuple[Challenge, list[Answer]]:
        """An open challenge answered by the company and the rival, closed, in evaluation."""
        challenge = self.open_challenge()
        answers = [self.answer(challenge, self.company), self.answer(challenge, self.rival)]
        for user in jurors or []:
            services.jury_add(actor=self.city_editor, challenge=challenge, user=user)
        services.challenges_close_due(now=self.after_closing(challenge))
        challenge.refresh_from_db()
        services.challenge_start_evaluation(actor=self.city_editor, challenge=challenge)
        return challenge, answers

    def offer(self, **changes: Any) -> Offer:
        return services.offer_create(
            actor=self.company_editor,
            organisation=self.company,
            data=offer_input(**changes),
            publish=True,
        )


def make_world() -> MarketWorld:
    paris_town = TerritoryFactory(name="Nevers", slug="nevers-test")
    quebec_town = QuebecTerritoryFactory(name="Shawinigan", slug="shawinigan-test")
    city = CityFactory(name="Ville de Nevers", territory=paris_town)
    co_city = QuebecCityFactory(name="Ville de Shawinigan", territory=quebec_town)
    company = CompanyFactory(name="Flux Pyrénées")
    rival = CompanyFactory(name="Compteurs du Nord")
    expert = UserFactory(full_name="Experte invitée")
    Expert.objects.create(name="Experte invitée", slug="experte-invitee", user=expert)
    return MarketWorld(
        now=NOW,
        city=city,
        city_editor=member_of(city, "editor"),
        city_member=member_of(city, "member"),
        co_city=co_city,
        co_city_editor=member_of(co_city, "editor"),
        company=company,
        company_editor=member_of(company, "editor"),
        company_member=member_of(company, "member"),
        rival=rival,
        rival_editor=member_of(rival, "editor"),
        secretariat=UserFactory(is_secretariat=True),
        outsider=UserFactory(),
        expert=expert,
        sector=SectorFactory(slug="tourisme-test", name="Tourisme test"),
    )


__all__ = [
    "NOW",
    "CityFactory",
    "CompanyFactory",
    "MarketWorld",
    "QuebecCityFactory",
    "QuebecTerritoryFactory",
    "Territory",
    "answer_input",
    "challenge_input",
    "make_world",
    "offer_input",
]
