"""Permission-aware reads of the data hub. Pages, htmx fragments, the API, exports, feeds and
the DCAT-AP catalogue call these, so they all see the same rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from mediane.core.errors import NotFound
from mediane.core.permissions import can, is_secretariat, require, user_roles, visible_q
from mediane.datahub.models import (
    FREQUENCY_DAYS,
    OPEN_LICENCES,
    Dataset,
    DatasetVersion,
    PrivacyStatus,
    TableSchema,
    ValidationStatus,
    VersionStatus,
)
from mediane.datahub.quality import Quality, QualityInput, quality
from mediane.search.selectors import search_filter_queryset


class DatasetNotFound(NotFound, Http404):
    code = "not_found"


def legal_basis_columns(dataset: Dataset) -> set[str]:
    """Columns of `dataset` with a recorded legal basis (no query when the caller prefetched
    `legal_bases`)."""
    return {basis.column for basis in dataset.legal_bases.all()}  # type: ignore[attr-defined]


def standing_blocks(version: DatasetVersion, bases: set[str] | None = None) -> list[str]:
    """Blocked columns of `version` without a legal basis (`bases`: the dataset's
    `legal_basis_columns`, when the caller already has them)."""
    if bases is None:
        bases = legal_basis_columns(version.dataset)
    return [column for column in version.blocking_columns() if column not in bases]


def version_is_clear(version: DatasetVersion, bases: set[str] | None = None) -> bool:
    """Scanned, and no standing blocking finding: every blocked column has a legal basis."""
    if version.privacy_status == PrivacyStatus.UNKNOWN:
        return False
    if version.privacy_status != PrivacyStatus.BLOCK:
        return True
    return not standing_blocks(version, bases)


def datasets_visible(user: Any) -> QuerySet[Dataset]:
    """Every dataset `user` may read (the access level decides)."""
    return Dataset.objects.filter(visible_q(user, owner_field="organisation_id"))


def public_datasets() -> QuerySet[Dataset]:
    """What anonymous readers, DCAT-AP and the portals see."""
    return Dataset.objects.filter(visibility="public", current_version__isnull=False)


@dataclass
class CatalogueFilters:
    query: str = ""
    themes: tuple[str, ...] = ()
    organisation: int | None = None
    territory: str = ""
    licence: str = ""
    schema: str = ""  # "identifier@version" or "identifier"
    visibility: str = ""
    mine: bool = False


@dataclass
class Catalogue:
    datasets: QuerySet[Dataset]
    facets: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict)
    total: int = 0


def catalogue_for(user: Any, filters: CatalogueFilters) -> Catalogue:
    """The catalogue page and API: datasets `user` may read, searched (through the search
    service) and filtered, with facet counts over the searched set."""
    from mediane.core.models import Visibility, choice_label
    from mediane.datahub.models import Licence, Theme

    qs = datasets_visible(user).select_related("organisation", "territory", "schema")
    if filters.mine:
        qs = qs.filter(organisation_id__in=list(user_roles(user)))
    if filters.query.strip():
        qs = search_filter_queryset(qs, query=filters.query, kind="dataset")
    base = qs
    if filters.themes:
        # JSON containment is not portable to SQLite: match the quoted value in the JSON text.
        theme_q = Q()
        for theme in filters.themes:
            if theme.isalpha():
                theme_q |= Q(_themes__contains=f'"{theme}"')
        qs = qs.annotate(_themes=Cast("themes", TextField())).filter(theme_q)
    if filters.organisation:
        qs = qs.filter(organisation_id=filters.organisation)
    if filters.territory:
        qs = qs.filter(territory__slug=filters.territory)
    if filters.licence:
        qs = qs.filter(licence=filters.licence)
    if filters.schema:
        identifier, _sep, version = filters.schema.partition("@")
        qs = qs.filter(schema__identifier=identifier)
        if version:
            qs = qs.filter(schema__version=version)
    if filters.visibility in Visibility.values:
        qs = qs.filter(visibility=filters.visibility)
    facets: dict[str, list[tuple[str, str, int]]] = {}
    theme_counts: dict[str, int] = {}
    for themes in base.values_list("themes", flat=True):
        for theme in themes or []:
            theme_counts[theme] = theme_counts.get(theme, 0) + 1
    facets["themes"] = sorted(
        ((t, choice_label(Theme, t), n) for t, n in theme_counts.items() if t in Theme.values),
        key=lambda item: (-item[2], item[1]),
    )
    facets["licence"] = [
        (row["licence"], choice_label(Licence, row["licence"]), row["n"])
        for row in base.values("licence").annotate(n=Count("pk")).order_by("-n", "licence")
    ]
    facets["organisation"] = [
        (str(row["organisation_id"]), row["organisation__name"], row["n"])
        for row in base.values("organisation_id", "organisation__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "organisation__name")[:20]
    ]
    facets["schema"] = [
        (
            f"{row['schema__identifier']}@{row['schema__version']}",
            row["schema__title"],
            row["n"],
        )
        for row in base.filter(schema__isnull=False)
        .values("schema__identifier", "schema__version", "schema__title")
        .annotate(n=Count("pk"))
        .order_by("-n")
    ]
    if filters.query.strip():
        qs = qs.order_by("-search_rank", "title", "pk")  # type: ignore[misc]
    else:
        qs = qs.order_by("title", "pk")
    return Catalogue(datasets=qs, facets=facets, total=qs.count())


def dataset_get_for(user: Any, *, slug: str) -> Dataset:
    """One dataset `user` may read; 404 otherwise (never says a private one exists)."""
    dataset = (
        Dataset.objects.select_related(
            "organisation", "territory", "schema", "current_version", "created_by"
        )
        .filter(slug=slug)
        .first()
    )
    if dataset is None or not can(user, "view", dataset):
        raise DatasetNotFound(_("Jeu de données introuvable."))
    return dataset


def versions_for(user: Any, dataset: Dataset) -> list[DatasetVersion]:
    """The versions of `dataset` `user` may read, newest first."""
    require(user, "view", dataset)
    versions = list(
        dataset.versions.select_related("created_by", "schema", "derived_from").order_by(  # type: ignore[attr-defined]
            "-number"
        )
    )
    for version in versions:
        version.dataset = dataset
    if can(user, "view_internal", dataset):
        return versions
    bases = legal_basis_columns(dataset)
    return [v for v in versions if v.status == VersionStatus.READY and version_is_clear(v, bases)]


def version_get_for(user: Any, dataset: Dataset, number: int) -> DatasetVersion:
    version = (
        DatasetVersion.objects.select_related("created_by", "schema", "derived_from")
        .filter(dataset=dataset, number=number)
        .first()
    )
    if version is None:
        raise DatasetNotFound(_("Version introuvable."))
    version.dataset = dataset
    if not can(user, "view", version):
        raise DatasetNotFound(_("Version introuvable."))
    return version


def readable_version(user: Any, dataset: Dataset) -> DatasetVersion | None:
    """The version readers see: the current one when `user` may read it."""
    version = dataset.current_version
    if version is None:
        return None
    version.dataset = dataset
    return version if can(user, "view", version) else None


def dataset_quality(dataset: Dataset) -> Quality:
    version = dataset.current_version
    return quality(
        QualityInput(
            title=dataset.title,
            description=dataset.description,
            themes=list(dataset.themes),
            keywords=list(dataset.keywords),
            has_territory=dataset.territory_id is not None,  # type: ignore[attr-defined]
            has_temporal=dataset.temporal_start is not None or dataset.temporal_end is not None,
            contact_name=dataset.contact_name,
            contact_email=dataset.contact_email,
            frequency=dataset.frequency,
            frequency_days=FREQUENCY_DAYS.get(dataset.frequency),
            open_licence=dataset.licence in OPEN_LICENCES,
            has_schema=dataset.schema_id is not None,  # type: ignore[attr-defined]
            valid=None if version is None else version.validation_status == ValidationStatus.VALID,
            last_version_at=None if version is None else version.created_at,
            now=timezone.now(),
        )
    )


def schemas_for(user: Any) -> QuerySet[TableSchema]:
    return TableSchema.objects.all()


def schema_get(ref: str) -> TableSchema | None:
    """A schema by "identifier@version" or "identifier" (the latest version)."""
    identifier, _sep, version = ref.partition("@")
    qs = TableSchema.objects.filter(identifier=identifier)
    if version:
        return qs.filter(version=version).first()
    return qs.order_by("-version").first()


def organisations_editable(user: Any) -> list[Any]:
    """Organisations in which `user` may create datasets."""
    from mediane.directory.models import Organisation

    if is_secretariat(user):
        return list(Organisation.objects.order_by("name")[:500])
    ids = [org_id for org_id, role in user_roles(user).items() if role in ("editor", "admin")]
    return list(Organisation.objects.filter(pk__in=ids).order_by("name"))
