"""Inputs of the market's write services and their validation (French messages per field).

Forms, the API and the demo build these dataclasses and hand them to the services, so that all
of them report the same errors. Rich texts are sanitised with the directory's sanitiser.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from mediane.core.errors import ValidationFailed
from mediane.directory.models import OrganisationKind, Sector
from mediane.directory.sanitize import clean_text, html_to_text, sanitize_html
from mediane.market.models import Currency, PriceModel
from mediane.territories.models import Country, Territory

MAX_RICH_TEXT = 20_000
MAX_BUDGET = 2_000_000_000
MAX_PILOT_MONTHS = 120

Errors = dict[str, list[str]]


@dataclass
class ChallengeInput:
    """The content of a challenge. Naive datetimes are in the lead issuer's time zone."""

    title: str = ""
    problem: str = ""  # rich text
    summary: str = ""
    context: str = ""  # rich text
    expected_outcomes: str = ""  # rich text
    constraints: str = ""  # rich text
    budget_min: int | str | None = None
    budget_max: int | str | None = None
    currency: str = Currency.EUR
    pilot_duration_months: int | str | None = None
    opens_at: datetime | str | None = None
    closes_at: datetime | str | None = None
    sectors: list[str] = field(default_factory=list)  # sector slugs
    territories: list[str] = field(default_factory=list)  # territory slugs
    eligible_countries: list[str] = field(default_factory=list)
    eligible_kinds: list[str] = field(default_factory=list)
    contact_name: str = ""
    contact_email: str = ""

    @classmethod
    def from_challenge(cls, challenge: Any) -> ChallengeInput:
        """The current values of `challenge`, to change a few fields and save them back."""
        return cls(
            title=challenge.title,
            problem=challenge.problem,
            summary=challenge.summary,
            context=challenge.context,
            expected_outcomes=challenge.expected_outcomes,
            constraints=challenge.constraints,
            budget_min=challenge.budget_min,
            budget_max=challenge.budget_max,
            currency=challenge.currency,
            pilot_duration_months=challenge.pilot_duration_months,
            opens_at=challenge.opens_at,
            closes_at=challenge.closes_at,
            sectors=[s.slug for s in challenge.sectors.all()],
            territories=[t.slug for t in challenge.territories.all()],
            eligible_countries=list(challenge.eligible_countries),
            eligible_kinds=list(challenge.eligible_kinds),
            contact_name=challenge.contact_name,
            contact_email=challenge.contact_email,
        )


@dataclass
class AnswerInput:
    approach: str = ""  # rich text
    references: str = ""  # rich text
    team: str = ""  # rich text
    price_min: int | str | None = None
    price_max: int | str | None = None
    currency: str = Currency.EUR


@dataclass
class OfferInput:
    title: str = ""
    summary: str = ""
    description: str = ""  # rich text
    sectors: list[str] = field(default_factory=list)
    target_kinds: list[str] = field(default_factory=list)
    price_model: str = PriceModel.QUOTE


@dataclass
class PilotReportInput:
    outcome: str = ""  # rich text
    contract_signed: bool = False
    amount: int | str | None = None
    currency: str = Currency.EUR
    lessons: str = ""  # rich text


def fail(message: str, errors: Errors) -> ValidationFailed:
    return ValidationFailed(message, field_errors=errors)


