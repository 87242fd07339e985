"""DCAT-AP 3.0 export of the data hub's public catalogue.

Pure module (no Django import): the Django layer converts its models into the dataclasses below,
for the public datasets only (network and private datasets are never exported), then calls
`build_graph`, `serialize` and, in tests or checks, `validate`.

Representation choices, all checked against the official DCAT-AP 3.0.0 SHACL shapes:

- Every object of a property whose range is a class is typed in the graph, because the shapes
  check `sh:class` and the validation runs without inference: licences are `dct:LicenseDocument`,
  frequencies `dct:Frequency`, themes `skos:Concept` (with a `skos:prefLabel`, mandatory for a
  concept) in the EU data-theme `skos:ConceptScheme`, media types `dct:MediaType`, file types
  `dct:MediaTypeOrExtent`, schemas `dct:Standard`, places `dct:Location`, periods
  `dct:PeriodOfTime`, pages `foaf:Document`, languages `dct:LinguisticSystem`, access and
  download URLs `rdfs:Resource` (the 3.0.0 shapes ask for that class).
- Controlled vocabularies of the EU Publications Office: data themes, frequencies, file types,
  languages, access rights and licences. The licence codes of the platform map to the EU licence
  authority where it has an entry: ODbL is `licence/ODC_BL`, CC-BY 4.0 is `licence/CC_BY_4_0`.
  The Licence Ouverte 2.0 has no entry there: Etalab's own URL is used.
- Places (`dct:spatial`) are `dct:Location` nodes: an IRI (INSEE, GeoNames…) when one is given,
  else a blank node; a label goes in `skos:prefLabel`, a bounding box or centroid in
  `dcat:bbox` / `dcat:centroid` as `gsp:wktLiteral`.
- Dates are `xsd:date` for a `date` and `xsd:dateTime` for a `datetime`; `dcat:byteSize` is an
  `xsd:nonNegativeInteger`; the SHA-256 checksum an `spdx:Checksum` whose value is `xsd:hexBinary`.
- Blank or missing text is left out, never written as an empty literal, so that the SHACL check
  reports a missing mandatory title or description.
- Versions: the dataset's own `dcat:version` / `adms:versionNotes`, and one `dcat:Dataset` per
  past version linked with `dcat:hasVersion` / `dcat:isVersionOf`.
- Every exported dataset carries `dct:accessRights` PUBLIC (only public datasets are exported).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

# rdflib's closed DCAT namespace predates DCAT 3 (dcat:version, dcat:hasVersion…).
DCAT = Namespace("http://www.w3.org/ns/dcat#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
GSP = Namespace("http://www.opengis.net/ont/geosparql#")
SH = Namespace("http://www.w3.org/ns/shacl#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")

EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"
DATA_THEME_SCHEME = EU_AUTHORITY + "data-theme"
FILE_TYPE_BASE = EU_AUTHORITY + "file-type/"
FREQUENCY_BASE = EU_AUTHORITY + "frequency/"
LANGUAGE_BASE = EU_AUTHORITY + "language/"
LICENCE_BASE = EU_AUTHORITY + "licence/"
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
ACCESS_RIGHT_PUBLIC = EU_AUTHORITY + "access-right/PUBLIC"

PREFIXES: dict[str, Namespace] = {
    "dcat": Namespace(str(DCAT)),
    "dct": Namespace(str(DCTERMS)),
    "foaf": Namespace(str(FOAF)),
    "vcard": Namespace(str(VCARD)),
    "skos": Namespace(str(SKOS)),
    "adms": ADMS,
    "spdx": SPDX,
    "locn": LOCN,
    "gsp": GSP,
    "rdfs": Namespace(str(RDFS)),
    "xsd": Namespace(str(XSD)),
}
"""Prefixes bound in the graph; also the compact JSON-LD context."""


class LicenceInfo(NamedTuple):
    uri: str
    label: str
    kinds: tuple[str, ...]  # ADMS licence types


_ADMS_LICENCE_TYPE = "http://purl.org/adms/licencetype/"
LICENCES: dict[str, LicenceInfo] = {
    "lov2": LicenceInfo(
        "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
        "Licence Ouverte / Open Licence version 2.0",
        ("Attribution",),
    ),
    "odc-odbl": LicenceInfo(
        LICENCE_BASE + "ODC_BL",
        "Open Data Commons Open Database License (ODbL)",
        ("Attribution", "ShareAlike"),
    ),
    "cc-by": LicenceInfo(
        LICENCE_BASE + "CC_BY_4_0",
        "Creative Commons Attribution 4.0 International",
        ("Attribution",),
    ),
}
"""The platform's licence codes (the ones data.gouv.fr uses) and their URIs."""

