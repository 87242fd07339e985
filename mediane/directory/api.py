"""API of the directory: sectors, organisations (read with filters; write with a token).

Reads go through the directory's selectors and writes through its services, so the API sees
the same rows, permissions, validation messages and audit entries as the HTML pages.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from mediane.api.auth import request_user, require_token
from mediane.api.errors import READ_ERRORS, WRITE_ERRORS, error_responses
from mediane.api.pagination import PageIn, PageOut, page
from mediane.core.errors import ValidationFailed
from mediane.directory import selectors, services
from mediane.directory.inputs import OrganisationInput
from mediane.directory.models import Organisation, Sector
from mediane.territories.models import Territory

router = Router(tags=["Annuaire"])


# --- sectors ---------------------------------------------------------------------------------


class SectorOut(Schema):
    slug: str
    name: str
    name_en: str
    nature: str = Field(description="tech (technologique), craft (artisanal) ou both.")
    description: str


class SectorListOut(Schema):
    count: int
    results: list[SectorOut]


@router.get(
    "/sectors",
    response={200: SectorListOut, **error_responses(*READ_ERRORS)},
    operation_id="sectors_list",
    summary="Lister les secteurs",
    description=(
        "La taxonomie des secteurs (sport, santé, tourisme, laine et textile…), chacun "
        "technologique, artisanal ou les deux (champ nature : tech, craft, both). Non paginée."
    ),
)
def sectors_list(request):  # type: ignore[no-untyped-def]
    sectors = selectors.sectors_list()
    return {"count": len(sectors), "results": sectors}


# --- organisations: output -------------------------------------------------------------------


class RefOut(Schema):
    slug: str
    name: str


class OrganisationOut(Schema):
    slug: str
    name: str
    kind: str
    kind_label: str
    country: str
    territory: RefOut | None
    sectors: list[RefOut]
    summary: str
    website: str
    visibility: str = Field(description="public, network (membres du réseau) ou private.")
    latitude: float | None
    longitude: float | None
    url: str
    logo_url: str | None

    @staticmethod
    def resolve_kind_label(obj: Organisation) -> str:
        return str(obj.get_kind_display())  # type: ignore[attr-defined]

    @staticmethod
    def resolve_sectors(obj: Organisation) -> list[Sector]:
        return list(obj.sectors.all())

    @staticmethod
    def resolve_url(obj: Organisation) -> str:
        return settings.SITE_URL + obj.get_absolute_url()

    @staticmethod
    def resolve_logo_url(obj: Organisation) -> str | None:
        if not obj.logo:
            return None
        url = obj.logo.url
        return settings.SITE_URL + url if url.startswith("/") else url


class OrganisationListIn(PageIn):
    q: str = Field("", max_length=200, description="Texte recherché (nom, description…).")
    country: str = Field("", max_length=20, description="Pays : FR, QC ou FR,QC.")
    kind: str = Field("", max_length=32, description="Type : startup, pme, incubateur…")
    sector: str = Field("", max_length=60, description="Identifiant d'un secteur (GET /sectors).")
    territory: str = Field(
        "",
        max_length=220,
        description=(
            "Identifiant d'un territoire : l'organisation y est située (ou dans ses communes)."
        ),
    )
    medium_city: bool | None = Field(None, description="true : situées dans une ville médiane.")
    network_member: bool | None = Field(
        None, description="true : situées dans un territoire membre actif du réseau."
    )


class OrganisationListOut(PageOut):
    results: list[OrganisationOut]


class OrganisationDetailOut(OrganisationOut):
    description: str = Field(description="Texte enrichi, HTML nettoyé.")
    contact_email: str
    siren: str
    siret: str
    neq: str
    created_at: datetime
    updated_at: datetime


# --- organisations: input --------------------------------------------------------------------


class OrganisationCreateIn(Schema):
    name: str = Field(max_length=300, description="Nom de l'organisation.")
    kind: str = Field(max_length=32, description="Type : collectivite, startup, pme, incubateur…")
    country: str = Field(max_length=2, description="Pays : FR ou QC.")
    siren: str = Field("", max_length=20, description="SIREN (France).")
    siret: str = Field("", max_length=20, description="SIRET (France), clé de contrôle vérifiée.")
    neq: str = Field("", max_length=20, description="NEQ (Québec).")
    territory: str | None = Field(None, max_length=220, description="Identifiant du territoire.")
    latitude: float | None = None
    longitude: float | None = None
    website: str = Field("", max_length=300)
    summary: str = Field("", max_length=1000, description="Accroche (300 caractères au plus).")
    description: str = Field("", max_length=50_000, description="Texte enrichi (HTML nettoyé).")
    contact_email: str = Field("", max_length=300)
    visibility: str = Field("public", max_length=16, description="public, network ou private.")
    sectors: list[str] = Field([], max_length=50, description="Identifiants de secteurs.")


class OrganisationUpdateIn(Schema):
    """Every field is optional: only the fields sent are changed."""

    name: str | None = Field(None, max_length=300)
    kind: str | None = Field(None, max_length=32)
    country: str | None = Field(None, max_length=2)
    siren: str | None = Field(None, max_length=20)
    siret: str | None = Field(None, max_length=20)
    neq: str | None = Field(None, max_length=20)
    territory: str | None = Field(None, max_length=220)
    latitude: float | None = None
    longitude: float | None = None
    website: str | None = Field(None, max_length=300)
    summary: str | None = Field(None, max_length=1000)
    description: str | None = Field(None, max_length=50_000)
    contact_email: str | None = Field(None, max_length=300)
    visibility: str | None = Field(None, max_length=16)
    sectors: list[str] | None = Field(None, max_length=50)


TEXT_FIELDS = ("name", "kind", "country", "siren", "siret", "neq", "website", "summary",
               "description", "contact_email", "visibility")  # fmt: skip


def _service_values(payload: dict[str, Any]) -> dict[str, Any]:
    """API field names → `OrganisationInput` field names (territory slug → id, sectors)."""
    values = dict(payload)
    if "territory" in values:
        slug = values.pop("territory")
        territory_id = None
        if slug:
            territory_id = Territory.objects.filter(slug=slug).values_list("pk", flat=True).first()
            if territory_id is None:
                message = _("Territoire inconnu : « %(slug)s ».") % {"slug": slug}
                raise ValidationFailed(message, field_errors={"territory": [message]})
        values["territory_id"] = territory_id
    if "sectors" in values:
        values["sector_slugs"] = values.pop("sectors") or []
    for name in TEXT_FIELDS:
        if name in values and values[name] is None:
            values[name] = ""
    return values


# --- organisations: operations ---------------------------------------------------------------


def _split(value: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))


def _directory_window(*, user: Any, params: OrganisationListIn) -> dict[str, Any]:
    """Map limit/offset onto the selector's pages: one page when aligned, else two."""
    limit, offset = params.window()
    filters = selectors.DirectoryFilters(
        countries=tuple(c.upper() for c in _split(params.country)),
        kinds=_split(params.kind),
        sectors=_split(params.sector),
        territories=_split(params.territory),
        medium_city=bool(params.medium_city),
        network_member=bool(params.network_member),
        page=offset // limit + 1,
        page_size=limit,
    )
    found = selectors.organisations_search(user=user, query=params.q, filters=filters)
    _check_filters(requested=filters, kept=found.filters)
    results = list(found.results) if found.page == filters.page else []
    skip = offset % limit
    if skip and found.page == filters.page and filters.page * limit < found.total:
        following = selectors.organisations_search(
            user=user, query=params.q, filters=replace(filters, page=filters.page + 1)
        )
        results += list(following.results)
    return page(count=found.total, limit=limit, offset=offset, results=results[skip : skip + limit])


