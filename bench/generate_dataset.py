"""A large SCDL "subventions" CSV for the data hub benchmark, streamed to disk.

    .venv/bin/python bench/generate_dataset.py          # bench/out/subventions-1000000.csv
    .venv/bin/python bench/generate_dataset.py --rows 100000 --out /tmp/s.csv --invalid-rate 0.002

Deterministic: the same `--seed`, `--rows` and `--invalid-rate` give the same bytes. The file
follows the SCDL schema `scdl/subventions@2.1.1` (shipped in `mediane/datahub/schemas/`): its 16
columns in the schema's order, UTF-8, comma-separated, one line per row, with values shaped like
the upstream valid example (`exemple_valide.csv`):

- granting bodies (`nomAttribuant`, `idAttribuant`): 60 communes, départements, régions and
  intercommunalities with fictitious SIRETs that pass both Luhn keys (SIREN and SIRET);
- beneficiaries: a pool of 100,000 associations and companies (`nomBeneficiaire` built from
  patterns such as "ASSOCIATION SPORTIVE DE VALENCE - ASV"), drawn with a skewed popularity
  (some receive many subsidies); 80 % have a valid SIRET, the others only an RNA number
  (`W` + 9 digits), so `one-of-required` holds; a few have both;
- dates 2015–2025, `referenceDecision` like "DEL-2021-0457" or "CONV N° 2074-15" (a fifth
  empty), amounts
  from 150 to 2,000,000 (cents on some), the four `nature` values, "unique" / "échelonné",
  payment periods of one date or two, `idRAE` mostly empty, `notificationUE` "oui"/"non",
  `pourcentageSubvention` between 0.01 and 1, `dispositifAide` often empty.

Personal data: three extra columns that are **not** in the schema, for the personal-data scan:
`nomContact` (the beneficiary's contact person, "Prénom NOM" from common French first names and
surnames), `courrielContact` (prenom.nom@example.org / example.fr / example.com: reserved
domains) and `telephoneContact` (numbers that are reserved for fiction: French "01 99 00 xx xx",
"04 65 71 xx xx"… ranges of ARCEP, and "(819) 555-01xx" in North America).
Both frictionless and the data hub report them as three `extra-label` header errors and then
ignore their cells (frictionless 5 maps extra cells to the extra labels: no error per row), so
the file stays "valid but for a few cells" for both; `--no-extra` leaves them out.

Invalid cells: each of the schema's cells is made invalid with probability `--invalid-rate`
(0.1 % by default: about 16,000 invalid cells in a million rows), in a column that has a
constraint, with the mistakes cities make: a date "31/12/2021", an amount "12 500,00 €", a
"nature" outside the list, a percentage of 45, a period "2021", an empty required cell, a
13-digit SIRET, a SIRET whose key is wrong (only the SCDL custom check `french-siret-value`
sees that one: frictionless does not run custom checks)… The counts per column are printed.

Size: about 250 bytes a row (the 16 schema columns take about 190, as in the upstream example),
so the default million rows make a 250 MB file, above the 200 MB upload limit
(`MEDIANE_DATAHUB_MAX_UPLOAD_BYTES`); 400,000 rows make about 100 MB. Memory is constant: rows
are written as they are made (the beneficiary pool, a few megabytes, is the only thing held),
into `<out>.part`, renamed at the end.
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from stdnum import luhn

BENCH_DIR = Path(__file__).resolve().parent
OUT_DIR = BENCH_DIR / "out"

SCHEMA_COLUMNS = (
    "nomAttribuant",
    "idAttribuant",
    "dateConvention",
    "referenceDecision",
    "nomBeneficiaire",
    "idBeneficiaire",
    "rnaBeneficiaire",
    "objet",
    "montant",
    "nature",
    "conditionsVersement",
    "datesPeriodeVersement",
    "idRAE",
    "notificationUE",
    "pourcentageSubvention",
    "dispositifAide",
)
EXTRA_COLUMNS = ("nomContact", "courrielContact", "telephoneContact")

TOWNS = (
    "Antibes", "Valence", "Nevers", "Quimper", "Albi", "Colmar", "Bayonne", "Niort", "Chartres",
    "Laval", "Vannes", "Auxerre", "Blois", "Tarbes", "Agen", "Périgueux", "Épinal", "Cahors",
    "Saint-Brieuc", "Châlons-en-Champagne", "Bourg-en-Bresse", "Montauban", "Arras", "Évreux",
    "Annecy", "Rodez", "Gap", "Dax", "Sète", "Lorient", "Cholet", "Vichy", "Mâcon", "Dole",
    "Brive-la-Gaillarde", "Aurillac", "Carcassonne", "Thionville", "Roanne", "Saintes",
)  # fmt: skip
DEPARTEMENTS = (
    "Finistère", "Tarn", "Haut-Rhin", "Drôme", "Nièvre", "Aveyron", "Landes", "Vosges",
    "Sarthe", "Loir-et-Cher",
)  # fmt: skip
REGIONS = ("Bretagne", "Occitanie", "Grand Est", "Normandie", "Centre-Val de Loire")
SPORTS = (
    "FOOTBALL", "RUGBY", "BASKET-BALL", "HAND BALL", "TENNIS DE TABLE", "NATATION", "JUDO",
    "CYCLISME", "ATHLÉTISME", "GYMNASTIQUE", "VOLLEY BALL", "AVIRON", "ESCRIME", "PÉTANQUE",
)  # fmt: skip
KINDS = (
    "ASSOCIATION SPORTIVE DE {town}",
    "CLUB DE {sport} DE {town}",
    "{town} {sport} CLUB",
    "COMITÉ DES FÊTES DE {town}",
    "AMICALE DES SAPEURS-POMPIERS DE {town}",
    "ÉCOLE DE MUSIQUE DE {town}",
    "THÉÂTRE DU {word}",
    "COMPAGNIE {word}",
    "MAISON DES JEUNES ET DE LA CULTURE DE {town}",
    "SECOURS {word} DE {town}",
    "ASSOCIATION DES PARENTS D'ÉLÈVES DE {town}",
    "FESTIVAL {word} DE {town}",
    "CENTRE SOCIAL {word}",
    "JARDINS PARTAGÉS DE {town}",
    "SARL {word} ET FILS",
    "SCOP {word}",
    "OFFICE DE TOURISME DE {town}",
    "UNION SPORTIVE {town} {sport}",
)
WORDS = (
    "DES TILLEULS", "DU LAVOIR", "LES ÉCHAPPÉES", "AU FIL DE L'EAU", "LA BOUSSOLE", "L'ESCALE",
    "DU PONT NEUF", "LES GRANDS CHEMINS", "POPULAIRE", "SOLIDAIRE", "LA FABRIQUE", "DES QUAIS",
    "LE CHAPITEAU", "LA MARELLE", "LES TRÉTEAUX", "DU VIEUX PORT", "L'OISEAU LYRE", "LES ARCADES",
)  # fmt: skip
OBJECTS = (
    "Fonctionnement", "Fonctionnement", "Fonctionnement", "Investissement",
    "Subvention exceptionnelle", "Organisation du tournoi annuel", "Saison culturelle",
    "Festival d'été", "Actions éducatives périscolaires", "Achat de matériel",
    "Animations dans les quartiers", "Aide à l'emploi d'un salarié", "Projet jeunesse",
    "Rénovation des locaux", "Déplacements en compétition", "Fête de la musique",
)  # fmt: skip
NATURES = (
    ("aide en numéraire", 85),
    ("aide en nature", 8),
    ("aide en numéraire;aide en nature", 5),
    ("aide en nature;aide en numéraire", 2),
)
DISPOSITIFS = ("", "", "", "", "", "Politique de la ville", "Contrat de ville", "FDVA", "Sport")
FIRST_NAMES = (
    "Marie", "Jean", "Nathalie", "Pierre", "Isabelle", "Michel", "Sylvie", "Philippe", "Catherine",
    "Alain", "Sophie", "Nicolas", "Christine", "Laurent", "Valérie", "Julien", "Céline", "Thomas",
    "Sandrine", "Stéphane", "Camille", "Antoine", "Julie", "Mathieu", "Aurélie", "David", "Émilie",
    "François", "Claire", "Olivier", "Léa", "Hugo", "Chloé", "Lucas", "Manon", "Louis", "Inès",
    "Gabriel", "Sarah", "Arthur", "Hélène", "Bernard", "Martine", "Patrick", "Monique", "Éric",
)  # fmt: skip
SURNAMES = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "André", "Lefèvre", "Mercier", "Dupont", "Lambert",
    "Bonnet", "François", "Martinez", "Legrand", "Garnier", "Faure", "Rousseau", "Blanc",
    "Guérin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin", "Morin", "Mathieu", "Clément",
    "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin", "Masson", "Sanchez",
    "Gérard", "Nguyen", "Boyer", "Denis", "Lemaire", "Duval", "Joly", "Gautier", "Roger",
    "Tremblay", "Gagnon", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie", "Fortin", "Pelletier",
)  # fmt: skip
MAIL_DOMAINS = ("example.org", "example.fr", "example.com")
# Numbers reserved for fiction: ARCEP's ranges in France, 555-0100 to 555-0199 in North America.
PHONE_PREFIXES = ("01 99 00", "02 61 91", "03 53 01", "04 65 71", "05 36 49")
BENEFICIARIES = 100_000
_UNACCENT = str.maketrans("àâäçéèêëîïôöùûüÿœÀÂÇÉÈÊËÎÏÔÖÙÛÜ", "aaaceeeeiioouuuyoAACEEEEIIOOUUU")


def siret(rng: random.Random, siren_start: str = "") -> str:
    """A fictitious SIRET that passes both keys (SIREN and SIRET), as `stdnum.fr.siret`
    checks them."""
    body = siren_start + "".join(str(rng.randrange(10)) for _ in range(8 - len(siren_start)))
    siren = body + luhn.calc_check_digit(body)
    nic = f"{rng.randrange(1, 1000):04d}"
    return siren + nic + luhn.calc_check_digit(siren + nic)


def bad_key(number: str) -> str:
    """The same SIRET with a wrong last digit (the pattern still holds)."""
    return number[:-1] + str((int(number[-1]) + 1 + int(number[-2]) % 8) % 10)


def _attribuants(rng: random.Random) -> list[tuple[str, str]]:
    bodies = [(f"Ville de {t}", "21") for t in TOWNS]
    bodies += [(f"Département {d}", "22") for d in DEPARTEMENTS]
    bodies += [(f"Région {r}", "23") for r in REGIONS]
    bodies += [(f"Communauté d'agglomération de {t}", "20") for t in TOWNS[1:6]]
    return [(name, siret(rng, prefix)) for name, prefix in bodies]


def _person(rng: random.Random) -> tuple[str, str, str]:
    first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
    name = f"{first} {last.upper()}" if rng.random() < 0.6 else f"{first} {last}"
    local = f"{first}.{last}".translate(_UNACCENT).lower().replace(" ", "-").replace("'", "")
    if rng.random() < 0.3:
        local += str(rng.randrange(1, 100))
    mail = f"{local}@{rng.choice(MAIL_DOMAINS)}"
    if rng.random() < 0.85:
        phone = f"{rng.choice(PHONE_PREFIXES)} {rng.randrange(100):02d} {rng.randrange(100):02d}"
        if rng.random() < 0.2:
            phone = phone.replace(" ", ".")
    else:
        phone = f"({rng.choice(('819', '418', '514'))}) 555-01{rng.randrange(100):02d}"
    return name, mail, phone


def _beneficiaries(rng: random.Random, count: int) -> list[tuple[str, ...]]:
    pool: list[tuple[str, ...]] = []
    for _ in range(count):
        town = rng.choice(TOWNS).upper()
        name = rng.choice(KINDS).format(town=town, sport=rng.choice(SPORTS), word=rng.choice(WORDS))
        if rng.random() < 0.15:
            name += " - " + "".join(w[0] for w in name.replace("'", " ").split() if w[0].isalpha())
        draw = rng.random()
        number = siret(rng) if draw < 0.8 else ""
        rna = f"W{rng.randrange(10**9):09d}" if draw >= 0.8 or draw < 0.05 else ""
        pool.append((name, number, rna, *_person(rng)))
    return pool


def _date(rng: random.Random, year: int | None = None) -> str:
    return (
        f"{year or rng.randrange(2015, 2026)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
    )


def _montant(rng: random.Random) -> str:
    amount = round(math.exp(rng.uniform(math.log(150), math.log(2_000_000))), -1)
    if rng.random() < 0.25:
        return f"{amount + rng.randrange(100) / 100:.2f}"
    return str(int(amount))


def _percent(rng: random.Random) -> str:
    value = (
        rng.choice((1, 1, 1, 0.5, 0.8, 0.3)) if rng.random() < 0.6 else rng.randrange(1, 100) / 100
    )
    return f"{value:g}"


# How a valid cell of each constrained column is broken: (label, function of the valid cell).
Breaker = Callable[[str, random.Random], str]
BREAKERS: dict[str, tuple[tuple[str, Breaker], ...]] = {
    "nomAttribuant": (("required", lambda v, r: ""),),
    "idAttribuant": (("pattern", lambda v, r: v[:-1]), ("siret-key", lambda v, r: bad_key(v))),
    "dateConvention": (
        ("type", lambda v, r: f"{v[8:10]}/{v[5:7]}/{v[:4]}"),
        ("type", lambda v, r: f"{v[:4]}-02-30"),
    ),
    "nomBeneficiaire": (("required", lambda v, r: ""),),
    "idBeneficiaire": (("siret-key", lambda v, r: bad_key(v) if v else v),),
    "rnaBeneficiaire": (("pattern", lambda v, r: f"W{r.randrange(10**6)}"),),
    "objet": (("required", lambda v, r: ""), ("maxLength", lambda v, r: (v + " ") * 40)),
    "montant": (
        ("type", lambda v, r: f"{int(float(v)):,}".replace(",", " ") + ",00 €"),
        ("required", lambda v, r: ""),
    ),
    "nature": (("enum", lambda v, r: r.choice(("subvention", "numéraire", "Aide en numéraire"))),),
    "conditionsVersement": (("required", lambda v, r: ""),),
    "datesPeriodeVersement": (
        ("pattern", lambda v, r: v[:4]),
        ("pattern", lambda v, r: v.replace("-", "/")),
    ),
    "idRAE": (("maxLength", lambda v, r: f"{r.randrange(10**6, 10**7)}"),),
    "notificationUE": (("type", lambda v, r: r.choice(("Non", "peut-être", "N"))),),
    "pourcentageSubvention": (("maximum", lambda v, r: "45"), ("type", lambda v, r: "45 %")),
}  # fmt: skip
BROKEN_COLUMNS = tuple(SCHEMA_COLUMNS.index(name) for name in BREAKERS)


def generate(
    out: Path,
    *,
    rows: int = 1_000_000,
    invalid_rate: float = 0.001,
    seed: int = 2026,
    extra: bool = True,
) -> dict[str, object]:
    """Write the CSV to `out` (through a temporary name, renamed at the end) and return what
    was written: rows, bytes, invalid cells per column and kind."""
    rng = random.Random(seed)
    breaking = random.Random(seed + 1)  # a separate stream: the valid cells do not depend on it
    attribuants = _attribuants(rng)
    pool = _beneficiaries(rng, BENEFICIARIES)
    # Popularity: index = pool size × u^3 (a few beneficiaries get many subsidies).
    width = len(SCHEMA_COLUMNS)
    cells_total = rows * width
    log_keep = math.log1p(-invalid_rate) if 0 < invalid_rate < 1 else None

    def gap() -> int:
        if invalid_rate >= 1:
            return 0
        if log_keep is None:
            return cells_total + 1
        return int(math.log(1.0 - breaking.random()) / log_keep)

    next_bad = gap()  # index of the next invalid cell in the stream of schema cells
    broken: Counter[str] = Counter()
    started = time.monotonic()
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".part")
    with partial.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(SCHEMA_COLUMNS + (EXTRA_COLUMNS if extra else ()))
        random_ = rng.random
        for number in range(rows):
            grantor, grantor_id = attribuants[int(len(attribuants) * random_() ** 2)]
            name, beneficiary_id, rna, contact, mail, phone = pool[
                int(BENEFICIARIES * random_() ** 3)
            ]
            year = rng.randrange(2015, 2026)
            signed = _date(rng, year)
            draw = random_()
            if draw < 0.45:
                reference = f"DEL-{year}-{rng.randrange(1, 999):04d}"
            elif draw < 0.8:
                reference = f"CONV N° {rng.randrange(1, 4000)}-{year % 100:02d}"
            else:
                reference = ""
            draw = random_() * 100
            nature = next((n for n, w in NATURES if (draw := draw - w) < 0), NATURES[0][0])
            first = _date(rng, min(year + rng.randrange(0, 2), 2025))
            period = first if random_() < 0.6 else f"{first}/{_date(rng, min(year + 2, 2026))}"
            row = [
                grantor,
                grantor_id,
                signed,
                reference,
                name,
                beneficiary_id,
                rna,
                rng.choice(OBJECTS),
                _montant(rng),
                nature,
                "unique" if random_() < 0.7 else "échelonné",
                period,
                f"{rng.randrange(10**5):05d}" if random_() < 0.05 else "",
                "oui" if random_() < 0.1 else "non",
                _percent(rng),
                rng.choice(DISPOSITIFS),
            ]
            row_end = (number + 1) * width
            touched: set[int] = set()
            while next_bad < row_end:
                column = BROKEN_COLUMNS[breaking.randrange(len(BROKEN_COLUMNS))]
                label, breaker = breaking.choice(BREAKERS[SCHEMA_COLUMNS[column]])
                before = row[column]
                if column not in touched:  # a cell is broken once, from its valid value
                    row[column] = breaker(before, breaking)
                    if row[column] != before:
                        touched.add(column)
                        broken[f"{SCHEMA_COLUMNS[column]}:{label}"] += 1
                next_bad += 1 + gap()
            if extra:
                row += [contact, mail, phone]
            writer.writerow(row)
    partial.replace(out)
    return {
        "path": str(out),
        "rows": rows,
        "bytes": out.stat().st_size,
        "columns": width + (len(EXTRA_COLUMNS) if extra else 0),
        "invalid_rate": invalid_rate,
        "invalid_cells": sum(broken.values()),
        "invalid_by_column": dict(sorted(broken.items())),
        "seed": seed,
        "seconds": round(time.monotonic() - started, 1),
    }


def default_path(rows: int, *, extra: bool = True, invalid_rate: float = 0.001) -> Path:
    suffix = "" if extra else "-sans-contacts"
    if invalid_rate != 0.001:
        suffix += f"-invalid{invalid_rate:g}"
    return OUT_DIR / f"subventions-{rows}{suffix}.csv"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--invalid-rate",
        type=float,
        default=0.001,
        help="share of the schema's cells made invalid (default 0.001 = 0.1 %%)",
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--no-extra", action="store_true", help="without the three personal-data columns"
    )
    parser.add_argument("--out", type=Path, help="default: bench/out/subventions-<rows>.csv")
    args = parser.parse_args(argv)
    out = args.out or default_path(
        args.rows, extra=not args.no_extra, invalid_rate=args.invalid_rate
    )
    facts = generate(
        out,
        rows=args.rows,
        invalid_rate=args.invalid_rate,
        seed=args.seed,
        extra=not args.no_extra,
    )
    size = int(facts["bytes"])  # type: ignore[call-overload]
    print(
        f"{facts['path']}: {facts['rows']:,} rows, {size / 1e6:.1f} MB, "
        f"{facts['invalid_cells']:,} invalid cells, {facts['seconds']} s",
        file=sys.stderr,
    )
    for key, count in facts["invalid_by_column"].items():  # type: ignore[attr-defined]
        print(f"  {key}: {count}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
