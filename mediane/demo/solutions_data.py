"""The solutions part of the demo network, created through the real services: six solution
sheets of Nevers, Lourdes, Thetford Mines, Shawinigan and Drummondville (plausible deployments
of medium-sized cities; figures invented for the demo), and three replications — Nevers' smart
parking taken up by Lourdes as a draft challenge, Shawinigan's participation platform by
Nevers (a draft challenge too), Thetford Mines' connected water meters by Shawinigan as a draft
cooperation project."""

from __future__ import annotations

from typing import Any

from mediane.market.models import Offer
from mediane.solutions import services
from mediane.solutions.models import SolutionSheet
from mediane.solutions.services import IndicatorInput, SolutionInput

DEMO_NOTE = "Chiffres fictifs de démonstration."

SHEETS: list[dict[str, Any]] = [
    {
        "city": "Ville de Nevers",
        "title": "Stationnement intelligent du centre-ville",
        "summary": "Des capteurs au sol signalent les places libres : moins de voitures qui "
        "tournent, un stationnement payé à la minute.",
        "problem": "En centre-ville, les automobilistes tournaient en moyenne 11 minutes pour "
        "trouver une place ; 30 % de la circulation de l'hypercentre était une circulation de "
        "recherche. Les commerçants se plaignaient de voitures ventouses.\n\n" + DEMO_NOTE,
        "solution": "420 capteurs magnétiques posés sur les places de l'hypercentre, reliés par "
        "un réseau LoRaWAN ; panneaux dynamiques aux entrées de ville et application mobile "
        "qui guide vers les places libres ; paiement à la minute.",
        "supplier_name": "Groupement capteurs et réseau LoRaWAN (marché public 2022)",
        "cost_amount": 385000,
        "currency": "EUR",
        "duration_months": 9,
        "deployed_on": "2023-03-01",
        "results": "La recherche de place a nettement baissé dans l'hypercentre ; la rotation "
        "sur les places de courte durée a augmenté.",
        "lessons": "Associer les commerçants dès le début ; prévoir la maintenance des capteurs "
        "(batteries à 6 ans) dans le budget ; publier les données d'occupation en open data.",
        "contact_role": "Direction de la mobilité et de l'espace public",
        "sectors": ["mobilite", "numerique"],
        "indicators": [
            ("Temps moyen de recherche d'une place", "min", "11", "6.5", "2024-03-01"),
            (
                "Rotation des places courte durée",
                "véhicules/place/jour",
                "3.1",
                "4.8",
                "2024-03-01",
            ),
        ],
    },
    {
        "city": "Ville de Lourdes",
        "title": "Éclairage public LED avec télégestion",
        "summary": "4 000 points lumineux passés en LED et pilotés à distance : la facture "
        "d'éclairage divisée par plus de deux.",
        "problem": "L'éclairage public représentait 38 % de la facture d'électricité de la "
        "commune ; les pannes étaient signalées par les habitants, avec des délais longs.\n\n"
        + DEMO_NOTE,
        "solution": "Remplacement des luminaires par des LED, armoires de commande "
        "communicantes, abaissement de l'intensité de 23 h à 5 h et extinction partielle dans "
        "les zones d'activité ; alertes de panne automatiques.",
        "supplier_name": "Syndicat départemental d'énergie (maîtrise d'ouvrage déléguée)",
        "cost_amount": 1250000,
        "currency": "EUR",
        "duration_months": 24,
        "deployed_on": "2022-10-15",
        "results": "Consommation et délais de réparation en forte baisse ; le ciel nocturne "
        "est redevenu observable depuis les hauteurs de la ville.",
        "lessons": "Concerter les quartiers avant l'extinction nocturne ; négocier la "
        "télégestion dans le marché initial, pas en avenant.",
        "contact_role": "Services techniques — pôle énergie",
        "sectors": ["energie", "environnement"],
        "indicators": [
            ("Consommation de l'éclairage public", "MWh/an", "2450", "1080", "2024-01-31"),
            ("Délai moyen de réparation", "jours", "12", "3", "2024-01-31"),
        ],
    },
    {
        "city": "Ville de Thetford Mines",
        "title": "Compteurs d'eau connectés et détection des fuites",
        "summary": "Relève à distance des compteurs et écoute acoustique du réseau : les "
        "fuites sont trouvées en jours, plus en mois.",
        "problem": "Le réseau d'eau potable perdait près d'un quart de l'eau produite ; la "
        "relève manuelle annuelle ne permettait pas de voir les fuites chez les abonnés.\n\n"
        + DEMO_NOTE,
        "solution": "Compteurs à relève radio pour 9 000 abonnés, capteurs acoustiques sur les "
        "conduites principales, tableau de bord des débits de nuit par secteur.",
        "supplier_offer_title": "Détection acoustique des fuites d'eau",
        "cost_amount": 2100000,
        "currency": "CAD",
        "duration_months": 18,
        "deployed_on": "2023-06-01",
        "results": "Rendement du réseau en hausse ; les abonnés sont prévenus d'une "
        "surconsommation anormale.",
        "lessons": "Sectoriser le réseau avant de poser les capteurs ; former les équipes de "
        "terrain à lire les alertes.",
        "contact_role": "Service de l'hygiène du milieu",
        "sectors": ["environnement", "numerique"],
        "indicators": [
            ("Pertes du réseau", "%", "24", "15", "2024-09-30"),
            ("Délai de détection d'une fuite", "jours", "90", "4", "2024-09-30"),
        ],
    },
    {
        "city": "Ville de Shawinigan",
        "title": "Plateforme de participation citoyenne",
        "summary": "Consultations, budget participatif et signalements en un seul endroit : "
        "trois fois plus de citoyens participent.",
        "problem": "Les consultations publiques attiraient toujours les mêmes personnes ; les "
        "jeunes familles et les travailleurs n'y venaient pas.\n\n" + DEMO_NOTE,
        "solution": "Plateforme libre (logiciel de participation) : consultations en ligne, "
        "budget participatif annuel, carte des idées ; ateliers en bibliothèque pour ceux qui "
        "ne sont pas à l'aise en ligne.",
        "supplier_name": "Logiciel libre, hébergé par un prestataire québécois",
        "cost_amount": 95000,
        "currency": "CAD",
        "duration_months": 6,
        "deployed_on": "2023-09-15",
        "results": "Premier budget participatif : 48 projets déposés, 12 retenus.",
        "lessons": "Une animation humaine est indispensable ; publier les suites données à "
        "chaque idée.",
        "contact_role": "Service des communications et de la participation citoyenne",
        "sectors": ["numerique", "culture"],
        "indicators": [
            ("Participants aux consultations", "personnes/an", "350", "1120", "2024-06-30"),
        ],
    },
    {
        "city": "Ville de Nevers",
        "title": "Portail de données ouvertes de l'agglomération",
        "summary": "Un portail commun à la ville et à l'agglomération, alimenté par les "
        "services : 80 jeux de données en deux ans.",
        "problem": "Les données publiques étaient dispersées entre les services et publiées "
        "à la demande, sans mise à jour.\n\n" + DEMO_NOTE,
        "solution": "Portail de données ouvertes, schémas nationaux (SCDL) pour les "
        "subventions et les délibérations, un référent données par direction.",
        "supplier_name": "Solution en ligne d'un éditeur français",
        "cost_amount": 42000,
        "currency": "EUR",
        "duration_months": 4,
        "deployed_on": "2022-05-01",
        "results": "Données réutilisées par une application de mobilité et par la presse locale.",
        "lessons": "Commencer par les données obligatoires ; automatiser les mises à jour.",
        "contact_role": "Direction des systèmes d'information",
        "sectors": ["numerique"],
        "visibility": "network",
        "indicators": [
            ("Jeux de données publiés", "jeux", "6", "80", "2024-05-01"),
        ],
    },
    {
        "city": "Ville de Drummondville",
        "title": "Guichet unique de services en ligne",
        "summary": "Permis, inscriptions aux loisirs et requêtes en ligne avec un seul compte "
        "citoyen.",
        "problem": "Chaque service avait son formulaire ; la plupart des demandes arrivaient "
        "encore par téléphone ou au comptoir.\n\n" + DEMO_NOTE,
        "solution": "Compte citoyen unique, 35 démarches en ligne, suivi des requêtes avec "
        "notifications ; comptoir d'accompagnement à l'hôtel de ville.",
        "supplier_name": "Éditeur québécois de services municipaux en ligne",
        "cost_amount": 310000,
        "currency": "CAD",
        "duration_months": 12,
        "deployed_on": "2024-01-15",
        "results": "La majorité des inscriptions aux loisirs se fait désormais en ligne.",
        "lessons": "Simplifier les démarches avant de les numériser.",
        "contact_role": "Service des technologies de l'information",
        "sectors": ["numerique"],
        "indicators": [
            ("Demandes faites en ligne", "%", "18", "64", "2024-12-31"),
        ],
    },
]

