"""Load the reference territories of France and Québec from the CSV files of REFERENCE_DATA_DIR.

The import is idempotent: rows are matched on (country, kind, code); a second run updates what
changed and creates nothing. Slugs are set once, at creation, and never changed afterwards, so
URLs stay stable. Everything runs in one transaction with bulk_create/bulk_update in batches.
What is imported, and why, is described in docs/territories.md.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from mediane.territories.models import Kind, Territory

BATCH_SIZE = 1000

# Québec designations that are municipalities (local governments under Québec law). Indian
# reserves, unorganised territories, category I/IA lands and the regional government are not.
QC_MUNICIPAL_DESIGNATIONS = {
    "Municipalité": "Municipalité",
    "Ville": "Ville",
    "Paroisse": "Paroisse",
    "Canton": "Canton",
    "Cantons unis": "Cantons unis",
    "Village": "Village",
    "Village nordique": "Village nordique",
    "Village cri (Terre de la catégorie": "Village cri",
    "Village naskapi (Terre de la catégo": "Village naskapi",
}

# Fields the reference files own: always brought back to the reference value.
REFERENCE_FIELDS = (
    "name",
    "designation",
    "parent_id",
    "grouping_id",
    "population",
    "postal_codes",
    "siren",
    "subtype",
)
# Fields the secretariat may edit: filled from the reference only while empty.
FILL_FIELDS = ("latitude", "longitude", "website")

_CODE_IN_PARENS = re.compile(r"^(?P<name>.*?)\s*\((?P<code>[0-9A-Za-z]+)\)\s*$")


class ImportFileError(Exception):
    """A reference file is missing or malformed; the message is in French."""


@dataclass
class Record:
    """One territory as described by the reference files, before it is written."""

    country: str
    kind: str
    code: str
    name: str
    slug_hint: str
    designation: str = ""
    parent_key: tuple[str, str, str] | None = None
    grouping_key: tuple[str, str, str] | None = None
    population: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    postal_codes: str = ""
    siren: str = ""
    website: str = ""
    subtype: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.country, self.kind, self.code)


@dataclass
class ImportStats:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)

    @property
    def changed(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values())

    def lines(self) -> list[str]:
        """A per-(country, kind) summary, one line each."""
        keys = sorted(set(self.created) | set(self.updated) | set(self.unchanged))
        out = [
            _("%(country)s %(kind)s : %(created)s créés, %(updated)s modifiés, %(same)s inchangés")
            % {
                "country": country,
                "kind": kind,
                "created": self.created[(country, kind)],
                "updated": self.updated[(country, kind)],
                "same": self.unchanged[(country, kind)],
            }
            for country, kind in keys
        ]
        for reason, count in sorted(self.skipped.items()):
            out.append(_("ignorés (%(reason)s) : %(count)s") % {"reason": reason, "count": count})
        return out


# --- Parsing helpers --------------------------------------------------------------------------


def split_name_code(text: str) -> tuple[str, str]:
    """'MRC Acton (480)' -> ('MRC Acton', '480'); raises ValueError when there is no code."""
    match = _CODE_IN_PARENS.match(text.strip())
    if not match:
        raise ValueError(text)
    return match.group("name").strip(), match.group("code")


def parse_int(value: str) -> int | None:
    value = (value or "").strip().replace(" ", "")
    if not value:
        return None
    try:
        return max(int(float(value)), 0)
    except ValueError:
        return None


def parse_float(value: str) -> float | None:
    value = (value or "").strip().replace(",", ".")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        return None


def normalise_website(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    if not value.startswith(("http://", "https://")):
        value = "https://" + value
    return value[:200]


def read_csv(path: Path, required: Iterable[str]) -> list[dict[str, str]]:
    """Rows of a UTF-8 CSV file as dicts; checks that the required columns exist."""
    if not path.exists():
        raise ImportFileError(_("Fichier de référence introuvable : %(path)s") % {"path": path})
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = set(required) - set(reader.fieldnames or [])
        if missing:
            raise ImportFileError(
                _("Colonnes manquantes dans %(file)s : %(cols)s")
                % {"file": path.name, "cols": ", ".join(sorted(missing))}
            )
        return [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]


def _most_common(values: Iterable[str]) -> str | None:
    counts = Counter(v for v in values if v)
    if not counts:
        return None
    # Highest count first, then the smallest code, so the choice is deterministic.
    return min(counts.items(), key=lambda item: (-item[1], item[0]))[0]


# --- Building records from the files -----------------------------------------------------------


def build_records(
    data_dir: Path, *, only: set[tuple[str, str]] | None = None
) -> tuple[list[Record], Counter]:
    """All records in dependency order (parents first), and skipped-row counts.

    `only`: a set of (country, municipality code); when given, only those municipalities and
    the groupings they belong to are kept (regions and départements are always all loaded).
    """
    skipped: Counter = Counter()
    france = Record("FR", Kind.COUNTRY, "FR", "France", "france")
    quebec = Record("QC", Kind.COUNTRY, "QC", "Québec", "quebec")

    fr = _france_records(data_dir, france, only, skipped)
    qc = _quebec_records(data_dir, quebec, only, skipped)
    records = [france, quebec, *fr, *qc]
    _sum_populations(records)
    order: dict[str, int] = {Kind.COUNTRY: 0, Kind.REGION: 1, Kind.DEPARTEMENT: 2, Kind.GROUPING: 3}
    records.sort(key=lambda r: order.get(r.kind, 4))
    return records, skipped


def _france_records(
    data_dir: Path, france: Record, only: set[tuple[str, str]] | None, skipped: Counter
) -> list[Record]:
    regions = read_csv(data_dir / "fr-regions.csv", ["code", "nom"])
    departements = read_csv(data_dir / "fr-departements.csv", ["code", "nom", "region"])
    communes = read_csv(
        data_dir / "fr-communes.csv",
        ["code_insee", "nom", "departement", "region", "siren", "codes_postaux", "population"],
    )
    epcis = read_csv(data_dir / "fr-epci.csv", ["siren_epci", "nom", "type", "population"])
    members = read_csv(data_dir / "fr-epci-membres.csv", ["siren_epci", "code_insee"])
    acv = read_csv(
        data_dir / "fr-action-coeur-de-ville.csv", ["code_insee", "latitude", "longitude"]
    )
    coords = {row["code_insee"]: row for row in acv}
    coords.update(_network_coordinates(data_dir, "FR"))
    epci_of = {row["code_insee"]: row["siren_epci"] for row in members}

    out: list[Record] = []
    for row in regions:
        out.append(
            Record(
                "FR",
                Kind.REGION,
                row["code"],
                row["nom"],
                f"region-{row['code']}",
                parent_key=france.key,
            )
        )
    for row in departements:
        out.append(
            Record(
                "FR",
                Kind.DEPARTEMENT,
                row["code"],
                row["nom"],
                f"dept-{row['code']}",
                parent_key=("FR", Kind.REGION, row["region"]),
            )
        )

    kept_communes = [r for r in communes if only is None or ("FR", r["code_insee"]) in only]
    if only is not None:
        skipped["hors sélection"] += len(communes) - len(kept_communes)
    wanted_epcis = {epci_of.get(r["code_insee"]) for r in kept_communes}
    epci_depts: dict[str, list[str]] = defaultdict(list)
    for row in communes:
        if row["code_insee"] in epci_of:
            epci_depts[epci_of[row["code_insee"]]].append(row["departement"])
    for row in epcis:
        siren = row["siren_epci"]
        if only is not None and siren not in wanted_epcis:
            continue
        dept = _most_common(epci_depts.get(siren, []))
        out.append(
            Record(
                "FR",
                Kind.GROUPING,
                siren,
                row["nom"],
                f"epci-{siren}",
                designation="EPCI",
                subtype=row["type"],
                siren=siren,
                population=parse_int(row["population"]),
                parent_key=("FR", Kind.DEPARTEMENT, dept) if dept else None,
            )
        )
    for row in kept_communes:
        code = row["code_insee"]
        point = coords.get(code, {})
        epci = epci_of.get(code)
        out.append(
            Record(
                "FR",
                Kind.MUNICIPALITY,
                code,
                row["nom"],
                f"{slugify(row['nom'])}-{code}",
                designation="Commune",
                parent_key=("FR", Kind.DEPARTEMENT, row["departement"]),
                grouping_key=("FR", Kind.GROUPING, epci) if epci else None,
                population=parse_int(row["population"]),
                latitude=parse_float(point.get("latitude", "")),
                longitude=parse_float(point.get("longitude", "")),
                postal_codes=row["codes_postaux"][:200],
                siren=row["siren"][:9],
            )
        )
    return out


def _quebec_records(
    data_dir: Path, quebec: Record, only: set[tuple[str, str]] | None, skipped: Counter
) -> list[Record]:
    rows = read_csv(
        data_dir / "qc-municipalites.csv",
        ["code_geographique", "nom", "designation", "region_administrative", "mrc", "population"],
    )
    coords = _network_coordinates(data_dir, "QC")
    regions: dict[str, Record] = {}
    mrcs: dict[str, Record] = {}
    mrc_regions: dict[str, list[str]] = defaultdict(list)
    municipalities: list[Record] = []
    for row in rows:
        designation = QC_MUNICIPAL_DESIGNATIONS.get(row["designation"])
        if designation is None:
            skipped[row["designation"] or "sans désignation"] += 1
            continue
        try:
            region_name, region_code = split_name_code(row["region_administrative"])
        except ValueError:
            skipped["région illisible"] += 1
            continue
        regions.setdefault(
            region_code,
            Record(
                "QC",
                Kind.REGION,
                region_code,
                region_name,
                f"region-qc-{region_code}",
                designation="Région administrative",
                parent_key=quebec.key,
            ),
        )
        code = row["code_geographique"]
        if only is not None and ("QC", code) not in only:
            skipped["hors sélection"] += 1
            continue
        mrc_key = None
        if row["mrc"]:
            try:
                mrc_name, mrc_code = split_name_code(row["mrc"])
            except ValueError:
                mrc_name, mrc_code = "", ""
            if mrc_code:
                mrc_key = ("QC", Kind.GROUPING, mrc_code)
                mrc_regions[mrc_code].append(region_code)
                mrcs.setdefault(
                    mrc_code,
                    Record(
                        "QC",
                        Kind.GROUPING,
                        mrc_code,
                        mrc_name,
                        f"mrc-{mrc_code}",
                        designation="MRC",
                    ),
                )
        point = coords.get(code, {})
        municipalities.append(
            Record(
                "QC",
                Kind.MUNICIPALITY,
                code,
                row["nom"],
                f"{slugify(row['nom'])}-{code}",
                designation=designation,
                parent_key=("QC", Kind.REGION, region_code),
                grouping_key=mrc_key,
                population=parse_int(row["population"]),
                latitude=parse_float(point.get("latitude", "")),
                longitude=parse_float(point.get("longitude", "")),
                postal_codes=row.get("code_postal", "")[:200],
                website=normalise_website(row.get("site_web", "")),
            )
        )
    for code, record in mrcs.items():
        region = _most_common(mrc_regions[code])
        record.parent_key = ("QC", Kind.REGION, region) if region else None
    return [*sorted(regions.values(), key=lambda r: r.code), *mrcs.values(), *municipalities]


def _network_coordinates(data_dir: Path, country: str) -> dict[str, dict[str, str]]:
    path = data_dir / "coordinates-network.csv"
    if not path.exists():
        return {}
    rows = read_csv(path, ["country", "code", "latitude", "longitude"])
    return {row["code"]: row for row in rows if row["country"] == country}


def _sum_populations(records: list[Record]) -> None:
    """Fill missing populations of groupings and upper levels with the sum of their members.

    Municipalities count once for their grouping and once for their parent chain (département
    then région then country for France; région then province for Québec).
    """
    by_key = {r.key: r for r in records}
    for kind, via in (
        (Kind.GROUPING, "grouping_key"),
        (Kind.DEPARTEMENT, "parent_key"),
        (Kind.REGION, "parent_key"),
        (Kind.COUNTRY, "parent_key"),
    ):
        totals: Counter = Counter()
        for r in records:
            target = getattr(r, via)
            if target and target[1] == kind and r.population is not None:
                # Departments and regions sum their direct children (communes, departments).
                if kind == Kind.DEPARTEMENT and r.kind != Kind.MUNICIPALITY:
                    continue
                if kind == Kind.REGION and r.kind == Kind.GROUPING:
                    continue
                totals[target] += r.population
        for key, total in totals.items():
            record = by_key.get(key)
            if record is not None and record.population is None:
                record.population = total


# --- Writing -----------------------------------------------------------------------------------


def import_territories(
    *,
    data_dir: Path | None = None,
    only: set[tuple[str, str]] | None = None,
    progress: Callable[[int], Any] | None = None,
    on_total: Callable[[int], Any] | None = None,
) -> ImportStats:
    """Create or update every territory of the reference files; returns what changed.

    `progress(n)` is called as rows are processed (for a progress bar); `on_total(n)` once with
    the number of rows. Raises ImportFileError on a missing or malformed file.
    """
    data_dir = Path(data_dir or settings.REFERENCE_DATA_DIR)
    records, skipped = build_records(data_dir, only=only)
    stats = ImportStats(skipped=skipped)
    if on_total:
        on_total(len(records))
    with transaction.atomic():
        _write(records, stats, progress)
    return stats


def _write(
    records: list[Record], stats: ImportStats, progress: Callable[[int], Any] | None
) -> None:
    fields = ("id", "slug", *REFERENCE_FIELDS, *FILL_FIELDS)
    existing: dict[tuple[str, str, str], dict[str, Any]] = {}
    for row in Territory.objects.values("country", "kind", "code", *fields).iterator(
        chunk_size=5000
    ):
        existing[(row["country"], row["kind"], row["code"])] = row
    slugs = {row["slug"] for row in existing.values()}
    ids = {key: row["id"] for key, row in existing.items()}

    # Levels are written in order so that parents have ids before their children need them.
    level_of: dict[str, int] = {
        Kind.COUNTRY: 0,
        Kind.REGION: 1,
        Kind.DEPARTEMENT: 2,
        Kind.GROUPING: 3,
        Kind.MUNICIPALITY: 4,
    }
    levels: dict[int, list[Record]] = defaultdict(list)
    for record in records:
        levels[level_of[record.kind]].append(record)

    for level in sorted(levels):
        to_create: list[dict[str, Any]] = []
        to_update: dict[tuple[str, ...], list[Territory]] = defaultdict(list)
        for n, record in enumerate(levels[level], start=1):
            if progress and n % BATCH_SIZE == 0:
                progress(BATCH_SIZE)
            values = _values(record, ids)
            current = existing.get(record.key)
            label = (record.country, str(record.kind))
            if current is None:
                slug = _unique_slug(record.slug_hint, record.country, slugs)
                to_create.append(
                    {
                        "country": record.country,
                        "kind": str(record.kind),
                        "code": record.code,
                        "slug": slug,
                        **values,
                    }
                )
                stats.created[label] += 1
                continue
            diff = {
                name: value
                for name, value in values.items()
                if (name in REFERENCE_FIELDS and current[name] != value)
                or (name in FILL_FIELDS and value not in (None, "") and current[name] in (None, ""))
            }
            if diff:
                # Grouped by changed fields, so that untouched fields keep their value.
                to_update[tuple(sorted(diff))].append(Territory(pk=current["id"], **diff))
                stats.updated[label] += 1
            else:
                stats.unchanged[label] += 1
        if to_create:
            _insert(to_create)
        for names, group in to_update.items():
            model_fields = [n.removesuffix("_id") for n in names]
            Territory.objects.bulk_update(group, model_fields, batch_size=BATCH_SIZE)
        if progress:
            progress(len(levels[level]) % BATCH_SIZE)
        if to_create and level < max(levels):
            kinds = {r.kind for r in levels[level]}
            for row in Territory.objects.filter(kind__in=kinds).values(
                "id", "country", "kind", "code"
            ):
                ids[(row["country"], row["kind"], row["code"])] = row["id"]


def _insert(rows: list[dict[str, Any]]) -> None:
    """Plain parameterised INSERTs with executemany: several times faster than bulk_create on
    SQLite (which is limited to ~60 rows per statement here) and as fast on PostgreSQL."""
    fields = [f for f in Territory._meta.concrete_fields if not f.primary_key]
    defaults = {f.attname: f.get_default() for f in fields}
    quote = connection.ops.quote_name
    # Table and column names come from the model's metadata, never from input.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        quote(str(Territory._meta.db_table)),
        ", ".join(quote(str(f.column)) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    tuples = [tuple(row.get(f.attname, defaults[f.attname]) for f in fields) for row in rows]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: one stream instead of one statement per row.
            copy_sql = "COPY {} ({}) FROM STDIN".format(
                quote(str(Territory._meta.db_table)),
                ", ".join(quote(str(f.column)) for f in fields),
            )
            with cursor.cursor.copy(copy_sql) as copy:
                for values in tuples:
                    copy.write_row(values)
            return
        for start in range(0, len(tuples), 5 * BATCH_SIZE):
            cursor.executemany(sql, tuples[start : start + 5 * BATCH_SIZE])


def _values(record: Record, ids: dict[tuple[str, str, str], int]) -> dict[str, Any]:
    return {
        "name": record.name[:200],
        "designation": record.designation[:60],
        "parent_id": ids.get(record.parent_key) if record.parent_key else None,
        "grouping_id": ids.get(record.grouping_key) if record.grouping_key else None,
        "population": record.population,
        "postal_codes": record.postal_codes,
        "siren": record.siren,
        "subtype": record.subtype[:20],
        "latitude": record.latitude,
        "longitude": record.longitude,
        "website": record.website,
    }


def _unique_slug(hint: str, country: str, taken: set[str]) -> str:
    slug = slugify(hint)[:200] or country.lower()
    if slug in taken:
        slug = f"{slug}-{country.lower()}"
    base, n = slug, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug
