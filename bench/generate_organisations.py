"""Generate N synthetic organisations (default 200,000) for the directory benchmarks.

Writes into the database given by DATABASE_URL or MEDIANE_VAR_DIR, one of which must be set
explicitly: the script refuses the default database (var/mediane.sqlite3) and any database that
holds organisations it did not create, so the demo or a real database is never touched.

    MEDIANE_VAR_DIR=bench/out/sqlite .venv/bin/python bench/generate_organisations.py --count 5000

Steps: migrate, import the reference territories when missing, bulk-insert the organisations
missing to reach --count (a second run tops up an earlier, smaller one), with
French and Québec names, kinds, sectors, territories (weighted by population) and descriptions
drawn from a sector vocabulary, then rebuild the search index of organisations with the same
function as `mediane reindex`. Prints the time of each step.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
BENCH_PREFIX = "bench-"

# --- Vocabulary ---------------------------------------------------------------------------------
# Lists are written as comma-separated strings to keep them compact.


def _split(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


SECTOR_TERMS = {
    "sport": _split(
        "sport de nature, randonnée, cyclotourisme, escalade, ski de fond, "
        "équipements sportifs, préparation physique, sport-santé, trail, vélo"
    ),
    "sante": _split(
        "télémédecine, santé connectée, dispositifs médicaux, prévention, maintien à domicile, "
        "e-santé, rééducation, thermalisme, pharmacie, gérontechnologie"
    ),
    "tourisme": _split(
        "tourisme durable, hébergement, patrimoine, pèlerinage, écotourisme, itinérance, "
        "accueil des visiteurs, gîtes, agrotourisme, plein air"
    ),
    "laine-textile": _split(
        "laine, filature, tissage, tricot, feutre, fibres naturelles, teinture végétale, "
        "mohair, textile technique, confection"
    ),
    "artisanat": _split(
        "artisanat d'art, ébénisterie, céramique, maroquinerie, savoir-faire, atelier, "
        "restauration du patrimoine, coutellerie, vannerie, fabrique"
    ),
    "numerique": _split(
        "logiciel, intelligence artificielle, données ouvertes, cybersécurité, plateforme web, "
        "application mobile, infonuagique, internet des objets, jumeau numérique, "
        "inclusion numérique"
    ),
    "industrie": _split(
        "usinage, plasturgie, métallurgie, fabrication additive, robotique, automatisation, "
        "chimie verte, minéraux, sous-traitance, maintenance"
    ),
    "energie": _split(
        "énergie solaire, hydroélectricité, efficacité énergétique, biomasse, hydrogène, "
        "réseaux de chaleur, géothermie, stockage d'énergie, rénovation énergétique, sobriété"
    ),
    "mobilite": _split(
        "mobilité durable, covoiturage, transport à la demande, autopartage, "
        "logistique urbaine, véhicules électriques, bornes de recharge, mobilité douce, "
        "transport collectif, intermodalité"
    ),
    "agriculture-alimentation": _split(
        "circuits courts, agriculture biologique, élevage ovin, maraîchage, agroalimentaire, "
        "produits du terroir, érable, fromagerie, transformation alimentaire, "
        "agriculture de précision"
    ),
    "environnement": _split(
        "économie circulaire, recyclage, gestion des déchets, biodiversité, qualité de l'eau, "
        "réhabilitation minière, adaptation climatique, compostage, sols, forêt"
    ),
    "education": _split(
        "formation professionnelle, apprentissage, médiation scientifique, "
        "enseignement supérieur, alternance, insertion, littératie numérique, école, tutorat, "
        "compétences"
    ),
    "culture": _split(
        "spectacle vivant, musée, arts visuels, médiathèque, festival, industries créatives, "
        "audiovisuel, jeu vidéo, édition, musique"
    ),
}
GENERIC_TERMS = _split(
    "innovation, accompagnement, coopération, territoire, transition, entrepreneuriat, export, "
    "recherche, prototype, partenariat, incubation, mutualisation, réseau, croissance, "
    "emploi local"
)
BRAND_ROOTS = _split(
    "Agri, Alti, Aqua, Bio, Boréa, Data, Eco, Énergi, Géo, Hydro, Kiné, Laine, Lumi, Mobi, "
    "Nova, Pyré, Santé, Silva, Sola, Terra, Texti, Vélo, Vita, Watt, Érable, Fibra, Mine, Opti, "
    "Quartz, Zéni"
)
BRAND_ENDS = _split(
    "lab, tech, via, ia, sys, up, flow, hub, nov, sens, line, cube, work, go, max, tis, nature, "
    "pro, sphère, ora"
)
SURNAMES = _split(
    "Martin, Bernard, Dubois, Laurent, Moreau, Lefebvre, Garcia, Roux, Fournier, Mercier, "
    "Tremblay, Gagnon, Roy, Côté, Bouchard, Gauthier, Morin, Lavoie, Fortin, Gagné, Pelletier, "
    "Bélanger, Lévesque, Caron, Peyrou, Abadie, Lacaze, Soulé, Barrère, Courrèges"
)
TRADES = _split(
    "Menuiserie, Filature, Transports, Boulangerie, Imprimerie, Fromagerie, Tissage, Mécanique, "
    "Électricité, Scierie, Chaudronnerie, Céramiques, Maçonnerie, Plasturgie, Laboratoire, "
    "Garage, Ébénisterie, Brasserie"
)
PLACES = _split(
    "la Fabrique, le Hangar, l'Atelier, la Ruche, la Manufacture, le Quai, la Filature, "
    "l'Usine, la Grange, le Moulin"
)
SENTENCES = [
    "{name} accompagne les acteurs de {city} dans le domaine {prep} {term1}.",
    "Spécialisée en {term1} et en {term2}, l'équipe travaille avec les collectivités et les "
    "entreprises du territoire.",
    "Nous développons des solutions de {term1} pour les villes médianes de {country}.",
    "Projet phare : {term2} et {term3}, en coopération avec des partenaires {partner}.",
    "Basée à {city}, la structure mise sur {generic} et {generic2} au service de l'emploi local.",
    "Nos activités : {term1}, {term2}, {term3}.",
    "Membre du réseau depuis {year}, {name} partage son expérience en {term2}.",
]
# (kind, weight): start-ups and SMEs dominate a real directory; cities and investors are rare.
KINDS = [
    ("startup", 30),
    ("pme", 34),
    ("association", 10),
    ("conseil", 9),
    ("tiers-lieu", 4),
    ("incubateur", 2),
    ("accelerateur", 1),
    ("recherche", 3),
    ("french-tech", 1),
    ("investisseur", 2),
    ("collectivite", 4),
]
VISIBILITIES = [("public", 90), ("network", 7), ("private", 3)]


def _weighted(rng: random.Random, pairs: list[tuple[str, int]]) -> str:
    return rng.choices([value for value, _ in pairs], weights=[w for _, w in pairs])[0]


def _luhn_complete(digits: str) -> str:
    """Append the Luhn check digit (SIREN rule)."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return digits + str((10 - total % 10) % 10)


