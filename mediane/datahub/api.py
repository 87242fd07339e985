"""API of the data hub: the catalogue, one dataset with its versions, and the tabular API of a
version (rows as JSON or CSV with filters, sort and pagination; column profiles).

Every route reads through `mediane.datahub.selectors`: a members-only or private dataset is 404
for whoever may not read it, and a version held back by the personal-data scan is 404 for the
dataset's readers outside its organisation. The API's rate limits apply to every route.

Filters are query parameters `filter=column:op:value` (repeatable), with `op` one of `eq`, `ne`,
`lt`, `lte`, `gt`, `gte`, `contains` (case and accents ignored), `in` (values separated by
`|`), `isnull` (`true` or `false`). `sort=column` or `sort=-column` (repeatable).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from mediane.api.auth import request_user
from mediane.api.errors import READ_ERRORS, error_responses
from mediane.api.pagination import PageIn, PageOut, page
from mediane.core.errors import ValidationFailed
from mediane.datahub import selectors, services
from mediane.datahub.models import Dataset, DatasetVersion

router = Router(tags=["Données"])


class DatasetOut(Schema):
    slug: str
    title: str
    description: str
    organisation: str
    themes: list[str]
    keywords: list[str]
    territory: str | None = None
    licence: str
    frequency: str
    access: str = Field(description="public, network (membres du réseau) ou private.")
    schema_ref: str | None = Field(None, description="identifiant@version du schéma suivi.")
    current_version: int | None = None
    updated_at: datetime
    url: str

    @staticmethod
    def resolve_organisation(obj: Dataset) -> str:
        return obj.organisation.name

    @staticmethod
    def resolve_territory(obj: Dataset) -> str | None:
        return obj.territory.name if obj.territory else None

    @staticmethod
    def resolve_access(obj: Dataset) -> str:
        return obj.visibility

    @staticmethod
    def resolve_schema_ref(obj: Dataset) -> str | None:
        return obj.schema.ref if obj.schema else None

    @staticmethod
    def resolve_current_version(obj: Dataset) -> int | None:
        return obj.current_version.number if obj.current_version else None

    @staticmethod
    def resolve_url(obj: Dataset) -> str:
        return settings.SITE_URL + obj.get_absolute_url()


class ColumnOut(Schema):
    name: str = Field(description="Nom sûr utilisé par les filtres et le tri.")
    label: str = Field(description="En-tête du fichier déposé.")
    type: str


class VersionOut(Schema):
    number: int
    created_at: datetime
    status: str
    row_count: int
    columns: list[ColumnOut]
    validation: str = Field(description="none, valid ou invalid.")
    personal_data: str = Field(description="ok, warn ou block (analyse des données personnelles).")
    changes: dict[str, Any]

    @staticmethod
    def resolve_validation(obj: DatasetVersion) -> str:
        return obj.validation_status

    @staticmethod
    def resolve_personal_data(obj: DatasetVersion) -> str:
        return obj.privacy_status

    @staticmethod
    def resolve_changes(obj: DatasetVersion) -> dict[str, Any]:
        changes = dict(obj.changes or {})
        for key in ("examples_added", "examples_removed", "examples_changed"):
            changes.pop(key, None)  # row values: read them through the rows route
        return changes


class DatasetDetailOut(DatasetOut):
    temporal_start: date | None = None
    temporal_end: date | None = None
    contact_name: str
    contact_email: str
    versions: list[VersionOut]

    @staticmethod
    def resolve_versions(obj: Dataset) -> list[DatasetVersion]:
        return obj._readable_versions  # type: ignore[attr-defined,no-any-return]


class RowsOut(Schema):
    columns: list[ColumnOut]
    rows: list[list[Any]]
    total: int
    limit: int
    offset: int


class ProfileOut(Schema):
    name: str
    label: str
    type: str
    count: int
    nulls: int
    distinct: int
    min: Any = None
    max: Any = None
    mean: float | None = None
    top_values: list[list[Any]]


class CatalogueIn(PageIn):
    q: str = Field("", max_length=200)
    theme: str = Field("", max_length=8)
    organisation: int | None = None


class CatalogueOut(PageOut):
    results: list[DatasetOut]


@router.get(
    "/datasets",
    response={200: CatalogueOut, **error_responses(*READ_ERRORS)},
    operation_id="datasets_list",
    summary="Lister les jeux de données",
    description=(
        "Le catalogue : les jeux de données que l'appelant peut lire (publics ; avec un jeton, "
        "aussi ceux des membres du réseau et de ses organisations), avec recherche plein texte ; "
        "paginés (`limit`, `offset`)."
    ),
)
def datasets_list(request, params: Query[CatalogueIn]):  # type: ignore[no-untyped-def]
    limit, offset = params.window()
    result = selectors.catalogue_for(
        request_user(request),
        selectors.CatalogueFilters(
            query=params.q,
            themes=(params.theme,) if params.theme else (),
            organisation=params.organisation,
        ),
    )
    return page(
        count=result.total,
        limit=limit,
        offset=offset,
        results=list(result.datasets[offset : offset + limit]),
    )


def _dataset(request, slug: str) -> Dataset:  # type: ignore[no-untyped-def]
    return selectors.dataset_get_for(request_user(request), slug=slug)


@router.get(
    "/datasets/{slug}",
    response={200: DatasetDetailOut, **error_responses(404, *READ_ERRORS)},
    operation_id="datasets_get",
    summary="Consulter un jeu de données",
    description=(
        "Métadonnées et versions lisibles. 404 si le jeu n'existe pas ou n'est pas lisible."
    ),
)
def datasets_get(request, slug: str):  # type: ignore[no-untyped-def]
    dataset = _dataset(request, slug)
    dataset._readable_versions = [  # type: ignore[attr-defined]
        v for v in selectors.versions_for(request_user(request), dataset) if v.is_ready
    ]
    return dataset


def _version(request, slug: str, number: int) -> DatasetVersion:  # type: ignore[no-untyped-def]
    dataset = _dataset(request, slug)
    version = selectors.version_get_for(request_user(request), dataset, number)
    if not version.is_ready:
        raise selectors.DatasetNotFound(_("Cette version n'est pas prête."))
    return version


def _filters(values: list[str]) -> list[Any]:
    from mediane.datahub import store

    filters = []
    for raw in values[:20]:
        column, sep, rest = raw.partition(":")
        op, sep2, value = rest.partition(":")
        if not sep or not sep2 and op != "isnull":
            raise ValidationFailed(
                _("Filtre illisible : utilisez colonne:opération:valeur."), code="bad_filter"
            )
        parsed: Any = value
        if op == "in":
            parsed = value.split("|")
        elif op == "isnull":
            parsed = value.lower() not in ("false", "0", "non", "no")
        filters.append(store.Filter(column, op, parsed))
    return filters


def _sort(values: list[str]) -> list[tuple[str, str]]:
    return [
        (v[1:], "desc") if v.startswith("-") else (v, "asc") for v in values[:5] if v.strip("-")
    ]


class RowsIn(Schema):
    filter: list[str] = Field(default_factory=list, description="colonne:opération:valeur")
    sort: list[str] = Field(default_factory=list, description="colonne ou -colonne")
    columns: str = Field("", description="Noms séparés par des virgules (toutes par défaut).")
    limit: int = Field(50, ge=0, le=1000)
    offset: int = Field(0, ge=0)


@router.get(
    "/datasets/{slug}/versions/{number}/rows",
    response={200: RowsOut, **error_responses(400, 404, *READ_ERRORS)},
    operation_id="datasets_rows",
    summary="Lire les lignes d'une version",
    description=(
        "Lignes d'une version, filtrées (`filter=colonne:opération:valeur`, opérations eq, ne, "
        "lt, lte, gt, gte, contains, in, isnull), triées (`sort=colonne` ou `-colonne`) et "
        "paginées (`limit` ≤ 1000, `offset`), avec le total des lignes retenues."
    ),
)
def datasets_rows(request, slug: str, number: int, params: Query[RowsIn]):  # type: ignore[no-untyped-def]
    from mediane.datahub import store

    version = _version(request, slug, number)
    columns = [c for c in params.columns.split(",") if c] or None
    result = store.query(
        services.version_directory(version),
        columns=columns,
        filters=_filters(params.filter),
        sort=_sort(params.sort),
        limit=params.limit,
        offset=params.offset,
    )
    return {
        "columns": [c.to_json() for c in result.columns],
        "rows": result.rows,
        "total": result.total,
        "limit": result.limit,
        "offset": result.offset,
    }


@router.get(
    "/datasets/{slug}/versions/{number}/rows.csv",
    response={200: None, **error_responses(400, 404, *READ_ERRORS)},
    operation_id="datasets_rows_csv",
    summary="Exporter les lignes d'une version en CSV",
    description=(
        "Les mêmes filtres et tri que la route JSON, toutes les lignes retenues, en CSV UTF-8 "
        "(les cellules qui ressemblent à une formule de tableur sont neutralisées)."
    ),
)
def datasets_rows_csv(request, slug: str, number: int, params: Query[RowsIn]):  # type: ignore[no-untyped-def]
    import tempfile

    from mediane.datahub import store

    version = _version(request, slug, number)
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (streamed)
    store.export(
        services.version_directory(version),
        "csv",
        out=spool,  # type: ignore[arg-type]
        columns=[c for c in params.columns.split(",") if c] or None,
        filters=_filters(params.filter),
        sort=_sort(params.sort),
    )
    spool.seek(0)

    def chunks():  # type: ignore[no-untyped-def]
        while block := spool.read(64 * 1024):
            yield block
        spool.close()

    response = StreamingHttpResponse(chunks(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}-v{number}.csv"'
    return response


@router.get(
    "/datasets/{slug}/versions/{number}/profile",
    response={200: list[ProfileOut], **error_responses(404, *READ_ERRORS)},
    operation_id="datasets_profile",
    summary="Profil des colonnes d'une version",
    description=(
        "Par colonne : type, valeurs vides, distinctes, minimum, maximum, moyenne, valeurs "
        "fréquentes."
    ),
)
def datasets_profile(request, slug: str, number: int):  # type: ignore[no-untyped-def]
    import dataclasses

    from mediane.datahub import store

    version = _version(request, slug, number)
    profiles = store.profile(services.version_directory(version))
    return [
        {**dataclasses.asdict(p), "top_values": [list(pair) for pair in p.top_values]}
        for p in profiles
    ]