def _check_filters(*, requested: Any, kept: Any) -> None:
    """Unknown filter values are a 422 here: silently ignoring them would widen the answer."""
    errors: dict[str, list[str]] = {}
    for field, name, label in (
        ("country", "countries", _("Pays inconnu (FR ou QC) : %(values)s.")),
        ("kind", "kinds", _("Type d'organisation inconnu : %(values)s.")),
        ("sector", "sectors", _("Secteur inconnu : %(values)s.")),
        ("territory", "territories", _("Territoire inconnu : %(values)s.")),
    ):
        unknown = [v for v in getattr(requested, name) if v not in getattr(kept, name)]
        if unknown:
            errors[field] = [label % {"values": ", ".join(unknown)}]
    if errors:
        raise ValidationFailed(_("Certains filtres sont inconnus."), field_errors=errors)


@router.get(
    "/organisations",
    response={200: OrganisationListOut, **error_responses(*READ_ERRORS)},
    operation_id="organisations_list",
    summary="Lister les organisations",
    description=(
        "L'annuaire : collectivités, start-up, PME, incubateurs, tiers-lieux, centres de "
        "recherche… filtrés par texte, pays, type, secteur, territoire, ville médiane et adhésion "
        "au réseau (plusieurs valeurs séparées par des virgules) ; paginés. Seules les "
        "organisations visibles par l'appelant sont renvoyées."
    ),
)
def organisations_list(request, filters: Query[OrganisationListIn]):  # type: ignore[no-untyped-def]
    return _directory_window(user=request_user(request), params=filters)