def _brand(rng: random.Random) -> str:
    return rng.choice(BRAND_ROOTS) + rng.choice(BRAND_ENDS)


def organisation_name(rng: random.Random, kind: str, city: str) -> str:
    """A plausible name for an organisation of `kind` located in `city`."""
    if kind == "startup":
        return _brand(rng) if rng.random() < 0.7 else f"{_brand(rng)} {city}"
    if kind == "pme":
        suffix = rng.choice(["", " et fils", " SAS", " inc.", " & Cie", ""])
        return f"{rng.choice(TRADES)} {rng.choice(SURNAMES)}{suffix}"
    if kind == "association":
        purpose = rng.choice(
            [
                "des commerçants",
                "pour l'emploi",
                "des artisans",
                "sportive",
                "culturelle",
                "des producteurs",
                "de la laine",
            ]
        )
        return f"Association {purpose} de {city}"
    if kind == "conseil":
        return rng.choice(
            [
                f"{rng.choice(SURNAMES)} Conseil",
                f"Cabinet {rng.choice(SURNAMES)} & associés",
                f"{_brand(rng)} Conseil",
            ]
        )
    if kind == "tiers-lieu":
        return f"Tiers-lieu {rng.choice(PLACES)} de {city}"
    if kind == "incubateur":
        return rng.choice([f"Incubateur de {city}", f"{_brand(rng)} Incubateur"])
    if kind == "accelerateur":
        return f"Accélérateur {_brand(rng)}"
    if kind == "recherche":
        domain = rng.choice(
            [
                "chimie verte",
                "matériaux",
                "agroalimentaire",
                "textiles",
                "santé",
                "numérique",
                "énergie",
            ]
        )
        return f"Centre de recherche en {domain} de {city}"
    if kind == "french-tech":
        return f"French Tech {city}"
    if kind == "investisseur":
        return rng.choice([f"{_brand(rng)} Capital", f"Fonds {city} Innovation"])
    return rng.choice([f"Ville de {city}", f"Communauté de communes de {city}"])