_LICENCE_TYPE_LABELS = {
    "Attribution": "Attribution",
    "ShareAlike": "Partage dans les mêmes conditions",
}

DATA_THEMES: dict[str, str] = {
    "AGRI": "Agriculture, pêche, sylviculture et alimentation",
    "ECON": "Économie et finances",
    "EDUC": "Éducation, culture et sport",
    "ENER": "Énergie",
    "ENVI": "Environnement",
    "GOVE": "Gouvernement et secteur public",
    "HEAL": "Santé",
    "INTR": "Questions internationales",
    "JUST": "Justice, système juridique et sécurité publique",
    "OP_DATPRO": "Données provisoires",
    "REGI": "Régions et villes",
    "SOCI": "Population et société",
    "TECH": "Science et technologie",
    "TRAN": "Transports",
}
"""EU data themes (code → French label); a theme URI is DATA_THEME_SCHEME + "/" + code."""

FREQUENCIES: dict[str, tuple[str, str]] = {
    "continuous": ("UPDATE_CONT", "Mise à jour continue"),
    "hourly": ("HOURLY", "Toutes les heures"),
    "daily": ("DAILY", "Quotidienne"),
    "weekly": ("WEEKLY", "Hebdomadaire"),
    "biweekly": ("BIWEEKLY", "Toutes les deux semaines"),
    "monthly": ("MONTHLY", "Mensuelle"),
    "quarterly": ("QUARTERLY", "Trimestrielle"),
    "semiannual": ("ANNUAL_2", "Semestrielle"),
    "annual": ("ANNUAL", "Annuelle"),
    "biennial": ("BIENNIAL", "Bisannuelle"),
    "irregular": ("IRREG", "Irrégulière"),
    "punctual": ("NEVER", "Jamais (ponctuelle)"),
    "unknown": ("UNKNOWN", "Inconnue"),
}
"""The platform's frequency codes (data.gouv.fr's) → (EU frequency code, French label)."""

LANGUAGES: dict[str, str] = {
    "fr": "FRA",
    "en": "ENG",
    "es": "SPA",
    "de": "DEU",
    "it": "ITA",
    "pt": "POR",
    "nl": "NLD",
    "ar": "ARA",
}
"""ISO 639-1 code → code of the EU language authority."""

_FORMAT_MEDIA_TYPES = {
    "CSV": "text/csv",
    "JSON": "application/json",
    "GEOJSON": "application/geo+json",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ODS": "application/vnd.oasis.opendocument.spreadsheet",
    "PARQUET": "application/vnd.apache.parquet",
    "PDF": "application/pdf",
    "ZIP": "application/zip",
}


# --- The model ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Agent:
    """A publisher (city, network): a `foaf:Agent` with a name."""

    uri: str
    name: str
    homepage: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class ContactPoint:
    """The contact of a dataset: a `vcard:Kind`."""

    name: str
    email: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Concept:
    """A concept outside the built-in vocabularies (a theme of another scheme)."""

    uri: str
    label: str