@router.get(
    "/organisations/{slug}",
    response={200: OrganisationDetailOut, **error_responses(404, *READ_ERRORS)},
    operation_id="organisation_get",
    summary="Consulter une organisation",
    description=(
        "La fiche complète d'une organisation visible par l'appelant : identifiants, "
        "description, contact. 404 si elle n'existe pas ou n'est pas visible."
    ),
)
def organisation_get(request, slug: str):  # type: ignore[no-untyped-def]
    return selectors.organisation_get_for(user=request_user(request), slug=slug)


@router.post(
    "/organisations",
    response={201: OrganisationDetailOut, **error_responses(*WRITE_ERRORS)},
    auth=require_token,
    operation_id="organisation_create",
    summary="Créer une organisation",
    description=(
        "Crée une organisation ; l'auteur en devient administrateur (sauf le secrétariat). "
        "Identifiants (SIRET, NEQ) et champs vérifiés, description nettoyée. Jeton obligatoire."
    ),
)
def organisation_create(request, payload: OrganisationCreateIn):  # type: ignore[no-untyped-def]
    data = OrganisationInput(**_service_values(payload.model_dump()))
    organisation = services.organisation_create(actor=request.auth, data=data)
    return Status(201, organisation)


@router.patch(
    "/organisations/{slug}",
    response={200: OrganisationDetailOut, **error_responses(*WRITE_ERRORS)},
    auth=require_token,
    operation_id="organisation_update",
    summary="Modifier une organisation",
    description=(
        "Modifie les champs envoyés (les autres restent inchangés). Réservé aux éditeurs et "
        "administrateurs de l'organisation et au secrétariat. Jeton obligatoire."
    ),
)
def organisation_update(request, slug: str, payload: OrganisationUpdateIn):  # type: ignore[no-untyped-def]
    organisation = selectors.organisation_get_for(user=request.auth, slug=slug)
    changes = _service_values(payload.model_dump(exclude_unset=True))
    data = OrganisationInput.from_organisation(organisation).replace(**changes)
    return services.organisation_update(actor=request.auth, organisation=organisation, data=data)


@router.delete(
    "/organisations/{slug}",
    response={204: None, **error_responses(*WRITE_ERRORS)},
    auth=require_token,
    operation_id="organisation_delete",
    summary="Supprimer une organisation",
    description=(
        "Supprime définitivement une organisation. Réservé à ses administrateurs et au "
        "secrétariat. Jeton obligatoire. Réponse 204 sans corps."
    ),
)
def organisation_delete(request, slug: str):  # type: ignore[no-untyped-def]
    organisation = selectors.organisation_get_for(user=request.auth, slug=slug)
    services.organisation_delete(actor=request.auth, organisation=organisation)
    return Status(204, None)