def organisation_description(
    rng: random.Random, name: str, city: str, country: str, sector_slugs: list[str]
) -> tuple[str, str]:
    """(summary, description) mixing the sectors' vocabulary with generic terms."""
    terms = [t for slug in sector_slugs for t in SECTOR_TERMS.get(slug, [])] or GENERIC_TERMS
    values = {
        "name": name,
        "city": city,
        "country": "France" if country == "FR" else "Québec",
        "prep": "de la" if rng.random() < 0.5 else "du",
        "term1": rng.choice(terms),
        "term2": rng.choice(terms),
        "term3": rng.choice(terms),
        "generic": rng.choice(GENERIC_TERMS),
        "generic2": rng.choice(GENERIC_TERMS),
        "partner": rng.choice(["québécois", "français", "européens", "locaux"]),
        "year": rng.randint(2018, 2025),
    }
    sentences = rng.sample(SENTENCES, rng.randint(2, 4))
    text = " ".join(sentence.format(**values) for sentence in sentences)
    summary = f"{values['term1'].capitalize()} · {values['generic']} · {city}"
    return summary[:300], f"<p>{text}</p>"


def _check_target() -> None:
    """Refuse to run on the default database: the caller must name a bench database."""
    if not os.environ.get("DATABASE_URL") and not os.environ.get("MEDIANE_VAR_DIR"):
        sys.exit(
            "Refusing to write into the default database: set DATABASE_URL or MEDIANE_VAR_DIR "
            "to a benchmark database (e.g. MEDIANE_VAR_DIR=bench/out/sqlite)."
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--count", type=int, default=200_000, help="organisations wanted in all (200000)"
    )
    parser.add_argument("--batch", type=int, default=5000, help="rows per bulk insert (5000)")
    parser.add_argument("--seed", type=int, default=42, help="random seed (42)")
    parser.add_argument("--reset", action="store_true", help="delete earlier bench rows first")
    parser.add_argument("--no-index", action="store_true", help="skip rebuilding the index")
    args = parser.parse_args(argv)
    _check_target()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mediane.settings")
    sys.path.insert(0, str(PROJECT_DIR))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from tqdm import tqdm

    from mediane.directory.models import Organisation, Sector
    from mediane.search.services import reindex
    from mediane.territories.models import Kind, Territory

    default_db = PROJECT_DIR / "var" / "mediane.sqlite3"
    if Path(str(settings.DATABASES["default"]["NAME"])).resolve() == default_db.resolve():
        sys.exit("Refusing to write into var/mediane.sqlite3 (the demo database).")
    print(f"database: {connection.vendor} {settings.DATABASES['default']['NAME']}")

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrate: {time.perf_counter() - started:.1f} s")

    others = Organisation.objects.exclude(slug__startswith=BENCH_PREFIX)
    if others.exists():
        sys.exit(
            f"This database holds {others.count()} organisations not created by this script: "
            "refusing to mix benchmark rows with them."
        )
    if args.reset:
        with transaction.atomic():  # raw deletes: the collector would load every row
            Organisation.sectors.through.objects.all()._raw_delete(connection.alias)
            Organisation.objects.all()._raw_delete(connection.alias)

    if not Territory.objects.filter(kind=Kind.MUNICIPALITY).exists():
        started = time.perf_counter()
        call_command("import_territories", "--no-index", verbosity=0)
        print(f"import-territories: {time.perf_counter() - started:.1f} s")

    rng = random.Random(args.seed)
    municipalities = {
        country: list(
            Territory.objects.filter(kind=Kind.MUNICIPALITY, country=country).values_list(
                "id", "name", "population", "latitude", "longitude"
            )
        )
        for country in ("FR", "QC")
    }
    # Organisations cluster where people live: weight municipalities by population.
    cum_weights = {
        c: list(itertools.accumulate(max(row[2] or 0, 50) for row in rows))
        for c, rows in municipalities.items()
    }
    sectors = list(Sector.objects.values_list("id", "slug"))
    if not sectors or not municipalities["FR"] or not municipalities["QC"]:
        sys.exit("Sectors or territories are missing: run the migrations and import-territories.")

    start_index = Organisation.objects.count()
    missing = args.count - start_index  # tops up an earlier, smaller run
    if missing < 0:
        sys.exit(f"{start_index} organisations already: more than --count; use --reset.")
    through = Organisation.sectors.through
    started = time.perf_counter()
    with tqdm(total=missing, desc="organisations", unit=" org") as bar:
        for offset in range(0, missing, args.batch):
            size = min(args.batch, missing - offset)
            organisations, sector_ids = [], []
            for n in range(start_index + offset, start_index + offset + size):
                country = "FR" if rng.random() < 0.7 else "QC"
                territory_id, city, _pop, lat, lon = rng.choices(
                    municipalities[country], cum_weights=cum_weights[country]
                )[0]
                kind = _weighted(rng, KINDS)
                chosen = rng.sample(sectors, rng.choice([1, 1, 2, 2, 3]))
                name = organisation_name(rng, kind, city)
                summary, description = organisation_description(
                    rng, name, city, country, [slug for _, slug in chosen]
                )
                organisations.append(
                    Organisation(
                        name=name[:200],
                        slug=f"{BENCH_PREFIX}{n:07d}",
                        kind=kind,
                        country=country,
                        siren=_luhn_complete(f"{10_000_000 + n:08d}") if country == "FR" else "",
                        territory_id=territory_id,
                        latitude=lat,
                        longitude=lon,
                        summary=summary,
                        description=description,
                        contact_email=f"contact{n}@example.org",
                        visibility=_weighted(rng, VISIBILITIES),
                        is_demo=True,
                    )
                )
                sector_ids.append([sector_id for sector_id, _ in chosen])
            with transaction.atomic():
                created = Organisation.objects.bulk_create(organisations)
                if any(o.pk is None for o in created):  # backends without RETURNING
                    ids = dict(
                        Organisation.objects.filter(slug__in=[o.slug for o in created]).values_list(
                            "slug", "pk"
                        )
                    )
                    for o in created:
                        o.pk = ids[o.slug]
                through.objects.bulk_create(
                    [
                        through(organisation_id=o.pk, sector_id=sector_id)
                        for o, ids_ in zip(created, sector_ids, strict=True)
                        for sector_id in ids_
                    ]
                )
            bar.update(size)
    elapsed = time.perf_counter() - started
    print(f"organisations: {missing} added in {elapsed:.1f} s ({missing / elapsed:.0f}/s)")
    if args.no_index:
        return 0

    started = time.perf_counter()
    with tqdm(desc="index", unit=" doc") as bar:
        indexed = reindex(["organisation"], progress=bar.update)
    print(f"reindex: {indexed} documents in {time.perf_counter() - started:.1f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA optimize")
    print(f"total organisations: {Organisation.objects.count()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
