"""Typed inputs of the directory's write services, and their validation.

Forms, the API and the importer build an `OrganisationInput` / `ExpertInput` from plain values;
`validate_organisation` / `validate_expert` check and normalise them and return French errors
per field, so every entry point reports the same messages.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils.translation import gettext as _

from mediane.core.models import Visibility
from mediane.directory import identifiers
from mediane.directory.models import ExpertKind, Organisation, OrganisationKind, Sector, Skill
from mediane.directory.sanitize import clean_text, sanitize_html
from mediane.territories.models import Country, Territory

MAX_DESCRIPTION = 20_000
LANGUAGE_CODES = {"fr", "en", "es", "de", "it", "pt", "ar", "zh"}


@dataclass
class OrganisationInput:
    """Everything an organisation's profile holds, as plain values (ids and slugs)."""

    name: str
    kind: str
    country: str
    siren: str = ""
    siret: str = ""
    neq: str = ""
    territory_id: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    website: str = ""
    summary: str = ""
    description: str = ""
    contact_email: str = ""
    visibility: str = Visibility.PUBLIC
    sector_slugs: list[str] = field(default_factory=list)
    is_demo: bool = False

    @classmethod
    def from_organisation(cls, organisation: Organisation) -> OrganisationInput:
        """The current values of `organisation`, handy for partial updates with `replace`."""
        return cls(
            name=organisation.name,
            kind=organisation.kind,
            country=organisation.country,
            siren=organisation.siren,
            siret=organisation.siret,
            neq=organisation.neq,
            territory_id=organisation.territory_id,  # type: ignore[attr-defined]
            latitude=organisation.latitude,
            longitude=organisation.longitude,
            website=organisation.website,
            summary=organisation.summary,
            description=organisation.description,
            contact_email=organisation.contact_email,
            visibility=organisation.visibility,
            sector_slugs=[s.slug for s in organisation.sectors.all()],
            is_demo=organisation.is_demo,
        )

    def replace(self, **changes: Any) -> OrganisationInput:
        return dataclasses.replace(self, **changes)


@dataclass
class CleanOrganisation:
    """Validated values, ready to be written."""

    values: dict[str, Any]
    sectors: list[Sector]


Errors = dict[str, list[str]]