@dataclass(frozen=True)
class Location:
    """A place: an IRI (INSEE, GeoNames…) and/or a label; WKT bbox or centroid (WGS 84)."""

    uri: str | None = None
    label: str | None = None
    bbox: str | None = None
    centroid: str | None = None


@dataclass(frozen=True)
class Distribution:
    """A file or an API access of a dataset.

    `media_type` is an IANA type ("text/csv") or its IANA URI; `format` an EU file-type code
    ("CSV") or URI; `licence` a code of LICENCES or a URI (the dataset's licence when None).
    """

    uri: str
    title: str | None
    access_url: str
    download_url: str | None = None
    media_type: str | None = None
    format: str | None = None
    byte_size: int | None = None
    licence: str | None = None
    issued: date | None = None
    modified: date | None = None
    checksum_sha256: str | None = None
    description: str | None = None
    conforms_to: str | None = None
    access_service: str | None = None  # URI of a DataService of the catalogue


@dataclass(frozen=True)
class DataService:
    """An API of the platform (`dcat:DataService`) and the datasets it serves."""

    uri: str
    title: str
    endpoint_url: str
    endpoint_description: str | None = None
    serves: Sequence[str] = ()
    description: str | None = None
    licence: str | None = None
    publisher: Agent | None = None
    conforms_to: str | None = None


@dataclass(frozen=True)
class DatasetVersion:
    """A past version of a dataset, exported as a `dcat:Dataset` of its own."""

    uri: str
    version: str
    issued: date | None = None
    notes: str | None = None
    title: str | None = None  # "<dataset title> (version N)" when None
    description: str | None = None  # the dataset's description when None


@dataclass(frozen=True)
class Dataset:
    """A public dataset.

    `themes`: EU data-theme URIs (or codes such as "REGI", or `Concept`s); `spatial`: IRIs,
    labels or `Location`s; `temporal`: (start, end), either may be None; `accrual_periodicity`:
    a code of FREQUENCIES or an EU frequency URI; `licence`: a code of LICENCES or a URI;
    `conforms_to`: the URI of the Table Schema; `language`: ISO 639-1 codes or EU URIs.
    """

    uri: str
    identifier: str
    title: str
    description: str
    publisher: Agent | None = None
    contact_point: ContactPoint | None = None
    themes: Sequence[str | Concept] = ()
    keywords: Sequence[str] = ()
    spatial: Sequence[str | Location] = ()
    temporal: tuple[date | None, date | None] | None = None
    accrual_periodicity: str | None = None
    licence: str | None = None
    conforms_to: str | None = None
    issued: date | None = None
    modified: date | None = None
    landing_page: str | None = None
    language: Sequence[str] = ()
    version: str | None = None
    version_notes: str | None = None
    versions: Sequence[DatasetVersion] = ()
    distributions: Sequence[Distribution] = ()
    title_translations: Mapping[str, str] = field(default_factory=dict)
    description_translations: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Catalog:
    """The platform's catalogue. The first language is the one of the untagged texts."""

    uri: str
    title: str
    description: str
    publisher: Agent
    homepage: str | None = None
    language: Sequence[str] = ("fr",)
    datasets: Sequence[Dataset] = ()
    services: Sequence[DataService] = ()
    modified: date | None = None
    issued: date | None = None
    licence: str | None = None  # licence of the catalogue's metadata
    title_translations: Mapping[str, str] = field(default_factory=dict)
    description_translations: Mapping[str, str] = field(default_factory=dict)


# --- Vocabulary helpers -------------------------------------------------------------------------


def licence_uri(code_or_uri: str) -> str:
    """The URI of a licence code of LICENCES, or the URI itself."""
    info = LICENCES.get(code_or_uri)
    return info.uri if info else _require_uri(code_or_uri, "licence")


def frequency_uri(code_or_uri: str) -> str:
    """The EU frequency URI of a code of FREQUENCIES, or the URI itself."""
    known = FREQUENCIES.get(code_or_uri)
    return FREQUENCY_BASE + known[0] if known else _require_uri(code_or_uri, "frequency")


