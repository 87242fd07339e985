"""The data hub part of the demo network: datasets of Lourdes and Thetford Mines at each access
level, uploaded and processed through the real services (validation against the SCDL schema,
personal-data scan, versions and what changed).

All values are invented for the demo (marked as such in each description): associations,
amounts, visits, charging stations, e-mail addresses (example.org) and phone numbers (555).
"""

from __future__ import annotations

import io
import random
from datetime import date, timedelta
from typing import Any

from mediane.datahub import processing, services
from mediane.datahub.models import Dataset, TableSchema

DEMO_NOTE = "Données fictives de démonstration."


def _siret(siren_prefix: str, n: int) -> str:
    """A fictitious SIRET whose SIREN and SIRET keys are both valid (Luhn, python-stdnum)."""
    from stdnum import luhn

    siren_body = f"{siren_prefix}{n:08d}"[:8].ljust(8, "0")
    siren = siren_body + luhn.calc_check_digit(siren_body)
    body = f"{siren}{(n % 900) + 10:04d}"
    return body + luhn.calc_check_digit(body)


ASSOCIATIONS = [
    "Club de rugby des Gaves",
    "Harmonie municipale",
    "Les Amis de la médiathèque",
    "Lourdes Handball",
    "Comité des fêtes du quartier de l'Ophite",
    "Atelier théâtre des Pyrénées",
    "Secours solidaire lourdais",
    "Cyclotourisme bigourdan",
    "École de musique associative",
    "Fablab des Pyrénées",
    "Jardins partagés du Lapacca",
    "Association des commerçants du centre",
]


def subventions_csv(year: int, rows: int, seed: int) -> str:
    rng = random.Random(seed)
    header = (
        "nomAttribuant,idAttribuant,dateConvention,referenceDecision,nomBeneficiaire,"
        "idBeneficiaire,rnaBeneficiaire,objet,montant,nature,conditionsVersement,"
        "datesPeriodeVersement,idRAE,notificationUE,pourcentageSubvention,dispositifAide"
    )
    lines = [header]
    attributant = _siret("2165028", 0)
    for n in range(rows):
        name = ASSOCIATIONS[n % len(ASSOCIATIONS)]
        day = date(year, 1, 15) + timedelta(days=rng.randrange(0, 300))
        amount = rng.choice([500, 800, 1200, 1500, 2500, 4000, 7500, 12000])
        start = day + timedelta(days=30)
        lines.append(
            ",".join(
                [
                    "COMMUNE DE LOURDES",
                    attributant,
                    day.isoformat(),
                    f"DCM {year}-{n + 10:03d}",
                    f'"{name}"',
                    _siret(f"8{rng.randrange(10**7):07d}", n),
                    f"W65{rng.randrange(10**7):07d}",
                    rng.choice(["Fonctionnement", "Projet", "Manifestation"]),
                    str(amount),
                    "aide en numéraire",
                    "unique",
                    f"{start.isoformat()}/{(start + timedelta(days=60)).isoformat()}",
                    "",
                    "non",
                    rng.choice(["0.1", "0.25", "0.5"]),
                    "",
                ]
            )
        )
    return "\n".join(lines) + "\n"


EQUIPMENTS = ["Médiathèque", "Piscine municipale", "Palais des congrès", "Tiers-lieu L'Atelier"]


def attendance_csv(years: tuple[int, ...], seed: int) -> str:
    rng = random.Random(seed)
    lines = ["mois;equipement;visites;ouvert_le_dimanche"]
    for year in years:
        for month in range(1, 13):
            for equipment in EQUIPMENTS:
                base = {"Médiathèque": 3400, "Piscine municipale": 4200}.get(equipment, 1500)
                visits = int(base * (0.8 + 0.4 * rng.random()) * (1.3 if month in (7, 8) else 1))
                sunday = "oui" if equipment == "Piscine municipale" else "non"
                lines.append(f"{year}-{month:02d}-01;{equipment};{visits};{sunday}")
    return "\n".join(lines) + "\n"


def charging_csv(seed: int) -> str:
    rng = random.Random(seed)
    places = [
        "Parking du Palais des congrès",
        "Place du Champ Commun",
        "Gare SNCF",
        "Parking de l'Esplanade",
        "Avenue Maréchal Joffre",
        "Parking des Halles",
        "Centre nautique",
        "Zone d'activités du Monge",
    ]
    lines = ["station,adresse_station,latitude,longitude,puissance_kw,nb_points,acces"]
    for n, place in enumerate(places, start=1):
        lat = 43.0947 + rng.uniform(-0.012, 0.012)
        lon = -0.0459 + rng.uniform(-0.015, 0.015)
        power = rng.choice([7, 22, 50])
        lines.append(
            f'LOU-{n:03d},"{place}, 65100 Lourdes",{lat:.5f},{lon:.5f},{power},'
            f"{rng.choice([2, 4, 6])},{rng.choice(['public', 'public', 'abonnés'])}"
        )
    return "\n".join(lines) + "\n"


def workshop_csv(seed: int) -> str:
    rng = random.Random(seed)
    first = ["Julie", "Louis", "Chloé", "Marc", "Inès", "Hugo", "Camille", "Nathan", "Léa", "Paul"]
    last = ["Martin", "Bernard", "Dubois", "Laffargue", "Soulé", "Pujo", "Abadie", "Castaing"]
    lines = ["nom,prenom,courriel,telephone,atelier,date_inscription"]
    for n in range(24):
        f, la = first[n % len(first)], last[(n * 3) % len(last)]
        phone = f"06 55 {n:02d} {rng.randrange(100):02d} {rng.randrange(100):02d}"
        workshop = rng.choice(["Démarches en ligne", "Smartphone", "Visio"])
        day = f"2026-{rng.randrange(1, 11):02d}-{rng.randrange(1, 28):02d}"
        lines.append(f"{la},{f},{f.lower()}.{la.lower()}{n}@example.org,{phone},{workshop},{day}")
    return "\n".join(lines) + "\n"