def _add(errors: Errors, name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


def rich(value: Any, name: str, errors: Errors, *, required: bool = False) -> str:
    cleaned = sanitize_html(str(value or ""))
    if len(cleaned) > MAX_RICH_TEXT:
        _add(errors, name, _("Texte trop long (20 000 caractères au maximum)."))
    if required and not html_to_text(cleaned):
        _add(errors, name, _("Ce champ est obligatoire."))
    return cleaned


def text(value: Any, name: str, errors: Errors, *, max_length: int, required: bool = False) -> str:
    cleaned = clean_text(value)
    if len(cleaned) > max_length:
        _add(
            errors,
            name,
            _("Texte trop long (%(max)s caractères au maximum).") % {"max": max_length},
        )
    if required and not cleaned:
        _add(errors, name, _("Ce champ est obligatoire."))
    return cleaned


def amount(value: Any, name: str, errors: Errors, *, maximum: int = MAX_BUDGET) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = int(str(value).replace(" ", "").replace("\u202f", ""))
    except ValueError:
        _add(errors, name, _("Saisissez un nombre entier."))
        return None
    if number < 0 or number > maximum:
        _add(errors, name, _("Saisissez un nombre entre 0 et %(max)s.") % {"max": maximum})
        return None
    return number


def choice(value: Any, name: str, errors: Errors, choices: list[str]) -> str:
    value = str(value or "")
    if value not in choices:
        _add(errors, name, _("Choix non valide."))
    return value


def choices_list(value: Any, name: str, errors: Errors, choices: list[str]) -> list[str]:
    items = [str(v) for v in (value or [])]
    unknown = [v for v in items if v not in choices]
    if unknown:
        _add(errors, name, _("Choix non valide : %(values)s.") % {"values": ", ".join(unknown)})
    return list(dict.fromkeys(v for v in items if v in choices))


def range_check(low: int | None, high: int | None, name: str, errors: Errors) -> None:
    if low is not None and high is not None and low > high:
        _add(errors, name, _("Le maximum doit être supérieur ou égal au minimum."))


def sectors_from(slugs: list[str], errors: Errors, name: str = "sectors") -> list[Sector]:
    wanted = list(dict.fromkeys(str(s) for s in slugs or []))
    found = {s.slug: s for s in Sector.objects.filter(slug__in=wanted)}
    missing = [s for s in wanted if s not in found]
    if missing:
        _add(errors, name, _("Secteurs inconnus : %(values)s.") % {"values": ", ".join(missing)})
    return [found[s] for s in wanted if s in found]


def territories_from(slugs: list[str], errors: Errors) -> list[Territory]:
    wanted = list(dict.fromkeys(str(s) for s in slugs or []))
    found = {t.slug: t for t in Territory.objects.filter(slug__in=wanted)}
    missing = [s for s in wanted if s not in found]
    if missing:
        _add(
            errors,
            "territories",
            _("Territoires inconnus : %(values)s.") % {"values": ", ".join(missing)},
        )
    return [found[s] for s in wanted if s in found]


def local_datetime(value: Any, name: str, errors: Errors, time_zone: str) -> datetime | None:
    """An aware datetime; naive values (and strings) are read in `time_zone`, stored as UTC."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    parsed: datetime | None
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = parse_datetime(str(value).strip())
        except ValueError:
            parsed = None
    if parsed is None:
        _add(errors, name, _("Date et heure non valides (AAAA-MM-JJ HH:MM)."))
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, zoneinfo.ZoneInfo(time_zone))
    return parsed.astimezone(zoneinfo.ZoneInfo("UTC"))


def clean_email(value: Any, name: str, errors: Errors) -> str:
    email = clean_text(value, max_length=254)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            _add(errors, name, _("Adresse e-mail non valide."))
    return email


def validate_challenge(data: ChallengeInput, *, time_zone: str) -> tuple[dict[str, Any], Errors]:
    """Clean values of a challenge (sectors and territories as objects) and the errors found."""
    errors: Errors = {}
    values: dict[str, Any] = {
        "title": text(data.title, "title", errors, max_length=200, required=True),
        "summary": text(data.summary, "summary", errors, max_length=300),
        "problem": rich(data.problem, "problem", errors, required=True),
        "context": rich(data.context, "context", errors),
        "expected_outcomes": rich(data.expected_outcomes, "expected_outcomes", errors),
        "constraints": rich(data.constraints, "constraints", errors),
        "budget_min": amount(data.budget_min, "budget_min", errors),
        "budget_max": amount(data.budget_max, "budget_max", errors),
        "currency": choice(data.currency, "currency", errors, Currency.values),
        "pilot_duration_months": amount(
            data.pilot_duration_months, "pilot_duration_months", errors, maximum=MAX_PILOT_MONTHS
        ),
        "opens_at": local_datetime(data.opens_at, "opens_at", errors, time_zone),
        "closes_at": local_datetime(data.closes_at, "closes_at", errors, time_zone),
        "eligible_countries": choices_list(
            data.eligible_countries, "eligible_countries", errors, Country.values
        ),
        "eligible_kinds": choices_list(
            data.eligible_kinds, "eligible_kinds", errors, OrganisationKind.values
        ),
        "contact_name": text(data.contact_name, "contact_name", errors, max_length=150),
        "contact_email": clean_email(data.contact_email, "contact_email", errors),
    }
    range_check(values["budget_min"], values["budget_max"], "budget_max", errors)
    if values["opens_at"] and values["closes_at"] and values["opens_at"] >= values["closes_at"]:
        _add(errors, "closes_at", _("La clôture doit suivre l'ouverture."))
    values["sectors"] = sectors_from(data.sectors, errors)
    values["territories"] = territories_from(data.territories, errors)
    return values, errors


def validate_answer(data: AnswerInput) -> tuple[dict[str, Any], Errors]:
    errors: Errors = {}
    values: dict[str, Any] = {
        "approach": rich(data.approach, "approach", errors, required=True),
        "references": rich(data.references, "references", errors),
        "team": rich(data.team, "team", errors),
        "price_min": amount(data.price_min, "price_min", errors),
        "price_max": amount(data.price_max, "price_max", errors),
        "currency": choice(data.currency, "currency", errors, Currency.values),
    }
    range_check(values["price_min"], values["price_max"], "price_max", errors)
    return values, errors


def validate_offer(data: OfferInput) -> tuple[dict[str, Any], Errors]:
    errors: Errors = {}
    values: dict[str, Any] = {
        "title": text(data.title, "title", errors, max_length=200, required=True),
        "summary": text(data.summary, "summary", errors, max_length=300),
        "description": rich(data.description, "description", errors),
        "target_kinds": choices_list(
            data.target_kinds, "target_kinds", errors, OrganisationKind.values
        ),
        "price_model": choice(data.price_model, "price_model", errors, PriceModel.values),
    }
    values["sectors"] = sectors_from(data.sectors, errors)
    return values, errors


def validate_pilot_report(data: PilotReportInput) -> tuple[dict[str, Any], Errors]:
    errors: Errors = {}
    values: dict[str, Any] = {
        "outcome": rich(data.outcome, "outcome", errors, required=True),
        "contract_signed": bool(data.contract_signed),
        "amount": amount(data.amount, "amount", errors),
        "currency": choice(data.currency, "currency", errors, Currency.values),
        "lessons": rich(data.lessons, "lessons", errors),
    }
    if values["contract_signed"] and values["amount"] is None:
        _add(errors, "amount", _("Indiquez le montant du contrat signé."))
    return values, errors