def theme_uri(code_or_uri: str) -> str:
    """The EU data-theme URI of a code ("REGI"), or the URI itself."""
    if code_or_uri in DATA_THEMES:
        return f"{DATA_THEME_SCHEME}/{code_or_uri}"
    return _require_uri(code_or_uri, "theme")


def language_uri(code_or_uri: str) -> str:
    """The EU language URI of an ISO 639-1 code ("fr"), or the URI itself."""
    known = LANGUAGES.get(code_or_uri.lower())
    return LANGUAGE_BASE + known if known else _require_uri(code_or_uri, "language")


def media_type_uri(type_or_uri: str) -> str:
    """The IANA URI of a media type ("text/csv"), or the URI itself."""
    if _is_uri(type_or_uri):
        return type_or_uri
    if not re.fullmatch(r"[\w.+-]+/[\w.+-]+", type_or_uri):
        raise ValueError(f"Not a media type: {type_or_uri!r}")
    return IANA_MEDIA_TYPES + type_or_uri.lower()


def file_type_uri(code_or_uri: str) -> str:
    """The EU file-type URI of a code ("CSV"), or the URI itself."""
    if _is_uri(code_or_uri):
        return code_or_uri
    if not re.fullmatch(r"[A-Za-z0-9_]+", code_or_uri):
        raise ValueError(f"Not a file-type code: {code_or_uri!r}")
    return FILE_TYPE_BASE + code_or_uri.upper()


def _is_uri(value: str) -> bool:
    return bool(re.match(r"^(https?|urn|mailto):", value))


def _require_uri(value: str, what: str) -> str:
    if not _is_uri(value):
        raise ValueError(f"Unknown {what} code (and not a URI): {value!r}")
    return value


# --- Graph building -----------------------------------------------------------------------------


def build_graph(catalog: Catalog) -> Graph:
    """The DCAT-AP 3.0 graph of a catalogue."""
    return _Builder(catalog).build()