def _add(errors: Errors, name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


def _float(value: Any, name: str, low: float, high: float, errors: Errors) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        _add(errors, name, _("Nombre attendu."))
        return None
    if not low <= number <= high:
        _add(
            errors,
            name,
            _("Valeur hors limites (%(low)s à %(high)s).") % {"low": low, "high": high},
        )
        return None
    return number


def clean_website(value: Any, errors: Errors, name: str = "website") -> str:
    url = clean_text(value)
    if not url:
        return ""
    if "://" not in url:
        url = "https://" + url
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        _add(errors, name, _("Adresse web invalide."))
        return ""
    if len(url) > 200:
        _add(errors, name, _("Adresse web trop longue (200 caractères au maximum)."))
        return ""
    return url


def clean_email(value: Any, errors: Errors, name: str = "contact_email") -> str:
    email = clean_text(value).lower()
    if not email:
        return ""
    try:
        EmailValidator()(email)
    except ValidationError:
        _add(errors, name, _("Adresse e-mail invalide."))
        return ""
    return email


def _identifiers(data: OrganisationInput, country: str, errors: Errors) -> dict[str, str]:
    values = {"siren": "", "siret": "", "neq": ""}
    for name, validator in (
        ("siren", identifiers.validate_siren),
        ("siret", identifiers.validate_siret),
        ("neq", identifiers.validate_neq),
    ):
        raw = clean_text(getattr(data, name))
        if not raw:
            continue
        try:
            values[name] = validator(raw)
        except ValueError as exc:
            _add(errors, name, str(exc))
    if country != Country.FRANCE:
        for name in ("siren", "siret"):
            if values[name]:
                _add(
                    errors, name, _("Le SIREN et le SIRET concernent les organisations françaises.")
                )
                values[name] = ""
    if country != Country.QUEBEC and values["neq"]:
        _add(errors, "neq", _("Le NEQ concerne les organisations québécoises."))
        values["neq"] = ""
    if values["siret"]:
        siren = identifiers.siren_of_siret(values["siret"])
        if values["siren"] and values["siren"] != siren:
            _add(errors, "siret", _("Le SIRET ne correspond pas au SIREN."))
        values["siren"] = siren
    return values


def validate_organisation(
    data: OrganisationInput, *, territories: dict[int, Territory] | None = None
) -> tuple[CleanOrganisation | None, Errors]:
    """Check and normalise `data`; return (clean values, {}) or (None, errors by field).

    `territories` lets bulk callers pass pre-loaded territories instead of one query per row.
    """
    errors: Errors = {}
    name = clean_text(data.name, max_length=None)
    if not name:
        _add(errors, "name", _("Le nom est obligatoire."))
    elif len(name) > 200:
        _add(errors, "name", _("Le nom est trop long (200 caractères au maximum)."))
    kind = clean_text(data.kind)
    if kind not in OrganisationKind.values:
        _add(errors, "kind", _("Type d'organisation inconnu : « %(value)s ».") % {"value": kind})
    country = clean_text(data.country).upper()
    if country not in Country.values:
        _add(errors, "country", _("Pays inconnu : « %(value)s » (FR ou QC).") % {"value": country})
    visibility = clean_text(data.visibility) or Visibility.PUBLIC
    if visibility not in Visibility.values:
        _add(
            errors, "visibility", _("Visibilité inconnue : « %(value)s ».") % {"value": visibility}
        )
    ids = _identifiers(data, country, errors)
    territory = None
    if data.territory_id is not None:
        if territories is not None:
            territory = territories.get(data.territory_id)
        else:
            territory = Territory.objects.filter(pk=data.territory_id).first()
        if territory is None:
            _add(errors, "territory", _("Territoire inconnu."))
        elif country in Country.values and territory.country != country:
            _add(errors, "territory", _("Le territoire n'est pas dans le pays de l'organisation."))
    latitude = _float(data.latitude, "latitude", -90, 90, errors)
    longitude = _float(data.longitude, "longitude", -180, 180, errors)
    if (
        (latitude is None) != (longitude is None)
        and "latitude" not in errors
        and ("longitude" not in errors)
    ):
        _add(errors, "latitude", _("Indiquez la latitude et la longitude, ou aucune des deux."))
    summary = clean_text(data.summary)
    if len(summary) > 300:
        _add(errors, "summary", _("L'accroche est trop longue (300 caractères au maximum)."))
    description = sanitize_html(data.description)
    if len(description) > MAX_DESCRIPTION:
        _add(errors, "description", _("La description est trop longue."))
    website = clean_website(data.website, errors)
    email = clean_email(data.contact_email, errors)
    sectors = sectors_from_slugs(data.sector_slugs, errors)
    if errors:
        return None, errors
    values = {
        "name": name,
        "kind": kind,
        "country": country,
        **ids,
        "territory": territory,
        "latitude": latitude,
        "longitude": longitude,
        "website": website,
        "summary": summary,
        "description": description,
        "contact_email": email,
        "visibility": visibility,
        "is_demo": bool(data.is_demo),
    }
    return CleanOrganisation(values=values, sectors=sectors), {}


def sectors_from_slugs(slugs: list[str] | tuple[str, ...], errors: Errors) -> list[Sector]:
    wanted = [clean_text(slug) for slug in slugs or [] if clean_text(slug)]
    if not wanted:
        return []
    found = {s.slug: s for s in Sector.objects.filter(slug__in=wanted)}
    unknown = [slug for slug in wanted if slug not in found]
    if unknown:
        _add(errors, "sectors", _("Secteur inconnu : %(values)s.") % {"values": ", ".join(unknown)})
    return [found[slug] for slug in dict.fromkeys(wanted) if slug in found]


@dataclass
class ExpertInput:
    """An expert's profile (a person or a firm) as plain values."""

    name: str
    kind: str = ExpertKind.PERSON
    headline: str = ""
    bio: str = ""
    organisation_id: int | None = None
    user_id: int | None = None
    skills: list[str] = field(default_factory=list)  # names; unknown skills are created
    sector_slugs: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=lambda: ["fr"])
    territory_ids: list[int] = field(default_factory=list)
    visibility: str = Visibility.PUBLIC
    is_demo: bool = False

    def replace(self, **changes: Any) -> ExpertInput:
        return dataclasses.replace(self, **changes)


