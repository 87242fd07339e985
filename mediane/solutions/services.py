"""Write services of solutions: solution sheets (with their result indicators), their
replication into another city's draft challenge or project, and the outcome of a replication.

Every function is keyword-only, atomic, checks the actor's permission first
(`core.permissions.require`), writes an audit entry, keeps the search index in step (published
sheets only, with their visibility) and notifies through the digest system (topic "solution").
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from mediane.accounts.models import Role, User
from mediane.cooperation.models import Project
from mediane.cooperation.services import project_create
from mediane.core.errors import Conflict, ValidationFailed
from mediane.core.models import Visibility
from mediane.core.permissions import has_role, is_secretariat, require
from mediane.core.services import audit_record
from mediane.directory.models import Organisation, OrganisationKind, Sector
from mediane.directory.sanitize import clean_text
from mediane.market.models import Offer, OfferStatus
from mediane.search.services import SearchDocument, index_document, remove_document
from mediane.solutions.models import (
    Currency,
    Replication,
    SolutionIndicator,
    SolutionSheet,
    SolutionStatus,
    TargetKind,
)

SEARCH_KIND = "solution"
RESERVED_SLUGS = {"nouvelle", "reproductions", "export", "carte"}
MAX_TEXT = 20_000
MAX_COST = 2_000_000_000
MAX_MONTHS = 240
MAX_INDICATORS = 12
Errors = dict[str, list[str]]
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_EMAIL = re.compile(r"\S+@\S+\.\S+")


@dataclass
class IndicatorInput:
    name: str = ""
    unit: str = ""
    value_before: Decimal | str | None = None
    value_after: Decimal | str | None = None
    measured_on: date | str | None = None


@dataclass
class SolutionInput:
    """The content of a sheet. Texts are plain (paragraphs separated by blank lines)."""

    title: str = ""
    summary: str = ""
    problem: str = ""
    solution: str = ""
    supplier_organisation: str = ""  # organisation slug
    supplier_offer: str = ""  # offer slug
    supplier_name: str = ""
    cost_amount: int | str | None = None
    currency: str = Currency.EUR
    duration_months: int | str | None = None
    deployed_on: date | str | None = None
    results: str = ""
    lessons: str = ""
    contact_role: str = ""
    sectors: list[str] = field(default_factory=list)  # sector slugs
    visibility: str = Visibility.PUBLIC
    status: str = SolutionStatus.DRAFT
    indicators: list[IndicatorInput] = field(default_factory=list)

    @classmethod
    def from_sheet(cls, sheet: SolutionSheet) -> SolutionInput:
        return cls(
            title=sheet.title,
            summary=sheet.summary,
            problem=sheet.problem,
            solution=sheet.solution,
            supplier_organisation=sheet.supplier_organisation.slug
            if sheet.supplier_organisation
            else "",
            supplier_offer=sheet.supplier_offer.slug if sheet.supplier_offer else "",
            supplier_name=sheet.supplier_name,
            cost_amount=sheet.cost_amount,
            currency=sheet.currency,
            duration_months=sheet.duration_months,
            deployed_on=sheet.deployed_on,
            results=sheet.results,
            lessons=sheet.lessons,
            contact_role=sheet.contact_role,
            sectors=[s.slug for s in sheet.sectors.all()],
            visibility=sheet.visibility,
            status=sheet.status,
            indicators=[
                IndicatorInput(
                    name=i.name,
                    unit=i.unit,
                    value_before=i.value_before,
                    value_after=i.value_after,
                    measured_on=i.measured_on,
                )
                for i in sheet.indicators.all()  # type: ignore[attr-defined]
            ],
        )


# --- Validation ----------------------------------------------------------------------------------


def _add(errors: Errors, name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


def _line(value: Any, name: str, errors: Errors, *, max_length: int, required: bool = False) -> str:
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


def _long(value: Any, name: str, errors: Errors, *, required: bool = False) -> str:
    text = _CONTROL.sub("", "" if value is None else str(value)).replace("\r\n", "\n").strip()
    if len(text) > MAX_TEXT:
        _add(errors, name, _("Texte trop long (20 000 caractères au maximum)."))
    if required and not text:
        _add(errors, name, _("Ce champ est obligatoire."))
    return text


def _integer(value: Any, name: str, errors: Errors, *, maximum: int) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = int(str(value).replace(" ", "").replace("\u202f", "").replace("\xa0", ""))
    except ValueError:
        _add(errors, name, _("Saisissez un nombre entier."))
        return None
    if number < 0 or number > maximum:
        _add(errors, name, _("Saisissez un nombre entre 0 et %(max)s.") % {"max": maximum})
        return None
    return number


def _decimal(value: Any, name: str, errors: Errors) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = Decimal(str(value).replace(" ", "").replace("\u202f", "").replace(",", "."))
    except InvalidOperation:
        _add(errors, name, _("Saisissez un nombre (par exemple 12,5)."))
        return None
    if not number.is_finite() or abs(number) >= Decimal("1e12"):
        _add(errors, name, _("Saisissez un nombre raisonnable."))
        return None
    return number.quantize(Decimal("0.01"))


def _date(value: Any, name: str, errors: Errors) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        _add(errors, name, _("Saisissez une date (AAAA-MM-JJ)."))
        return None


def _indicators(items: list[IndicatorInput], errors: Errors) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        prefix = f"indicators.{index}"
        name = _line(item.name, f"{prefix}.name", errors, max_length=200)
        unit = _line(item.unit, f"{prefix}.unit", errors, max_length=40)
        before = _decimal(item.value_before, f"{prefix}.value_before", errors)
        after = _decimal(item.value_after, f"{prefix}.value_after", errors)
        measured = _date(item.measured_on, f"{prefix}.measured_on", errors)
        if not (name or unit or before is not None or after is not None or measured):
            continue  # an empty row of the form
        if not name:
            _add(errors, f"{prefix}.name", _("Nommez l'indicateur."))
        if before is None and after is None:
            _add(errors, f"{prefix}.value_after", _("Donnez au moins une valeur (avant ou après)."))
        rows.append(
            {
                "name": name,
                "unit": unit,
                "value_before": before,
                "value_after": after,
                "measured_on": measured,
            }
        )
    if len(rows) > MAX_INDICATORS:
        _add(errors, "indicators", _("Douze indicateurs au plus."))
    return rows


def _clean(data: SolutionInput) -> dict[str, Any]:
    errors: Errors = {}
    values: dict[str, Any] = {
        "title": _line(data.title, "title", errors, max_length=200, required=True),
        "summary": _line(data.summary, "summary", errors, max_length=300),
        "problem": _long(data.problem, "problem", errors, required=True),
        "solution": _long(data.solution, "solution", errors, required=True),
        "supplier_name": _line(data.supplier_name, "supplier_name", errors, max_length=200),
        "cost_amount": _integer(data.cost_amount, "cost_amount", errors, maximum=MAX_COST),
        "duration_months": _integer(
            data.duration_months, "duration_months", errors, maximum=MAX_MONTHS
        ),
        "deployed_on": _date(data.deployed_on, "deployed_on", errors),
        "results": _long(data.results, "results", errors),
        "lessons": _long(data.lessons, "lessons", errors),
        "contact_role": _line(data.contact_role, "contact_role", errors, max_length=150),
    }
    if data.currency not in Currency.values:
        _add(errors, "currency", _("Choisissez l'euro ou le dollar canadien."))
    values["currency"] = data.currency
    if data.visibility not in Visibility.values:
        _add(errors, "visibility", _("Choisissez une visibilité de la liste."))
    values["visibility"] = data.visibility
    if data.status not in SolutionStatus.values:
        _add(errors, "status", _("Choisissez « Brouillon » ou « Publiée »."))
    values["status"] = data.status
    if _EMAIL.search(values["contact_role"]):
        _add(
            errors,
            "contact_role",
            _(
                "Indiquez une fonction ou un service (par exemple « Direction du numérique »), "
                "pas une adresse électronique."
            ),
        )
    values["supplier_organisation"] = None
    if data.supplier_organisation:
        supplier = Organisation.objects.filter(slug=data.supplier_organisation).first()
        if supplier is None:
            _add(
                errors, "supplier_organisation", _("Cette organisation n'est pas dans l'annuaire.")
            )
        values["supplier_organisation"] = supplier
    values["supplier_offer"] = None
    if data.supplier_offer:
        offer = (
            Offer.objects.filter(slug=data.supplier_offer, status=OfferStatus.PUBLISHED)
            .select_related("organisation")
            .first()
        )
        if offer is None:
            _add(errors, "supplier_offer", _("Cette offre n'existe pas ou n'est pas publiée."))
        elif values["supplier_organisation"] is None:
            values["supplier_organisation"] = offer.organisation
        elif values["supplier_organisation"].pk != offer.organisation_id:  # type: ignore[attr-defined]
            _add(
                errors,
                "supplier_offer",
                _("Cette offre n'est pas celle du fournisseur choisi."),
            )
        values["supplier_offer"] = offer
    slugs = list(dict.fromkeys(s for s in data.sectors if s))
    sectors = list(Sector.objects.filter(slug__in=slugs))
    if len(sectors) != len(slugs):
        _add(errors, "sectors", _("Un des secteurs choisis n'existe pas."))
    values["sectors"] = sectors
    values["indicators"] = _indicators(list(data.indicators), errors)
    if errors:
        raise ValidationFailed(
            _("La fiche n'a pas pu être enregistrée : corrigez les champs signalés."),
            field_errors=errors,
        )
    return values


def _slug(title: str) -> str:
    base = (slugify(title)[:200] or "solution").strip("-") or "solution"
    if base in RESERVED_SLUGS:
        base = f"{base}-1"
    existing = set(
        SolutionSheet.objects.filter(slug__startswith=base).values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in existing:
        slug, n = f"{base}-{n}", n + 1
    return slug


# --- Search --------------------------------------------------------------------------------------


def solution_document(sheet: SolutionSheet) -> SearchDocument:
    keywords = [f"{s.name} {s.name_en}" for s in sheet.sectors.all()]
    keywords.append(sheet.organisation.name)
    if sheet.organisation.territory_id:  # type: ignore[attr-defined]
        keywords.append(sheet.organisation.territory.name)  # type: ignore[union-attr]
    if sheet.supplier_organisation is not None:
        keywords.append(sheet.supplier_organisation.name)
    if sheet.supplier_name:
        keywords.append(sheet.supplier_name)
    body = [sheet.summary, sheet.problem, sheet.solution, sheet.results, sheet.lessons]
    return SearchDocument(
        kind=SEARCH_KIND,
        object_id=sheet.pk,
        title=sheet.title,
        body=" ".join(filter(None, body)),
        keywords=" ".join(keywords),
        visibility=sheet.visibility,
        owner_id=sheet.organisation_id,  # type: ignore[attr-defined]
        url=sheet.get_absolute_url(),
    )


def solution_reindex(sheet: SolutionSheet) -> None:
    """Index a published sheet with its visibility; drafts are never searchable."""
    if sheet.is_published:
        index_document(solution_document(sheet))
    else:
        remove_document(kind=SEARCH_KIND, object_id=sheet.pk)


def iter_solution_documents() -> Iterator[SearchDocument]:
    qs = (
        SolutionSheet.objects.filter(status=SolutionStatus.PUBLISHED)
        .select_related("organisation__territory", "supplier_organisation")
        .prefetch_related("sectors")
    )
    for sheet in qs.order_by("pk").iterator(chunk_size=500):
        yield solution_document(sheet)


# --- Recipients ----------------------------------------------------------------------------------


def city_editors(organisation_id: int) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True,
        memberships__organisation_id=organisation_id,
        memberships__role__in=[Role.EDITOR, Role.ADMIN],
    ).distinct()


def _notify(**kwargs: Any) -> int:
    from mediane.notifications.services import notify

    return notify(**kwargs)


# --- Sheets --------------------------------------------------------------------------------------


def _check_city(actor: Any, organisation: Organisation) -> None:
    require(actor, "create_solution", organisation)
    if organisation.kind != OrganisationKind.COLLECTIVITE:
        message = _("Seule une collectivité peut publier une fiche solution.")
        raise ValidationFailed(message, field_errors={"organisation": [message]})


def _apply(sheet: SolutionSheet, values: dict[str, Any]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name, value in values.items():
        if name in ("sectors", "indicators"):
            continue
        old = getattr(sheet, name)
        if old != value:
            changes[name] = [
                str(old) if old is not None else None,
                str(value) if value is not None else None,
            ]
            setattr(sheet, name, value)
    return changes


def _write_indicators(sheet: SolutionSheet, rows: list[dict[str, Any]]) -> None:
    sheet.indicators.all().delete()  # type: ignore[attr-defined]
    SolutionIndicator.objects.bulk_create(
        [SolutionIndicator(sheet=sheet, position=i, **row) for i, row in enumerate(rows)]
    )


@transaction.atomic
def solution_create(
    *,
    actor: Any,
    organisation: Organisation,
    data: SolutionInput,
    is_demo: bool = False,
    now: datetime | None = None,
) -> SolutionSheet:
    """Record what `organisation` (a city the actor edits) deployed."""
    _check_city(actor, organisation)
    values = _clean(data)
    sheet = SolutionSheet(organisation=organisation, is_demo=is_demo)
    _apply(sheet, values)
    sheet.slug = _slug(sheet.title)
    sheet.created_by = actor if getattr(actor, "is_authenticated", False) else None
    if sheet.status == SolutionStatus.PUBLISHED:
        sheet.published_at = now or timezone.now()
    sheet.save()
    sheet.sectors.set(values["sectors"])
    _write_indicators(sheet, values["indicators"])
    audit_record(
        actor=actor,
        action="solution.create",
        obj=sheet,
        organisation=organisation,
        changes={"status": sheet.status, "visibility": sheet.visibility},
    )
    solution_reindex(sheet)
    return sheet


@transaction.atomic
def solution_update(
    *, actor: Any, sheet: SolutionSheet, data: SolutionInput, now: datetime | None = None
) -> SolutionSheet:
    require(actor, "change", sheet)
    values = _clean(data)
    was_published = sheet.is_published
    changes = _apply(sheet, values)
    if sheet.is_published and not was_published:
        sheet.published_at = now or timezone.now()
    elif not sheet.is_published:
        sheet.published_at = None
    sheet.save()
    sheet.sectors.set(values["sectors"])
    _write_indicators(sheet, values["indicators"])
    audit_record(
        actor=actor,
        action="solution.update",
        obj=sheet,
        organisation=sheet.organisation,
        changes=changes,
    )
    solution_reindex(sheet)
    return sheet


@transaction.atomic
def solution_delete(*, actor: Any, sheet: SolutionSheet) -> None:
    """Delete a sheet nobody replicated (a replicated one stays: other cities point to it)."""
    require(actor, "delete", sheet)
    if sheet.replications.exists():  # type: ignore[attr-defined]
        raise Conflict(
            _(
                "Cette solution a été reproduite par d'autres villes : repassez-la en brouillon "
                "plutôt que de la supprimer."
            ),
            code="replicated",
        )
    audit_record(actor=actor, action="solution.delete", obj=sheet, organisation=sheet.organisation)
    remove_document(kind=SEARCH_KIND, object_id=sheet.pk)
    sheet.delete()


# --- Replication ---------------------------------------------------------------------------------


def replication_cities(actor: Any, sheet: SolutionSheet) -> list[Organisation]:
    """The cities `actor` may replicate `sheet` into: collectivités they edit (any collectivité
    for the secretariat), other than the sheet's own city."""
    qs = Organisation.objects.filter(kind=OrganisationKind.COLLECTIVITE).exclude(
        pk=sheet.organisation_id  # type: ignore[attr-defined]
    )
    if not is_secretariat(actor):
        from mediane.core.permissions import user_roles

        editable = [pk for pk, role in user_roles(actor).items() if role in ("editor", "admin")]
        qs = qs.filter(pk__in=editable)
    return list(qs.select_related("territory").order_by("name"))