class _Builder:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.lang = _literal_language(catalog.language)
        self.g = Graph(bind_namespaces="core")
        for prefix, namespace in PREFIXES.items():
            self.g.bind(prefix, namespace, override=True, replace=True)
        self.uses_eu_themes = False

    # Small writers.
    def text(self, subject: Node, predicate: URIRef, value: str | None) -> None:
        if value is not None and value.strip():
            self.g.add((subject, predicate, Literal(value, lang=self.lang)))

    def translations(
        self, subject: Node, predicate: URIRef, values: Mapping[str, str] | None
    ) -> None:
        for lang, value in (values or {}).items():
            if value and value.strip() and lang != self.lang:
                self.g.add((subject, predicate, Literal(value, lang=lang)))

    def plain(self, subject: Node, predicate: URIRef, value: str | None) -> None:
        if value is not None and value.strip():
            self.g.add((subject, predicate, Literal(value)))

    def when(self, subject: Node, predicate: URIRef, value: date | None) -> None:
        if value is not None:
            # datetime is a date: rdflib types it xsd:dateTime, a date xsd:date.
            self.g.add((subject, predicate, Literal(value)))

    def typed(self, uri: str, *classes: URIRef) -> URIRef:
        node = URIRef(uri)
        for cls in classes:
            self.g.add((node, RDF.type, cls))
        return node

    def link(self, subject: Node, predicate: URIRef, uri: str | None, *classes: URIRef) -> None:
        if uri:
            self.g.add((subject, predicate, self.typed(uri, *classes)))

    # Resources.
    def build(self) -> Graph:
        c = self.catalog
        node = URIRef(c.uri)
        self.g.add((node, RDF.type, DCAT.Catalog))
        self.text(node, DCTERMS.title, c.title)
        self.translations(node, DCTERMS.title, c.title_translations)
        self.text(node, DCTERMS.description, c.description)
        self.translations(node, DCTERMS.description, c.description_translations)
        self.g.add((node, DCTERMS.publisher, self.agent(c.publisher)))
        self.link(node, FOAF.homepage, c.homepage, FOAF.Document)
        self.languages(node, c.language)
        self.when(node, DCTERMS.issued, c.issued)
        self.when(node, DCTERMS.modified, c.modified)
        if c.licence:
            self.g.add((node, DCTERMS.license, self.licence(c.licence)))
        for dataset in c.datasets:
            self.g.add((node, DCAT.dataset, self.dataset(dataset)))
        for service in c.services:
            self.g.add((node, DCAT.service, self.service(service)))
        if self.uses_eu_themes:
            scheme = self.typed(DATA_THEME_SCHEME, SKOS.ConceptScheme)
            self.g.add((scheme, DCTERMS.title, Literal("Data theme", lang="en")))
            self.g.add((node, DCAT.themeTaxonomy, scheme))
        return self.g

    def agent(self, agent: Agent) -> URIRef:
        node = self.typed(agent.uri, FOAF.Agent)
        self.plain(node, FOAF.name, agent.name)
        self.link(node, FOAF.homepage, agent.homepage, FOAF.Document)
        if agent.email:
            self.g.add((node, FOAF.mbox, URIRef(_mailto(agent.email))))
        return node

    def contact(self, contact: ContactPoint) -> BNode:
        node = BNode()
        self.g.add((node, RDF.type, VCARD.Kind))
        self.plain(node, VCARD.fn, contact.name)
        if contact.email:
            self.g.add((node, VCARD.hasEmail, URIRef(_mailto(contact.email))))
        if contact.url:
            self.g.add((node, VCARD.hasURL, URIRef(contact.url)))
        return node

    def languages(self, subject: Node, codes: Iterable[str]) -> None:
        for code in codes:
            self.link(subject, DCTERMS.language, language_uri(code), DCTERMS.LinguisticSystem)

    def licence(self, code_or_uri: str) -> URIRef:
        node = self.typed(licence_uri(code_or_uri), DCTERMS.LicenseDocument)
        info = LICENCES.get(code_or_uri) or next(
            (i for i in LICENCES.values() if i.uri == code_or_uri), None
        )
        if info:
            self.g.add((node, DCTERMS.title, Literal(info.label)))
            for kind in info.kinds:
                concept = self.typed(_ADMS_LICENCE_TYPE + kind, SKOS.Concept)
                label = _LICENCE_TYPE_LABELS[kind]
                self.g.add((concept, SKOS.prefLabel, Literal(label, lang="fr")))
                self.g.add((node, DCTERMS.type, concept))
        return node

    def theme(self, theme: str | Concept) -> URIRef:
        if isinstance(theme, Concept):
            node = self.typed(theme.uri, SKOS.Concept)
            self.g.add((node, SKOS.prefLabel, Literal(theme.label, lang=self.lang)))
            return node
        uri = theme_uri(theme)
        node = self.typed(uri, SKOS.Concept)
        code = uri.rsplit("/", 1)[-1]
        if uri.startswith(DATA_THEME_SCHEME + "/") and code in DATA_THEMES:
            self.uses_eu_themes = True
            self.g.add((node, SKOS.prefLabel, Literal(DATA_THEMES[code], lang="fr")))
            self.g.add((node, SKOS.inScheme, URIRef(DATA_THEME_SCHEME)))
        else:
            self.g.add((node, SKOS.prefLabel, Literal(code)))
        return node

    def location(self, place: str | Location) -> Node:
        if isinstance(place, str):
            place = Location(uri=place) if _is_uri(place) else Location(label=place)
        node: Node = URIRef(place.uri) if place.uri else BNode()
        self.g.add((node, RDF.type, DCTERMS.Location))
        self.text(node, SKOS.prefLabel, place.label)
        if place.bbox:
            self.g.add((node, DCAT.bbox, Literal(place.bbox, datatype=GSP.wktLiteral)))
        if place.centroid:
            self.g.add((node, DCAT.centroid, Literal(place.centroid, datatype=GSP.wktLiteral)))
        return node

    def period(self, start: date | None, end: date | None) -> BNode:
        node = BNode()
        self.g.add((node, RDF.type, DCTERMS.PeriodOfTime))
        self.when(node, DCAT.startDate, start)
        self.when(node, DCAT.endDate, end)
        return node

    def dataset(self, d: Dataset) -> URIRef:
        node = self.typed(d.uri, DCAT.Dataset)
        self.text(node, DCTERMS.title, d.title)
        self.translations(node, DCTERMS.title, d.title_translations)
        self.text(node, DCTERMS.description, d.description)
        self.translations(node, DCTERMS.description, d.description_translations)
        self.plain(node, DCTERMS.identifier, d.identifier)
        if d.publisher:
            self.g.add((node, DCTERMS.publisher, self.agent(d.publisher)))
        if d.contact_point:
            self.g.add((node, DCAT.contactPoint, self.contact(d.contact_point)))
        for theme in d.themes:
            self.g.add((node, DCAT.theme, self.theme(theme)))
        for keyword in dict.fromkeys(k.strip() for k in d.keywords if k and k.strip()):
            self.g.add((node, DCAT.keyword, Literal(keyword, lang=self.lang)))
        for place in d.spatial:
            self.g.add((node, DCTERMS.spatial, self.location(place)))
        if d.temporal and (d.temporal[0] or d.temporal[1]):
            self.g.add((node, DCTERMS.temporal, self.period(*d.temporal)))
        if d.accrual_periodicity:
            self.frequency(node, d.accrual_periodicity)
        if d.licence:
            # DCAT-AP puts the licence on the distributions (below); DCAT 3 allows it on any
            # resource, and a dataset without distribution keeps its licence this way.
            self.g.add((node, DCTERMS.license, self.licence(d.licence)))
        self.link(node, DCTERMS.conformsTo, d.conforms_to, DCTERMS.Standard)
        self.when(node, DCTERMS.issued, d.issued)
        self.when(node, DCTERMS.modified, d.modified)
        self.link(node, DCAT.landingPage, d.landing_page, FOAF.Document)
        self.languages(node, d.language)
        self.link(node, DCTERMS.accessRights, ACCESS_RIGHT_PUBLIC, DCTERMS.RightsStatement)
        self.plain(node, DCAT.version, d.version)
        self.text(node, ADMS.versionNotes, d.version_notes)
        for version in d.versions:
            self.g.add((node, DCAT.hasVersion, self.version(d, version)))
        for distribution in d.distributions:
            self.g.add((node, DCAT.distribution, self.distribution(distribution, d.licence)))
        return node

    def frequency(self, subject: Node, code_or_uri: str) -> None:
        node = self.typed(frequency_uri(code_or_uri), DCTERMS.Frequency)
        known = FREQUENCIES.get(code_or_uri)
        if known:
            self.g.add((node, SKOS.prefLabel, Literal(known[1], lang="fr")))
        self.g.add((subject, DCTERMS.accrualPeriodicity, node))

    def version(self, d: Dataset, v: DatasetVersion) -> URIRef:
        node = self.typed(v.uri, DCAT.Dataset)
        self.text(node, DCTERMS.title, v.title or f"{d.title} (version {v.version})")
        self.text(node, DCTERMS.description, v.description or d.description)
        self.plain(node, DCAT.version, v.version)
        self.text(node, ADMS.versionNotes, v.notes)
        self.when(node, DCTERMS.issued, v.issued)
        if d.publisher:
            self.g.add((node, DCTERMS.publisher, self.agent(d.publisher)))
        self.g.add((node, DCAT.isVersionOf, URIRef(d.uri)))
        return node

    def distribution(self, dist: Distribution, default_licence: str | None) -> URIRef:
        node = self.typed(dist.uri, DCAT.Distribution)
        self.text(node, DCTERMS.title, dist.title)
        self.text(node, DCTERMS.description, dist.description)
        self.link(node, DCAT.accessURL, dist.access_url, RDFS.Resource)
        self.link(node, DCAT.downloadURL, dist.download_url, RDFS.Resource)
        media_type = dist.media_type
        if media_type is None and dist.format and dist.format.upper() in _FORMAT_MEDIA_TYPES:
            media_type = _FORMAT_MEDIA_TYPES[dist.format.upper()]
        if media_type:
            self.link(node, DCAT.mediaType, media_type_uri(media_type), DCTERMS.MediaType)
        if dist.format:
            self.link(node, DCTERMS.format, file_type_uri(dist.format), DCTERMS.MediaTypeOrExtent)
        if dist.byte_size is not None:
            if dist.byte_size < 0:
                raise ValueError(f"Negative byte size for {dist.uri}")
            size = Literal(str(int(dist.byte_size)), datatype=XSD.nonNegativeInteger)
            self.g.add((node, DCAT.byteSize, size))
        licence = dist.licence or default_licence
        if licence:
            self.g.add((node, DCTERMS.license, self.licence(licence)))
        self.when(node, DCTERMS.issued, dist.issued)
        self.when(node, DCTERMS.modified, dist.modified)
        self.link(node, DCTERMS.conformsTo, dist.conforms_to, DCTERMS.Standard)
        if dist.checksum_sha256:
            self.g.add((node, SPDX.checksum, self.checksum(dist.checksum_sha256)))
        if dist.access_service:
            self.g.add((node, DCAT.accessService, URIRef(dist.access_service)))
        return node

    def checksum(self, sha256: str) -> BNode:
        value = sha256.strip().lower()
        if not re.fullmatch(r"[0-9a-f]{64}", value):
            raise ValueError(f"Not a SHA-256 hex digest: {sha256!r}")
        node = BNode()
        self.g.add((node, RDF.type, SPDX.Checksum))
        algorithm = self.typed(str(SPDX.checksumAlgorithm_sha256), SPDX.ChecksumAlgorithm)
        self.g.add((node, SPDX.algorithm, algorithm))
        self.g.add((node, SPDX.checksumValue, Literal(value, datatype=XSD.hexBinary)))
        return node

    def service(self, s: DataService) -> URIRef:
        node = self.typed(s.uri, DCAT.DataService)
        self.text(node, DCTERMS.title, s.title)
        self.text(node, DCTERMS.description, s.description)
        self.link(node, DCAT.endpointURL, s.endpoint_url, RDFS.Resource)
        self.link(node, DCAT.endpointDescription, s.endpoint_description, RDFS.Resource)
        for dataset_uri in s.serves:
            self.g.add((node, DCAT.servesDataset, URIRef(dataset_uri)))
        if s.licence:
            self.g.add((node, DCTERMS.license, self.licence(s.licence)))
        if s.publisher:
            self.g.add((node, DCTERMS.publisher, self.agent(s.publisher)))
        self.link(node, DCTERMS.conformsTo, s.conforms_to, DCTERMS.Standard)
        self.link(node, DCTERMS.accessRights, ACCESS_RIGHT_PUBLIC, DCTERMS.RightsStatement)
        return node