def waste_csv(seed: int) -> str:
    rng = random.Random(seed)
    lines = ["annee,secteur,ordures_tonnes,recyclage_tonnes,compost_tonnes"]
    for year in (2022, 2023, 2024, 2025):
        for sector in ("Black Lake", "Robertsonville", "Centre-ville", "Pontbriand"):
            lines.append(
                f"{year},{sector},{rng.randrange(900, 1600)},{rng.randrange(300, 700)},"
                f"{rng.randrange(80, 400)}"
            )
    return "\n".join(lines) + "\n"


def _specs() -> list[dict[str, Any]]:
    return [
        {
            "org": "Ville de Lourdes",
            "actor": "city_editor",
            "title": "Fréquentation des équipements municipaux",
            "description": "Visites mensuelles de la médiathèque, de la piscine, du palais des "
            "congrès et du tiers-lieu L'Atelier (action 72 du Plan Avenir Lourdes). " + DEMO_NOTE,
            "themes": ["EDUC", "REGI"],
            "keywords": ["équipements", "fréquentation", "tiers-lieu"],
            "frequency": "MONTHLY",
            "licence": "lov2",
            "visibility": "public",
            "files": [
                ("frequentation-2024.csv", attendance_csv((2024,), 1)),
                ("frequentation-2024-2025.csv", attendance_csv((2024, 2025), 1)),
            ],
        },
        {
            "org": "Ville de Lourdes",
            "actor": "city_editor",
            "title": "Subventions aux associations 2025",
            "description": "Subventions versées par la commune aux associations en 2025, au format "
            "du socle commun des données locales (SCDL). " + DEMO_NOTE,
            "themes": ["ECON", "GOVE"],
            "keywords": ["subventions", "associations", "SCDL"],
            "frequency": "ANNUAL",
            "licence": "lov2",
            "schema": ("scdl/subventions", "2.1.1"),
            "visibility": "public",
            "files": [("subventions-2025.csv", subventions_csv(2025, 36, 7))],
        },
        {
            "org": "Ville de Lourdes",
            "actor": "city_editor",
            "title": "Bornes de recharge pour véhicules électriques",
            "description": "Emplacement, puissance et nombre de points de charge des bornes "
            "installées par la commune. " + DEMO_NOTE,
            "themes": ["TRAN", "ENER"],
            "keywords": ["mobilité", "bornes", "électrique"],
            "frequency": "QUARTERLY",
            "licence": "odbl",
            "visibility": "network",
            "files": [("bornes.csv", charging_csv(3))],
        },
        {
            "org": "Ville de Lourdes",
            "actor": "city_editor",
            "title": "Inscriptions aux ateliers numériques",
            "description": "Liste de travail du service de médiation numérique : elle contient "
            "des données personnelles et reste privée. " + DEMO_NOTE,
            "themes": ["SOCI"],
            "keywords": ["inclusion numérique"],
            "frequency": "WEEKLY",
            "licence": "other",
            "visibility": "private",
            "files": [("inscriptions.csv", workshop_csv(5))],
        },
        {
            "org": "Ville de Thetford Mines",
            "actor": "secretariat",
            "title": "Collecte des matières résiduelles par secteur",
            "description": "Tonnages annuels d'ordures, de recyclage et de compost par secteur "
            "de Thetford Mines. " + DEMO_NOTE,
            "themes": ["ENVI"],
            "keywords": ["déchets", "recyclage", "compost"],
            "frequency": "ANNUAL",
            "licence": "cc-by-4.0",
            "visibility": "public",
            "files": [("collectes.csv", waste_csv(11))],
        },
    ]


def load_datahub(loader: Any) -> None:
    """Create the demo datasets once (a second run reuses them)."""
    from mediane.territories.models import Territory

    for spec in _specs():
        organisation = loader.organisations.get(spec["org"])
        if organisation is None:
            continue
        if Dataset.objects.filter(organisation=organisation, title=spec["title"]).exists():
            loader.report.existing["données : jeux"] += 1
            continue
        actor = loader.users[spec["actor"]]
        schema = None
        if spec.get("schema"):
            identifier, version = spec["schema"]
            schema = TableSchema.objects.filter(identifier=identifier, version=version).first()
        territory = (
            Territory.objects.filter(pk=organisation.territory_id).first()
            if getattr(organisation, "territory_id", None)
            else None
        )
        dataset = services.dataset_create(
            actor=actor,
            organisation=organisation,
            title=spec["title"],
            description=spec["description"],
            themes=spec["themes"],
            keywords=spec["keywords"],
            frequency=spec["frequency"],
            licence=spec["licence"],
            schema=schema,
            territory=territory,
            contact_name="Service données (démo)",
            contact_email="donnees@demo.example.org",
            temporal_start=date(2024, 1, 1),
            temporal_end=date(2025, 12, 31),
        )
        for name, content in spec["files"]:
            version = services.version_upload(
                actor=actor,
                dataset=dataset,
                file=io.BytesIO(content.encode("utf-8")),
                filename=name,
            )
            processing.process_version(version.pk)
            loader.report.created["données : versions"] += 1
        if spec["visibility"] != "private":
            services.dataset_set_visibility(
                actor=actor, dataset=dataset, visibility=spec["visibility"]
            )
        loader.report.created["données : jeux"] += 1