def _paragraphs(text: str) -> str:
    """Plain text as the safe HTML of a challenge's rich-text fields."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text or "") if b.strip()]
    return "".join(
        "<p>" + "<br>".join(html.escape(line) for line in block.splitlines()) + "</p>"
        for block in blocks
    )


def _source_context(sheet: SolutionSheet) -> str:
    url = settings.SITE_URL + sheet.get_absolute_url()
    city = sheet.organisation.name
    lines = [
        "<p>"
        + html.escape(
            _("Ce brouillon reprend la solution « %(title)s » déployée par %(city)s.")
            % {"title": sheet.title, "city": city}
        )
        + f' <a href="{html.escape(url)}">{html.escape(_("Voir la fiche solution"))}</a></p>'
    ]
    if sheet.solution:
        lines.append(
            "<h3>" + html.escape(_("Solution déployée à %(city)s") % {"city": city}) + "</h3>"
        )
        lines.append(_paragraphs(sheet.solution))
    if sheet.results:
        lines.append("<h3>" + html.escape(_("Résultats obtenus")) + "</h3>")
        lines.append(_paragraphs(sheet.results))
    if sheet.lessons:
        lines.append("<h3>" + html.escape(_("Enseignements")) + "</h3>")
        lines.append(_paragraphs(sheet.lessons))
    return "".join(lines)


def _challenge_from(actor: Any, sheet: SolutionSheet, city: Organisation, title: str) -> Any:
    from mediane.market.inputs import ChallengeInput
    from mediane.market.services import challenge_create

    territory = city.territory
    data = ChallengeInput(
        title=title,
        summary=(sheet.summary or "")[:300],
        problem=_paragraphs(sheet.problem),
        context=_source_context(sheet),
        budget_min=None,
        budget_max=None,
        currency=sheet.currency,
        pilot_duration_months=min(sheet.duration_months, 120) if sheet.duration_months else None,
        sectors=[s.slug for s in sheet.sectors.all()],
        territories=[territory.slug] if territory is not None else [],
    )
    return challenge_create(actor=actor, lead_issuer=city, data=data, is_demo=sheet.is_demo)


def _source_plain(sheet: SolutionSheet) -> str:
    """The description of a draft project: which solution of which city it comes from (with
    the sheet's address), then what was deployed there, its results and lessons; plain text,
    paragraphs separated by blank lines, each readable on its own line too."""
    city = sheet.organisation.name
    parts = [
        _("Ce brouillon reprend la solution « %(title)s » déployée par %(city)s.")
        % {"title": sheet.title, "city": city}
        + " "
        + _("Fiche solution : %(url)s") % {"url": settings.SITE_URL + sheet.get_absolute_url()}
    ]
    for heading, text in (
        (_("Solution déployée à %(city)s") % {"city": city}, sheet.solution),
        (_("Résultats obtenus"), sheet.results),
        (_("Enseignements"), sheet.lessons),
    ):
        if text:
            parts.append(f"{heading} : {text.strip()}")
    return "\n\n".join(parts)


def _project_from(actor: Any, sheet: SolutionSheet, city: Organisation, title: str) -> Project:
    territory = city.territory
    return project_create(
        actor=actor,
        lead=city,
        title=title,
        summary=(sheet.summary or "")[:300],
        goals=sheet.problem,
        description=_source_plain(sheet),
        sectors=list(sheet.sectors.all()),
        territories=[territory] if territory is not None else [],
        currency=sheet.currency,
        is_demo=sheet.is_demo,
    )


@transaction.atomic
def solution_replicate(
    *,
    actor: Any,
    sheet: SolutionSheet,
    organisation: Organisation,
    kind: str = TargetKind.CHALLENGE,
    title: str = "",
) -> Replication:
    """Create a draft challenge (or project) of `organisation` prefilled from `sheet`, linked
    to it, and tell the source city's editors."""
    require(actor, "replicate", sheet)
    if kind not in TargetKind.values:
        raise ValidationFailed(
            _("Choisissez un défi ou un projet."), field_errors={"kind": [_("Choix invalide.")]}
        )
    if organisation.pk == sheet.organisation_id:  # type: ignore[attr-defined]
        message = _("Cette solution est déjà celle de %(city)s : choisissez une autre ville.") % {
            "city": organisation.name
        }
        raise ValidationFailed(message, field_errors={"organisation": [message]})
    if organisation.kind != OrganisationKind.COLLECTIVITE:
        message = _("Seule une collectivité peut reproduire une solution.")
        raise ValidationFailed(message, field_errors={"organisation": [message]})
    if not is_secretariat(actor) and not has_role(actor, organisation.pk, "editor"):
        raise PermissionDenied("replicate")
    clean_title = clean_text(title, max_length=200) or clean_text(
        _("%(title)s à %(city)s") % {"title": sheet.title, "city": _city_name(organisation)},
        max_length=200,
    )
    replication = Replication(
        solution=sheet,
        organisation=organisation,
        kind=kind,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if kind == TargetKind.CHALLENGE:
        replication.challenge = _challenge_from(actor, sheet, organisation, clean_title)
    else:
        replication.project = _project_from(actor, sheet, organisation, clean_title)
    replication.save()
    audit_record(
        actor=actor,
        action="solution.replicate",
        obj=sheet,
        organisation=organisation,
        changes={"kind": kind, "replication": replication.pk, "city": organisation.pk},
    )
    _notify(
        recipients=city_editors(sheet.organisation_id),  # type: ignore[attr-defined]
        topic="solution",
        verb="replicated",
        title=_("%(city)s reproduit votre solution « %(title)s »")
        % {"city": organisation.name, "title": sheet.title},
        url=sheet.get_absolute_url(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        target=sheet,
    )
    return replication


def _city_name(organisation: Organisation) -> str:
    territory = organisation.territory
    return territory.name if territory is not None else organisation.name


@transaction.atomic
def replication_update(*, actor: Any, replication: Replication, outcome_note: str) -> Replication:
    """The replicating city says how the replication went."""
    require(actor, "change", replication)
    errors: Errors = {}
    note = _long(outcome_note, "outcome_note", errors)
    if errors:
        raise ValidationFailed(_("Le bilan n'a pas pu être enregistré."), field_errors=errors)
    old = replication.outcome_note
    replication.outcome_note = note
    replication.save(update_fields=["outcome_note", "updated_at"])
    audit_record(
        actor=actor,
        action="solution.replication_update",
        obj=replication,
        organisation=replication.organisation,
        changes={"outcome_note": [old, note]},
    )
    if note and note != old:
        _notify(
            recipients=city_editors(replication.solution.organisation_id),  # type: ignore[attr-defined]
            topic="solution",
            verb="replication_outcome",
            title=_("%(city)s donne des nouvelles de la reproduction de « %(title)s »")
            % {"city": replication.organisation.name, "title": replication.solution.title},
            url=replication.solution.get_absolute_url(),
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            target=replication.solution,
        )
    return replication