# (solution title, replicating city, account key, kind)
REPLICATIONS = [
    ("Stationnement intelligent du centre-ville", "Ville de Lourdes", "city_editor", "challenge"),
    ("Plateforme de participation citoyenne", "Ville de Nevers", "secretariat", "challenge"),
    (
        "Compteurs d'eau connectés et détection des fuites",
        "Ville de Shawinigan",
        "secretariat",
        "project",
    ),
]


def load_solutions(loader: Any) -> None:
    """Create the demo sheets (as the secretariat, for each city) and the replications."""
    actor = loader.users["secretariat"]
    sheets: dict[str, SolutionSheet] = {}
    for spec in SHEETS:
        city = loader.organisations.get(spec["city"])
        if city is None:
            continue
        existing = SolutionSheet.objects.filter(organisation=city, title=spec["title"]).first()
        if existing is not None:
            sheets[spec["title"]] = existing
            loader.report.existing["solutions"] += 1
            continue
        offer = None
        if spec.get("supplier_offer_title"):
            offer = Offer.objects.filter(title=spec["supplier_offer_title"]).first()
        data = SolutionInput(
            title=spec["title"],
            summary=spec["summary"],
            problem=spec["problem"],
            solution=spec["solution"],
            supplier_offer=offer.slug if offer is not None and offer.status == "published" else "",
            supplier_name=spec.get("supplier_name", ""),
            cost_amount=spec["cost_amount"],
            currency=spec["currency"],
            duration_months=spec["duration_months"],
            deployed_on=spec["deployed_on"],
            results=spec["results"],
            lessons=spec["lessons"],
            contact_role=spec["contact_role"],
            sectors=spec["sectors"],
            visibility=spec.get("visibility", "public"),
            status="published",
            indicators=[
                IndicatorInput(
                    name=name,
                    unit=unit,
                    value_before=before,
                    value_after=after,
                    measured_on=measured,
                )
                for name, unit, before, after, measured in spec["indicators"]
            ],
        )
        sheets[spec["title"]] = services.solution_create(
            actor=actor, organisation=city, data=data, is_demo=True
        )
        loader.report.created["solutions"] += 1
    for title, city_name, account, kind in REPLICATIONS:
        sheet = sheets.get(title)
        city = loader.organisations.get(city_name)
        if sheet is None or city is None:
            continue
        if sheet.replications.filter(organisation=city).exists():  # type: ignore[attr-defined]
            loader.report.existing["solutions : reproductions"] += 1
            continue
        services.solution_replicate(
            actor=loader.users[account], sheet=sheet, organisation=city, kind=kind
        )
        loader.report.created["solutions : reproductions"] += 1