def _literal_language(languages: Sequence[str]) -> str:
    """The language tag of the texts: the first known language of the catalogue, else French."""
    inverse = {eu: iso for iso, eu in LANGUAGES.items()}
    for code in languages:
        if code.lower() in LANGUAGES:
            return code.lower()
        if code.startswith(LANGUAGE_BASE) and code.removeprefix(LANGUAGE_BASE) in inverse:
            return inverse[code.removeprefix(LANGUAGE_BASE)]
    return "fr"


def _mailto(email: str) -> str:
    return email if email.startswith("mailto:") else f"mailto:{email.strip()}"


# --- Serialisation ------------------------------------------------------------------------------

_FORMATS: dict[str, tuple[str, str]] = {
    "ttl": ("turtle", "text/turtle"),
    "turtle": ("turtle", "text/turtle"),
    "jsonld": ("json-ld", "application/ld+json"),
    "json-ld": ("json-ld", "application/ld+json"),
    "rdf": ("xml", "application/rdf+xml"),
    "xml": ("xml", "application/rdf+xml"),
}
FORMATS = ("ttl", "jsonld", "rdf")
"""The serialisation formats offered to the users."""

JSONLD_CONTEXT: dict[str, str] = {prefix: str(ns) for prefix, ns in PREFIXES.items()}


