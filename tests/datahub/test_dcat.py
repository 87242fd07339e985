"""DCAT-AP 3.0 export: graph, serialisations and the official SHACL shapes.

The shapes live in shared/data/dcat-ap beside the repository; the SHACL tests are skipped
without them. Measured: pyshacl on the full DCAT-AP 3.0.0 shapes (no inference) takes about
0.1 s for the realistic catalogue (226 triples, shapes parsed once and cached) and 0.02 s for
the minimal one, so every SHACL test runs its own validation.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib import namespace as ns
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, FOAF, RDF, SKOS

from mediane.datahub import dcat
from mediane.datahub.dcat import (
    DCAT,
    Agent,
    Catalog,
    Concept,
    ContactPoint,
    DataService,
    Dataset,
    DatasetVersion,
    Distribution,
    Location,
)

SHAPES_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "dcat-ap"
SHAPES = SHAPES_DIR / "dcat-ap-3.0.0-SHACL.ttl"
needs_shapes = pytest.mark.skipif(
    not SHAPES.is_file(),
    reason=f"DCAT-AP 3.0.0 SHACL shapes absent ({SHAPES_DIR.name}/ beside the repository)",
)

BASE = "https://mediane.example.org"
SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
TRICKY = 'Données « spéciales » : l\'été "quoted" <script>alert(1)</script> & co'


def realistic_catalog() -> Catalog:
    network = Agent(f"{BASE}/organisations/reseau", "Réseau des villes médianes", f"{BASE}/")
    lourdes = Agent(
        f"{BASE}/organisations/lourdes",
        "Ville de Lourdes",
        homepage="https://www.lourdes.fr/",
        email="opendata@lourdes.example.fr",
    )
    thetford = Agent(
        f"{BASE}/organisations/thetford-mines",
        "Ville de Thetford Mines",
        homepage="https://www.villethetford.ca/",
        email="donnees@thetford.example.ca",
    )
    api = f"{BASE}/api/datahub/"
    lourdes_place = Location(
        uri="http://id.insee.fr/geo/commune/65286",
        label="Lourdes",
        centroid="POINT(-0.0458 43.0947)",
    )
    thetford_place = Location(
        label="Thetford Mines (Québec)",
        bbox="POLYGON((-71.40 46.03,-71.20 46.03,-71.20 46.16,-71.40 46.16,-71.40 46.03))",
    )
    budget = Dataset(
        uri=f"{BASE}/donnees/lourdes-budget-primitif",
        identifier="lourdes-budget-primitif",
        title="Budget primitif de Lourdes",
        description="Budget primitif voté par le conseil municipal, au format SCDL.",
        title_translations={"en": "Lourdes initial budget"},
        description_translations={"en": "Initial budget voted by the city council."},
        publisher=lourdes,
        contact_point=ContactPoint("Service des finances", "finances@lourdes.example.fr"),
        themes=["ECON", "http://publications.europa.eu/resource/authority/data-theme/GOVE"],
        keywords=["budget", "finances publiques", "SCDL", "budget"],
        spatial=[lourdes_place],
        temporal=(date(2024, 1, 1), date(2024, 12, 31)),
        accrual_periodicity="annual",
        licence="lov2",
        conforms_to="https://schema.data.gouv.fr/scdl/budget/",
        issued=date(2024, 4, 2),
        modified=datetime(2024, 6, 1, 9, 30, tzinfo=UTC),
        landing_page=f"{BASE}/donnees/lourdes-budget-primitif/",
        language=["fr"],
        version="3",
        version_notes="Ajout des opérations d'ordre.",
        versions=[
            DatasetVersion(
                f"{BASE}/donnees/lourdes-budget-primitif/versions/2",
                "2",
                issued=date(2024, 4, 20),
                notes="Correction des montants du chapitre 011.",
            ),
        ],
        distributions=[
            Distribution(
                uri=f"{BASE}/donnees/lourdes-budget-primitif/csv",
                title="Budget primitif 2024 (CSV)",
                access_url=f"{BASE}/donnees/lourdes-budget-primitif/",
                download_url=f"{BASE}/donnees/lourdes-budget-primitif/telecharger.csv",
                media_type="text/csv",
                format="CSV",
                byte_size=48213,
                issued=date(2024, 4, 2),
                modified=date(2024, 6, 1),
                checksum_sha256=SHA.upper(),
                conforms_to="https://schema.data.gouv.fr/scdl/budget/",
            ),
            Distribution(
                uri=f"{BASE}/donnees/lourdes-budget-primitif/api",
                title="API tabulaire",
                access_url=f"{api}lourdes-budget-primitif/lignes",
                format="JSON",
                access_service=f"{BASE}/api/datahub",
            ),
        ],
    )
    parking = Dataset(
        uri=f"{BASE}/donnees/lourdes-stationnement",
        identifier="lourdes-stationnement",
        title="Places de stationnement de Lourdes",
        description="Emplacements et capacités des parcs de stationnement.",
        publisher=lourdes,
        themes=["TRAN", Concept("https://example.org/themes/mobilite", "Mobilité")],
        keywords=["stationnement", "mobilité"],
        spatial=["Lourdes", "http://id.insee.fr/geo/commune/65286"],
        accrual_periodicity="http://publications.europa.eu/resource/authority/frequency/MONTHLY",
        licence="odc-odbl",
        distributions=[
            Distribution(
                uri=f"{BASE}/donnees/lourdes-stationnement/csv",
                title="Parcs de stationnement (CSV)",
                access_url=f"{BASE}/donnees/lourdes-stationnement/telecharger.csv",
                download_url=f"{BASE}/donnees/lourdes-stationnement/telecharger.csv",
                format="http://publications.europa.eu/resource/authority/file-type/CSV",
                media_type="https://www.iana.org/assignments/media-types/text/csv",
                byte_size=0,
            )
        ],
    )
    arenas = Dataset(
        uri=f"{BASE}/donnees/thetford-arenas",
        identifier="thetford-arenas",
        title="Arénas et patinoires de Thetford Mines",
        description=TRICKY,
        publisher=thetford,
        contact_point=ContactPoint(
            "Service des loisirs", "loisirs@thetford.example.ca", "https://www.villethetford.ca/"
        ),
        themes=["EDUC", "REGI"],
        keywords=["sports", "hiver", TRICKY],
        spatial=[thetford_place],
        temporal=(date(2023, 9, 1), None),
        accrual_periodicity="irregular",
        licence="cc-by",
        issued=date(2023, 10, 5),
        language=["fr", "en"],
        distributions=[
            Distribution(
                uri=f"{BASE}/donnees/thetford-arenas/csv",
                title=TRICKY,
                access_url=f"{BASE}/donnees/thetford-arenas/",
                download_url=f"{BASE}/donnees/thetford-arenas/telecharger.csv",
                format="CSV",
                licence="https://creativecommons.org/licenses/by/4.0/",
            )
        ],
    )
    service = DataService(
        uri=f"{BASE}/api/datahub",
        title="API tabulaire du carrefour de données",
        endpoint_url=api,
        endpoint_description=f"{BASE}/api/docs",
        serves=[budget.uri, parking.uri, arenas.uri],
        description="Lecture paginée et filtrée des jeux de données publics.",
        licence="lov2",
        publisher=network,
    )
    return Catalog(
        uri=f"{BASE}/catalogue",
        title="Catalogue des données des villes médianes",
        description="Jeux de données publics des villes du réseau (France et Québec).",
        title_translations={"en": "Open data of the middle-sized cities"},
        publisher=network,
        homepage=f"{BASE}/",
        language=["fr", "en"],
        datasets=[budget, parking, arenas],
        services=[service],
        modified=date(2024, 6, 1),
        issued=date(2023, 1, 15),
        licence="lov2",
    )


def minimal_catalog() -> Catalog:
    return Catalog(
        uri=f"{BASE}/catalogue",
        title="Catalogue",
        description="Catalogue minimal.",
        publisher=Agent(f"{BASE}/organisations/reseau", "Réseau"),
        datasets=[
            Dataset(
                uri=f"{BASE}/donnees/minimal",
                identifier="minimal",
                title="Jeu minimal",
                description="Sans distribution.",
            )
        ],
    )


@pytest.fixture(scope="module")
def graph() -> Graph:
    return dcat.build_graph(realistic_catalog())


# --- Graph content -------------------------------------------------------------------------------


def test_catalog_lists_datasets_and_service(graph):
    catalog = URIRef(f"{BASE}/catalogue")
    assert (catalog, RDF.type, DCAT.Catalog) in graph
    assert len(list(graph.objects(catalog, DCAT.dataset))) == 3
    assert (catalog, DCAT.service, URIRef(f"{BASE}/api/datahub")) in graph
    assert (catalog, DCTERMS.language, URIRef(dcat.LANGUAGE_BASE + "ENG")) in graph
    assert Literal("Open data of the middle-sized cities", lang="en") in set(
        graph.objects(catalog, DCTERMS.title)
    )
    assert (catalog, DCAT.themeTaxonomy, URIRef(dcat.DATA_THEME_SCHEME)) in graph


def test_licences_use_eu_authority_uris_where_they_exist(graph):
    budget = URIRef(f"{BASE}/donnees/lourdes-budget-primitif/csv")
    parking = URIRef(f"{BASE}/donnees/lourdes-stationnement/csv")
    lov2 = URIRef("https://www.etalab.gouv.fr/licence-ouverte-open-licence/")
    odbl = URIRef("http://publications.europa.eu/resource/authority/licence/ODC_BL")
    assert (budget, DCTERMS.license, lov2) in graph
    assert (parking, DCTERMS.license, odbl) in graph
    assert (URIRef(dcat.LICENCE_BASE + "CC_BY_4_0"), RDF.type, DCTERMS.LicenseDocument) in graph
    assert (lov2, RDF.type, DCTERMS.LicenseDocument) in graph


def test_datatypes(graph):
    budget = URIRef(f"{BASE}/donnees/lourdes-budget-primitif")
    csv = URIRef(f"{BASE}/donnees/lourdes-budget-primitif/csv")
    assert graph.value(budget, DCTERMS.issued).datatype == ns.XSD.date
    assert graph.value(budget, DCTERMS.modified).datatype == ns.XSD.dateTime
    size = graph.value(csv, DCAT.byteSize)
    assert size.datatype == ns.XSD.nonNegativeInteger and size.toPython() == 48213
    period = graph.value(budget, DCTERMS.temporal)
    assert (period, RDF.type, DCTERMS.PeriodOfTime) in graph
    assert graph.value(period, DCAT.startDate) == Literal(date(2024, 1, 1))
    assert graph.value(period, DCAT.endDate).datatype == ns.XSD.date
    checksum = graph.value(csv, URIRef("http://spdx.org/rdf/terms#checksum"))
    value = graph.value(checksum, URIRef("http://spdx.org/rdf/terms#checksumValue"))
    assert value.datatype == ns.XSD.hexBinary and str(value).lower() == SHA
    frequency = graph.value(budget, DCTERMS.accrualPeriodicity)
    assert frequency == URIRef(dcat.FREQUENCY_BASE + "ANNUAL")
    assert (frequency, RDF.type, DCTERMS.Frequency) in graph
    assert (graph.value(csv, DCAT.mediaType), RDF.type, DCTERMS.MediaType) in graph
    assert graph.value(csv, DCTERMS.format) == URIRef(dcat.FILE_TYPE_BASE + "CSV")


def test_agents_contacts_places_themes_versions(graph):
    budget = URIRef(f"{BASE}/donnees/lourdes-budget-primitif")
    publisher = graph.value(budget, DCTERMS.publisher)
    assert (publisher, RDF.type, FOAF.Agent) in graph
    assert graph.value(publisher, FOAF.name) == Literal("Ville de Lourdes")
    contact = graph.value(budget, DCAT.contactPoint)
    assert (contact, RDF.type, dcat.VCARD.Kind) in graph
    assert graph.value(contact, dcat.VCARD.hasEmail) == URIRef("mailto:finances@lourdes.example.fr")
    place = URIRef("http://id.insee.fr/geo/commune/65286")
    assert (budget, DCTERMS.spatial, place) in graph
    assert (place, RDF.type, DCTERMS.Location) in graph
    theme = URIRef(dcat.DATA_THEME_SCHEME + "/ECON")
    assert (theme, RDF.type, SKOS.Concept) in graph
    assert graph.value(theme, SKOS.prefLabel) == Literal("Économie et finances", lang="fr")
    version = URIRef(f"{BASE}/donnees/lourdes-budget-primitif/versions/2")
    assert (budget, DCAT.hasVersion, version) in graph
    assert (version, DCAT.isVersionOf, budget) in graph
    assert graph.value(budget, DCAT.version) == Literal("3")
    keywords = set(graph.objects(budget, DCAT.keyword))
    assert len(keywords) == 3  # "budget" given twice
    assert (budget, DCTERMS.conformsTo, URIRef("https://schema.data.gouv.fr/scdl/budget/")) in graph


def test_unknown_codes_are_refused():
    with pytest.raises(ValueError, match="licence"):
        dcat.licence_uri("proprietary")
    with pytest.raises(ValueError, match="frequency"):
        dcat.frequency_uri("sometimes")
    with pytest.raises(ValueError, match="SHA-256"):
        dcat.build_graph(
            Catalog(
                uri=f"{BASE}/c",
                title="c",
                description="c",
                publisher=Agent(f"{BASE}/a", "a"),
                datasets=[
                    Dataset(
                        uri=f"{BASE}/d",
                        identifier="d",
                        title="d",
                        description="d",
                        distributions=[
                            Distribution(f"{BASE}/x", "x", f"{BASE}/x", checksum_sha256="abc")
                        ],
                    )
                ],
            )
        )


# --- SHACL ---------------------------------------------------------------------------------------


@needs_shapes
def test_realistic_catalog_has_no_violation(graph):
    report = dcat.validate_report(graph, SHAPES)
    assert report.violations == []
    assert report.warnings == []
    assert report.conforms


@needs_shapes
def test_minimal_catalog_has_no_violation():
    conforms, violations = dcat.validate(dcat.build_graph(minimal_catalog()), SHAPES)
    assert violations == []
    assert conforms


@needs_shapes
def test_dataset_without_title_is_a_violation():
    broken = minimal_catalog()
    dataset = broken.datasets[0]
    untitled = Dataset(dataset.uri, dataset.identifier, "  ", dataset.description)
    graph = dcat.build_graph(
        Catalog(broken.uri, broken.title, broken.description, broken.publisher, datasets=[untitled])
    )
    assert not list(graph.objects(URIRef(dataset.uri), DCTERMS.title))
    conforms, violations = dcat.validate(graph, SHAPES)
    assert not conforms
    assert len(violations) == 1
    assert "dct:title" in violations[0] and "minimal" in violations[0]


@needs_shapes
def test_graph_with_a_removed_title_is_reported(graph):
    broken = Graph()
    for triple in graph:
        broken.add(triple)
    for prefix, namespace in graph.namespaces():
        broken.bind(prefix, namespace, override=True)
    dataset = URIRef(f"{BASE}/donnees/thetford-arenas")
    broken.remove((dataset, DCTERMS.title, None))
    broken.add((dataset, DCTERMS.publisher, URIRef(f"{BASE}/organisations/lourdes")))
    report = dcat.validate_report(broken, SHAPES)
    assert not report.conforms
    assert any("thetford-arenas" in v and "dct:title" in v for v in report.violations)
    assert any("dct:publisher" in v for v in report.violations)  # at most one publisher


# --- Serialisations ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "content_type", "rdflib_format"),
    [
        ("ttl", "text/turtle", "turtle"),
        ("jsonld", "application/ld+json", "json-ld"),
        ("rdf", "application/rdf+xml", "xml"),
    ],
)
def test_serialisations_parse_back_to_the_same_graph(graph, fmt, content_type, rdflib_format):
    data, mime = dcat.serialize(graph, fmt)
    assert mime == content_type
    assert isinstance(data, bytes)
    parsed = Graph().parse(data=data, format=rdflib_format)
    assert len(parsed) == len(graph)
    assert isomorphic(parsed, graph)
    arenas = URIRef(f"{BASE}/donnees/thetford-arenas")
    assert parsed.value(arenas, DCTERMS.description) == Literal(TRICKY, lang="fr")
    assert Literal(TRICKY, lang="fr") in set(parsed.objects(arenas, DCAT.keyword))


def test_special_characters_are_escaped_not_injected(graph):
    turtle, _ = dcat.serialize(graph, "ttl")
    assert "« spéciales »".encode() in turtle  # UTF-8, not escaped away
    xml, _ = dcat.serialize(graph, "rdf")
    assert b"<script>" not in xml and b"&lt;script&gt;" in xml
    document = json.loads(dcat.serialize(graph, "jsonld")[0])
    assert document["@context"]["dcat"] == str(DCAT)
    assert TRICKY in set(_strings(document))


def _strings(node):
    if isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)
    elif isinstance(node, str):
        yield node


def test_jsonld_is_compacted_with_the_context(graph):
    document = json.loads(dcat.serialize(graph, "jsonld")[0])
    assert set(dcat.PREFIXES) <= set(document["@context"])
    text = json.dumps(document)
    assert "dcat:Dataset" in text and "http://www.w3.org/ns/dcat#Dataset" not in text


def test_unknown_format_is_refused(graph):
    with pytest.raises(ValueError, match="Unknown RDF format"):
        dcat.serialize(graph, "n3")
