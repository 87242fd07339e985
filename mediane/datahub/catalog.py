"""The DCAT-AP 3.0 catalogue of the public datasets: models converted into `dcat` dataclasses.

Only datasets that are public *and* have a current version are exported; members-only and
private datasets never appear, nor do versions held back by the personal-data scan.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from mediane.datahub import dcat
from mediane.datahub.models import Dataset, Licence, VersionStatus
from mediane.datahub.selectors import public_datasets, version_is_clear

LICENCE_CODES = {Licence.LOV2: "lov2", Licence.ODBL: "odc-odbl", Licence.CC_BY: "cc-by"}


def _url(path: str) -> str:
    return settings.SITE_URL + path


def _licence(dataset: Dataset) -> str | None:
    code = LICENCE_CODES.get(dataset.licence)  # type: ignore[call-overload]
    if code:
        return dcat.licence_uri(code)
    other = dataset.licence_other.strip()
    return other if other.startswith(("http://", "https://")) else None


def dataset_node(dataset: Dataset) -> dcat.Dataset | None:
    """The DCAT dataset of a public dataset (None when it has nothing public to show)."""
    version = dataset.current_version
    if dataset.visibility != "public" or version is None:
        return None
    version.dataset = dataset
    if version.status != VersionStatus.READY or not version_is_clear(version):
        return None
    page = _url(reverse("datahub:dataset", args=[dataset.slug]))
    organisation = dataset.organisation
    publisher = dcat.Agent(
        uri=_url(organisation.get_absolute_url()) + "#organisation",
        name=organisation.name,
        homepage=_url(organisation.get_absolute_url()),
    )
    licence = _licence(dataset)
    schema_uri = None
    if dataset.schema is not None:
        schema_uri = (
            dataset.schema.homepage or _url(reverse("datahub:schemas")) + "#" + dataset.schema.ref
        )
    rows_api = _url(f"/api/v1/datasets/{dataset.slug}/versions/{version.number}/rows")
    distributions = [
        dcat.Distribution(
            uri=page + f"#v{version.number}-csv",
            title=f"{dataset.title} (CSV)",
            access_url=page,
            download_url=_url(
                reverse("datahub:download", args=[dataset.slug, version.number, "csv"])
            ),
            media_type="text/csv",
            format="CSV",
            licence=licence,
            modified=version.created_at.date(),
            conforms_to=schema_uri,
        ),
        dcat.Distribution(
            uri=page + f"#v{version.number}-api",
            title=f"{dataset.title} (API JSON)",
            access_url=rows_api,
            media_type="application/json",
            format="JSON",
            licence=licence,
            modified=version.created_at.date(),
        ),
    ]
    spatial: list[Any] = []
    if dataset.territory is not None:
        spatial.append(dcat.Location(label=dataset.territory.name))
    temporal = None
    if dataset.temporal_start or dataset.temporal_end:
        temporal = (dataset.temporal_start, dataset.temporal_end)
    contact = None
    if dataset.contact_name or dataset.contact_email:
        contact = dcat.ContactPoint(
            name=dataset.contact_name or organisation.name, email=dataset.contact_email or None
        )
    return dcat.Dataset(
        uri=page,
        identifier=dataset.slug,
        title=dataset.title,
        description=dataset.description or dataset.title,
        publisher=publisher,
        contact_point=contact,
        themes=[dcat.theme_uri(t) for t in dataset.themes],
        keywords=list(dataset.keywords),
        spatial=spatial,
        temporal=temporal,
        accrual_periodicity=dcat.FREQUENCY_BASE + dataset.frequency,
        licence=licence,
        conforms_to=schema_uri,
        issued=dataset.created_at.date(),
        modified=version.created_at.date(),
        landing_page=page,
        language=["fr"],
        version=str(version.number),
        distributions=distributions,
    )


def catalog(datasets: list[Dataset] | None = None) -> dcat.Catalog:
    if datasets is None:
        datasets = list(
            public_datasets()
            .select_related("organisation", "territory", "schema", "current_version")
            .prefetch_related("legal_bases")
        )
    nodes = [node for node in (dataset_node(d) for d in datasets) if node is not None]
    network = dcat.Agent(uri=_url("/") + "#network", name="Réseau des villes médianes")
    api = dcat.DataService(
        uri=_url("/api/v1/") + "#service",
        title="API tabulaire de Médiane",
        endpoint_url=_url("/api/v1/"),
        endpoint_description=_url("/api/v1/openapi.json"),
        serves=[n.uri for n in nodes],
    )
    return dcat.Catalog(
        uri=_url("/catalogue"),
        title="Données des villes médianes",
        description="Jeux de données publics des villes du réseau des villes médianes "
        "(France et Québec), validés et analysés avant publication.",
        publisher=network,
        homepage=_url(reverse("datahub:catalogue")),
        datasets=nodes,
        services=[api] if nodes else [],
    )