@dataclass
class CleanExpert:
    values: dict[str, Any]
    skills: list[str]
    sectors: list[Sector]
    territories: list[Territory]


def validate_expert(data: ExpertInput) -> tuple[CleanExpert | None, Errors]:
    """Check and normalise an expert's input; French errors by field."""
    errors: Errors = {}
    name = clean_text(data.name)
    if not name:
        _add(errors, "name", _("Le nom est obligatoire."))
    elif len(name) > 200:
        _add(errors, "name", _("Le nom est trop long (200 caractères au maximum)."))
    if data.kind not in ExpertKind.values:
        _add(errors, "kind", _("Type d'expert inconnu."))
    if data.visibility not in Visibility.values:
        _add(
            errors,
            "visibility",
            _("Visibilité inconnue : « %(value)s ».") % {"value": data.visibility},
        )
    headline = clean_text(data.headline)
    if len(headline) > 200:
        _add(errors, "headline", _("Le titre est trop long (200 caractères au maximum)."))
    bio = sanitize_html(data.bio)
    if len(bio) > MAX_DESCRIPTION:
        _add(errors, "bio", _("La présentation est trop longue."))
    organisation = None
    if data.organisation_id is not None:
        organisation = Organisation.objects.filter(pk=data.organisation_id).first()
        if organisation is None:
            _add(errors, "organisation", _("Organisation inconnue."))
    languages = [clean_text(code).lower() for code in data.languages if clean_text(code)]
    unknown = [code for code in languages if code not in LANGUAGE_CODES]
    if unknown:
        _add(
            errors, "languages", _("Langue inconnue : %(values)s.") % {"values": ", ".join(unknown)}
        )
    skills = []
    for skill in data.skills:
        text = clean_text(skill)
        if len(text) > 100:
            _add(errors, "skills", _("Compétence trop longue (100 caractères au maximum)."))
        elif text:
            skills.append(text)
    sectors = sectors_from_slugs(data.sector_slugs, errors)
    territories = list(Territory.objects.filter(pk__in=data.territory_ids))
    if len(territories) != len(set(data.territory_ids)):
        _add(errors, "territories_served", _("Territoire inconnu."))
    if errors:
        return None, errors
    values: dict[str, Any] = {
        "name": name,
        "kind": data.kind,
        "headline": headline,
        "bio": bio,
        "organisation": organisation,
        "languages": ",".join(dict.fromkeys(languages)) or "fr",
        "visibility": data.visibility,
        "is_demo": bool(data.is_demo),
    }
    if data.user_id is not None:
        values["user_id"] = data.user_id
    return CleanExpert(
        values=values, skills=list(dict.fromkeys(skills)), sectors=sectors, territories=territories
    ), {}


def skill_objects(names: list[str]) -> list[Skill]:
    """Skills by name (case-insensitive), created when new."""
    from django.utils.text import slugify

    result = []
    for name in names:
        skill = Skill.objects.filter(name__iexact=name).first()
        if skill is None:
            base = slugify(name)[:70] or "competence"
            slug, n = base, 2
            while Skill.objects.filter(slug=slug).exists():
                slug, n = f"{base}-{n}", n + 1
            skill = Skill.objects.create(name=name, slug=slug)
        result.append(skill)
    return result