def serialize(graph: Graph, fmt: str) -> tuple[bytes, str]:
    """The graph in "ttl", "jsonld" or "rdf" (RDF/XML), UTF-8, and its content type."""
    try:
        rdflib_format, content_type = _FORMATS[fmt.lower()]
    except KeyError:
        raise ValueError(f"Unknown RDF format {fmt!r}; expected one of {FORMATS}") from None
    options: dict[str, Any] = {}
    if rdflib_format == "json-ld":
        options = {"context": JSONLD_CONTEXT, "auto_compact": True}
    data = graph.serialize(format=rdflib_format, encoding="utf-8", **options)
    return data, content_type


# --- SHACL validation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ValidationReport:
    """Outcome of a SHACL check: only violations make it fail."""

    conforms: bool
    violations: list[str]
    warnings: list[str]
    infos: list[str]


@functools.lru_cache(maxsize=4)
def _shapes(path: str, mtime_ns: int) -> Graph:
    return Graph().parse(path, format="turtle")


def validate(graph: Graph, shapes_path: str | Path) -> tuple[bool, list[str]]:
    """Check the graph against SHACL shapes: (conforms, messages of the violations)."""
    report = validate_report(graph, shapes_path)
    return report.conforms, report.violations


def validate_report(graph: Graph, shapes_path: str | Path) -> ValidationReport:
    """Check the graph against SHACL shapes, without inference; warnings reported apart."""
    import pyshacl  # imported here: slow to import, and only needed by checks

    path = Path(shapes_path)
    shapes = _shapes(str(path), path.stat().st_mtime_ns)
    _, results_graph, _ = pyshacl.validate(
        graph,
        shacl_graph=shapes,
        inference="none",
        allow_warnings=True,
        abort_on_first=False,
        meta_shacl=False,
        advanced=False,
    )
    found: dict[URIRef, list[str]] = {SH.Violation: [], SH.Warning: [], SH.Info: []}
    for result in results_graph.subjects(RDF.type, SH.ValidationResult):
        severity = results_graph.value(result, SH.resultSeverity)
        key = severity if isinstance(severity, URIRef) and severity in found else SH.Violation
        found[key].append(_describe(results_graph, result, graph))
    violations = sorted(found[SH.Violation])
    return ValidationReport(
        conforms=not violations,
        violations=violations,
        warnings=sorted(found[SH.Warning]),
        infos=sorted(found[SH.Info]),
    )


def _describe(results: Graph, result: Node, data: Graph) -> str:
    def short(node: Node | None) -> str:
        if node is None:
            return "?"
        if isinstance(node, URIRef):
            return data.namespace_manager.normalizeUri(node)
        if isinstance(node, BNode):
            return "[]"
        return repr(str(node))

    focus = short(results.value(result, SH.focusNode))
    path = short(results.value(result, SH.resultPath))
    message = results.value(result, SH.resultMessage)
    value = results.value(result, SH.value)
    text = f"{focus} {path}: {message}"
    if value is not None:
        text += f" (valeur : {short(value)})"
    return text
