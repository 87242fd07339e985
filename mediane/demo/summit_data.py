"""The summit of the demo network: the past editions (figures only) and an edition to come with
its programme, about 120 registered participants, meeting wishes and requests, and a computed
and published schedule of business meetings.

Loaded after the market by `mediane.demo.loader.Loader.load_summit`, idempotently: an edition
is found by its slug, a person by e-mail, a registration by person and edition, a wish by its two
sides, a request by its two sides (whatever its state); what exists is left as it is. The
registrations, their approval, availability, wishes, requests, answers, the scheduler run and
its publication go through the summit's services (permissions, states, audit, notifications).
The summit has no service that creates an edition and its programme (rooms, sessions, speakers,
exhibitors): the demo writes those rows itself and records an audit entry per edition. The
schedule is computed once the rest is committed (`Loader.load_summit_schedule`): the scheduler
writes its progress from the solver's threads, which cannot write inside the loader's transaction.

Facts and fiction: the past editions (2018 to 2025) are facts of the network's public record
(`is_demo=False`, figures only where they are published). The 2027 edition at
Castelnau-le-Lez, its programme, its participants and their meetings are invented
(`is_demo=True`; people are "(démo)" with `@demo.example.org` addresses and no password).
The editions alternate between France and Québec: after Dunkerque (France, 2025), the invented
edition is in France again two years later. Its dates are fixed (October 2027) so that the demo
does not drift; once they are past, registration refuses new participants and they must be moved.
"""

from __future__ import annotations

import logging
import random
import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.text import slugify

from mediane.demo import data

if TYPE_CHECKING:
    from mediane.accounts.models import User
    from mediane.demo.loader import Loader
    from mediane.directory.models import Organisation
    from mediane.summit.models import Edition, MeetingSlot, ProgrammeSession, Registration

logger = logging.getLogger(__name__)

ZONES = {"FR": "Europe/Paris", "QC": "America/Toronto"}
EMAIL_DOMAIN = "demo.example.org"
#: Seconds given to the scheduler when the demo is loaded (it runs synchronously, no worker).
#: It stops as soon as the schedule is proven optimal (seconds on a quiet machine): the limit
#: only matters on a busy one, where a short limit left the demo without a schedule.
SCHEDULE_SECONDS = 60
#: Runs tried at most when none gives a schedule (a machine too slow for the time limit).
SCHEDULE_ATTEMPTS = 3

# --- Past editions: facts from the network's public record, nothing else ------------------------

PAST_EDITIONS: list[dict[str, Any]] = [
    {
        "year": 2018,
        "city": "nevers",
        "starts_on": date(2018, 11, 8),
        "ends_on": date(2018, 11, 10),
        "description": "Première édition du Sommet international de l'innovation en villes "
        "médianes (SIIViM), l'année de naissance du réseau, à Nevers, ville cofondatrice avec "
        "Shawinigan.",
    },
    {
        "year": 2019,
        "city": "shawinigan",
        "starts_on": date(2019, 11, 13),
        "ends_on": date(2019, 11, 15),
        "description": "Première édition au Québec, à Shawinigan, ville cofondatrice du réseau.",
    },
    {
        "year": 2020,
        "city": "nevers",
        "starts_on": date(2020, 10, 9),
        "ends_on": date(2020, 10, 9),
        "description": "Première édition hybride, à Nevers.",
    },
    {
        "year": 2022,
        "city": "thetford",
        "starts_on": date(2022, 10, 25),
        "ends_on": date(2022, 10, 27),
        "participants": 300,
        "figures": "Environ 300 participants, 65 villes, 70 exposants.",
        "description": "Édition de Thetford Mines, ville engagée dans la diversification "
        "économique post-minière.",
    },
    {
        "year": 2023,
        "city": "nevers",
        "starts_on": date(2023, 10, 25),
        "ends_on": date(2023, 10, 27),
        "description": "Troisième édition à Nevers, ville cofondatrice du réseau.",
    },
    {
        "year": 2024,
        "city": "drummondville",
        "starts_on": date(2024, 10, 8),
        "ends_on": date(2024, 10, 10),
        "participants": 600,
        "figures": "Plus de 600 participants et plus de 100 exposants.",
        "description": "Édition de Drummondville.",
    },
    {
        "year": 2025,
        "city": "dunkerque",
        "starts_on": date(2025, 6, 3),
        "ends_on": date(2025, 6, 4),
        "description": "Édition de Dunkerque.",
    },
]

# --- The edition to come (invented) -------------------------------------------------------------

UPCOMING: dict[str, Any] = {
    "slug": "siivim-2027-castelnau-le-lez",
    "year": 2027,
    "city": "castelnau",
    "organiser": "Ville de Castelnau-le-Lez",
    "starts_on": date(2027, 10, 13),
    "ends_on": date(2027, 10, 14),
    "venue_name": "Centre des congrès du Lez (démo)",
    "venue_address": "34170 Castelnau-le-Lez",
    "theme": "Maîtriser, protéger et valoriser la donnée des villes médianes",
    "description": "Édition fictive, pour la démonstration de Médiane. Deux jours à "
    "Castelnau-le-Lez, jumelée avec Drummondville par un jumelage technologique, pour les "
    "villes, les incubateurs et tiers-lieux, les entreprises et les experts du réseau : "
    "plénières, tables rondes, duos « collectivité + entreprise », démonstrations, salon des "
    "exposants et rendez-vous d'affaires planifiés de 20 minutes.",
}

ROOMS = [
    ("Auditorium", 400),
    ("Salle du Lez", 120),
    ("Salle Garrigue", 80),
    ("Hall des rendez-vous d'affaires", 120),
]
MEETING_ROOM = "Hall des rendez-vous d'affaires"
TABLES = 30
# Each day: 20-minute meetings from 9:00 to 12:00 and from 14:00 to 17:00.
MEETING_DAYS = (0, 1)
MEETING_HOURS = (time(9, 0), time(17, 0))
LUNCH = (time(12, 0), time(14, 0))
MEETING_MINUTES = 20

# Programme: (day, start, end, kind, room, title, description, speaker keys). A speaker key is a
# demo account key of data.ACCOUNTS or "<organisation>#<n>", the n-th person of DELEGATIONS.
SESSIONS: list[tuple[int, str, str, str, str, str, str, list[str]]] = [
    (0, "09:00", "10:00", "plenary", "Auditorium",
     "Ouverture : les villes médianes, laboratoires du territoire intelligent",
     "Pourquoi les villes de 20 000 à 100 000 habitants ont les clés du territoire intelligent, "
     "et ce que le réseau France–Québec leur apporte.",
     ["secretariat", "Ville de Castelnau-le-Lez#3", "Ville de Drummondville#2"]),
    (0, "10:15", "11:15", "panel", "Auditorium",
     "Maîtriser, protéger et valoriser la donnée publique",
     "Gouvernance de la donnée, données ouvertes, protection des données personnelles : "
     "retours d'expérience de villes et d'entreprises des deux pays.",
     ["expert", "Données ouvertes Québec Conseil (démo)#0", "Ville de Nevers#2",
      "Pic Data Conseil#0"]),
    (0, "11:30", "12:00", "duo", "Salle du Lez",
     "Compter les visiteurs d'hiver sans données personnelles",
     "La Ville de Lourdes et Pyrène Outdoor Lab racontent leur expérimentation de capteurs "
     "anonymes, de l'appel à solutions au rapport d'expérimentation.",
     ["city_editor", "startup_admin"]),
    (0, "14:00", "15:00", "demo", "Salle Garrigue",
     "Détecter les fuites des réseaux d'eau en temps réel",
     "Démonstration sur une maquette de réseau : capteurs, alertes et tableau de bord.",
     ["Occitanie Smart Water#1"]),
    (0, "14:00", "15:00", "panel", "Salle du Lez",
     "Incubateurs jumelés : l'atterrissage en douceur des deux côtés de l'Atlantique",
     "Comment des incubateurs de France et du Québec accueillent les start-up de l'autre rive.",
     ["Inkub#0", "Ruche Mauricie Innovation (démo)#1", "Incubateur Lez Innovation (démo)#0",
      "French Tech Centre-du-Québec (démo)#0"]),
    (0, "15:15", "16:00", "duo", "Auditorium",
     "Recharger les flottes municipales",
     "Une ville et une jeune entreprise : bornes, usages et coûts d'une flotte électrique.",
     ["Ville de Drummondville#1", "Mobilité électrique Drummond#0"]),
    (0, "16:15", "17:15", "workshop", "Salle Garrigue",
     "Filière laine : des estives aux bâtiments",
     "Atelier entre éleveurs, artisans, tiers-lieux et villes : collecte, lavage, filature, "
     "feutre isolant.",
     ["Tiers-lieu et incubateur de Lourdes#0", "Filature des Gaves#0",
      "Coopérative laine de la Mauricie#0", "Soie et laine d'Occitanie#0"]),
    (0, "19:00", "22:00", "social", "Auditorium",
     "Soirée des délégations France–Québec",
     "Dîner et rencontres informelles entre les délégations.",
     []),
    (1, "09:00", "09:45", "plenary", "Auditorium",
     "Le marché de l'innovation des villes médianes",
     "Défis publiés, réponses, jurys et expérimentations : ce que le marché a permis cette "
     "année.",
     ["Ville de Nevers#0", "Cabinet Territoires Intelligents (démo)#0"]),
    (1, "10:00", "10:45", "duo", "Salle du Lez",
     "Valoriser les résidus miniers",
     "Une ville post-minière et une jeune entreprise de l'économie circulaire.",
     ["Ville de Thetford Mines#0", "Minéraux circulaires Appalaches#0"]),
    (1, "10:00", "11:00", "demo", "Salle Garrigue",
     "Santé connectée en territoire rural et de montagne",
     "Télésuivi, dossier de soins partagé, rendez-vous à domicile : trois démonstrations.",
     ["Santé Montagne Connectée#0", "Lez Santé Numérique#0",
      "Santé connectée Centre-du-Québec#0"]),
    (1, "11:15", "12:00", "duo", "Auditorium",
     "De l'hydrogène vert pour un port industriel",
     "Une ville portuaire et une start-up de l'électrolyse compacte.",
     ["Ville de Dunkerque#0", "Dunes Hydrogène#0"]),
    (1, "14:00", "15:00", "panel", "Salle du Lez",
     "Tourisme durable et sports de pleine nature",
     "Allonger la saison, mesurer la fréquentation, protéger les sites.",
     ["Gave Tourisme Durable#0", "Parc et Rivière Aventure#0", "Lac Noir Plein Air#0",
      "Castelnau Sport Innovation#0"]),
    (1, "16:00", "17:00", "plenary", "Auditorium",
     "Clôture : bilan des rendez-vous d'affaires et prochaines coopérations",
     "Les chiffres des rendez-vous, les projets mutualisés annoncés, les jumelages en cours.",
     ["secretariat", "Ville de Castelnau-le-Lez#3"]),
]  # fmt: skip

# (organisation, what its stand shows). Demo organisations only.
EXHIBITORS: list[tuple[str, str]] = [
    ("Pyrène Outdoor Lab", "Capteurs de comptage anonymes pour les sentiers et les sites."),
    ("Filature des Gaves", "Fils, feutres et tricots de laine des Pyrénées."),
    ("Occitanie Smart Water", "Maquette de réseau d'eau instrumenté."),
    ("Lez Santé Numérique", "Dossier de soins partagé pour les maisons de santé."),
    ("Dunes Hydrogène", "Électrolyseur compact en fonctionnement."),
    ("Mobilité électrique Drummond", "Borne de recharge pour flottes municipales."),
    ("Textile intelligent Drummond", "Vêtements de travail connectés."),
    ("Hydro-Calcul Mauricie", "Calcul haute performance à l'hydroélectricité."),
    ("Minéraux circulaires Appalaches", "Matériaux issus de résidus miniers valorisés."),
    ("Incubateur Lez Innovation (démo)", "Les start-up de sa promotion santé numérique."),
]

# --- Participants ---------------------------------------------------------------------------------
# Demo accounts of data.ACCOUNTS registered to the edition: (key, participant type, job title).
ACCOUNT_REGISTRATIONS: list[tuple[str, str, str]] = [
    ("secretariat", "organiser", "Secrétariat du réseau"),
    ("city_editor", "city", "Chargé de mission attractivité"),
    ("city_member", "city", "Chargée de mission santé"),
    ("startup_admin", "company", "Fondateur et président"),
    ("expert", "expert", "Experte en gouvernance de la donnée territoriale"),
]

# People representing an organisation: (organisation, participant type, job titles, one person
# per title). They become members of the organisation ("editor" for the host city's organisers).
DELEGATIONS: list[tuple[str, str, list[str]]] = [
    # Cities
    ("Ville de Nevers", "city", ["Directrice du développement économique",
     "Chargé de mission innovation", "Responsable de la donnée", "Élue déléguée au numérique"]),
    ("Ville de Dunkerque", "city", ["Directeur de la transition industrielle",
     "Chargée de coopération internationale", "Responsable de l'information géographique"]),
    ("Ville de Castelnau-le-Lez", "organiser", ["Directrice de l'organisation du sommet",
     "Chargé de l'accueil des délégations", "Responsable des rendez-vous d'affaires"]),
    ("Ville de Castelnau-le-Lez", "city", ["Directeur du développement économique",
     "Chargée de mission santé et numérique"]),
    ("Ville de Shawinigan", "city", ["Directeur du développement économique",
     "Conseillère municipale déléguée à l'innovation", "Chargée de projets ville intelligente",
     "Directeur des technologies de l'information"]),
    ("Ville de Thetford Mines", "city", ["Directrice de la diversification économique",
     "Conseiller en environnement", "Chargé de projets industriels"]),
    ("Ville de Drummondville", "city", ["Directeur du développement économique",
     "Chargée de projets mobilité", "Conseiller au jumelage technologique",
     "Analyste en données municipales"]),
    # Incubators, tiers-lieux, accelerators, French Tech communities
    ("Tiers-lieu et incubateur de Lourdes", "incubator", ["Directrice",
     "Chargé d'accompagnement"]),
    ("Inkub", "incubator", ["Chargée d'accompagnement"]),
    ("French Tech Pyrénées (démo)", "incubator", ["Animateur de la communauté"]),
    ("Tiers-lieu des Dunes (démo)", "incubator", ["Responsable du fablab"]),
    ("Accélérateur Côte d'Opale (démo)", "incubator", ["Directeur de programme"]),
    ("Incubateur Lez Innovation (démo)", "incubator", ["Directrice", "Chargé d'affaires"]),
    ("Ruche Mauricie Innovation (démo)", "incubator", ["Directrice générale",
     "Responsable de l'atterrissage en douceur"]),
    ("Tiers-lieu des Appalaches (démo)", "incubator", ["Coordonnateur"]),
    ("Incubateur Appalaches Techno (démo)", "incubator", ["Directeur"]),
    ("Accélérateur Saint-François (démo)", "incubator", ["Directrice de programme"]),
    ("Incubateur manufacturier Drummond (démo)", "incubator", ["Conseiller aux entreprises"]),
    ("French Tech Centre-du-Québec (démo)", "incubator", ["Présidente bénévole"]),
    # Companies, investors, consultants, associations of the economy
    ("Filature des Gaves", "company", ["Gérante", "Responsable export"]),
    ("Maison du béret et de la laine", "company", ["Directeur",
     "Responsable de la boutique et des visites"]),
    ("Santé Montagne Connectée", "company", ["Cofondatrice et présidente",
     "Responsable clinique"]),
    ("Gave Tourisme Durable", "company", ["Fondateur", "Cheffe de produit séjours"]),
    ("Thermes et bien-être des Pyrénées", "company", ["Directrice"]),
    ("Pic Data Conseil", "company", ["Consultant en données"]),
    ("Atelier Laine & Feutre des Pyrénées", "company", ["Coordinatrice"]),
    ("Loire Mobilités Douces", "company", ["Cofondateur", "Responsable des partenariats publics"]),
    ("Faïencerie numérique de Nevers", "company", ["Directrice"]),
    ("Nivernais Agritech", "company", ["Président", "Ingénieure agronome"]),
    ("Piste Data Motorsport", "company", ["Fondateur", "Ingénieure télémétrie"]),
    ("Fonds d'amorçage Loire-Nièvre", "company", ["Chargée d'investissement"]),
    ("Cabinet Territoires Intelligents (démo)", "company", ["Associée", "Consultant"]),
    ("Énergies citoyennes de Bourgogne", "company", ["Président"]),
    ("Dunes Hydrogène", "company", ["Présidente", "Directeur technique"]),
    ("Port Logistique Analytics", "company", ["Directeur commercial", "Analyste de données"]),
    ("Voilerie du Littoral", "company", ["Gérant"]),
    ("Flandre Industrie 4.0", "company", ["Consultante industrie du futur", "Consultant"]),
    ("Éolien Mer du Nord Services", "company", ["Responsable du développement",
     "Cheffe de projet maintenance"]),
    ("Carnaval Culture Lab", "company", ["Médiatrice numérique"]),
    ("Lez Santé Numérique", "company", ["Fondatrice", "Responsable produit"]),
    ("Garrigue Agroécologie", "company", ["Cofondateur", "Technicienne irrigation"]),
    ("Occitanie Smart Water", "company", ["Directeur général", "Ingénieure réseaux d'eau"]),
    ("Castelnau Sport Innovation", "company", ["Fondatrice"]),
    ("Soie et laine d'Occitanie", "company", ["Gérant"]),
    ("Méditerranée Business Angels (démo)", "company", ["Président"]),
    ("Hydro-Calcul Mauricie", "company", ["Président-directeur général",
     "Architecte infonuagique"]),
    ("Aluminium vert Saint-Maurice", "company", ["Directrice des ventes",
     "Ingénieur procédés"]),
    ("Parc et Rivière Aventure", "company", ["Propriétaire", "Guide en chef"]),
    ("Coopérative laine de la Mauricie", "company", ["Directrice générale"]),
    ("Robotique éducative Shawi", "company", ["Cofondateur", "Conseillère pédagogique"]),
    ("Données ouvertes Québec Conseil (démo)", "company", ["Conseillère principale"]),
    ("Minéraux circulaires Appalaches", "company", ["Présidente", "Chercheur associé"]),
    ("Serres boréales Thetford", "company", ["Directeur", "Responsable de production"]),
    ("Lac Noir Plein Air", "company", ["Gérante"]),
    ("Matériaux recyclés de l'Amiante", "company", ["Directeur de projets"]),
    ("Textile intelligent Drummond", "company", ["Vice-présidente innovation",
     "Designer textile"]),
    ("Agrotech Centre-du-Québec", "company", ["Cofondateur", "Responsable des ventes"]),
    ("Mobilité électrique Drummond", "company", ["Président",
     "Responsable des ventes aux municipalités"]),
    ("Santé connectée Centre-du-Québec", "company", ["Fondatrice",
     "Coordonnatrice des soins à domicile"]),
    ("Capital Régions Québec (démo)", "company", ["Directeur d'investissement"]),
    ("Festival numérique Drummond", "company", ["Directrice artistique"]),
]  # fmt: skip

# People without an organisation: (key, country, participant type, job title, offers, seeks,
# sectors for the matching, takes part in business meetings).
INDEPENDENTS: list[tuple[str, str, str, str, str, str, list[str], bool]] = [
    ("expert#0", "FR", "expert", "Experte en cybersécurité des collectivités",
     "Audit et plan de sécurité des systèmes d'information municipaux, sensibilisation des "
     "agents, exercices de crise.",
     "Des villes qui veulent sécuriser leurs services numériques.", ["numerique"], True),
    ("expert#1", "FR", "expert", "Consultant en mobilité durable",
     "Plans de mobilité des villes moyennes, transport à la demande, vélo.",
     "Des villes et des entreprises de la mobilité partagée.", ["mobilite", "environnement"],
     True),
    ("expert#2", "FR", "expert", "Experte en financement européen de l'innovation",
     "Montage de projets européens et de dossiers de financement de l'innovation.",
     "Des consortiums de villes et d'entreprises à monter.", ["numerique", "industrie"], True),
    ("expert#3", "QC", "expert", "Conseiller en développement économique régional",
     "Stratégies de diversification économique des municipalités et des MRC.",
     "Des villes françaises avec qui comparer nos approches.", ["industrie"], True),
    ("expert#4", "QC", "expert", "Spécialiste de l'implantation d'entreprises au Québec",
     "Accompagnement des entreprises françaises qui s'installent au Québec : droit, "
     "financement, recrutement.",
     "Des start-up françaises prêtes à traverser l'Atlantique.", ["numerique", "industrie"],
     True),
    ("expert#5", "QC", "expert", "Experte en transition énergétique municipale",
     "Bilans énergétiques des bâtiments municipaux, plans de sobriété, énergies renouvelables.",
     "Des villes et des entreprises de l'énergie.", ["energie", "environnement"], True),
    ("press#0", "FR", "press", "Journaliste, presse quotidienne régionale",
     "Couverture du sommet pour la presse régionale.",
     "Des témoignages de villes et d'entreprises des deux pays.", [], True),
    ("press#1", "FR", "press", "Journaliste, média économique en ligne",
     "Articles sur les jeunes entreprises des villes médianes.", "", [], False),
    ("press#2", "QC", "press", "Journaliste, radio communautaire",
     "Reportages sur les délégations québécoises.", "", [], False),
    ("press#3", "QC", "press", "Photographe de presse", "", "", [], False),
]  # fmt: skip

# Registrations left pending, and the one declined (with its reason).
PENDING = {
    "Maison du béret et de la laine#1",
    "Port Logistique Analytics#1",
    "Robotique éducative Shawi#1",
    "Santé connectée Centre-du-Québec#1",
    "Serres boréales Thetford#1",
}
DECLINED = {"press#3": "Les accréditations de presse de cette édition sont complètes."}

# Requests of the demo accounts, so that they find meetings in their agenda and requests to
# answer: (sender key, recipient key, state).
ACCOUNT_REQUESTS: list[tuple[str, str, str]] = [
    ("startup_admin", "Parc et Rivière Aventure#0", "accepted"),
    ("startup_admin", "Ruche Mauricie Innovation (démo)#1", "accepted"),
    ("Ville de Shawinigan#2", "startup_admin", "accepted"),
    ("Lac Noir Plein Air#0", "startup_admin", "accepted"),
    ("Fonds d'amorçage Loire-Nièvre#0", "startup_admin", "pending"),
    ("city_editor", "Coopérative laine de la Mauricie#0", "accepted"),
    ("city_editor", "Santé connectée Centre-du-Québec#0", "accepted"),
    ("Textile intelligent Drummond#0", "city_editor", "accepted"),
    ("city_editor", "Parc et Rivière Aventure#1", "declined"),
    ("Soie et laine d'Occitanie#0", "city_editor", "pending"),
    ("expert", "Ville de Thetford Mines#0", "accepted"),
    ("Ville de Drummondville#3", "expert", "accepted"),
    ("city_member", "Lez Santé Numérique#0", "accepted"),
]
#: Requests in all (the demo accounts' ones, then pairs that share a sector).
REQUESTS_TOTAL = 60
#: Wishes in all, one per participant at most: with the accepted requests, about a hundred
#: meetings to schedule, which the scheduler places within SCHEDULE_SECONDS.
WISHES_TOTAL = 65
# States of the other requests, in turn: mostly accepted, some declined, pending or expired.
REQUEST_STATES = [
    "accepted", "accepted", "accepted", "declined", "accepted", "accepted", "pending", "accepted",
    "accepted", "accepted", "accepted", "declined", "accepted", "accepted", "pending", "accepted",
    "accepted", "accepted", "expired", "accepted",
]  # fmt: skip
DECLINE_NOTES = [
    "Pas de projet dans ce domaine pour nous cette année.",
    "Notre agenda du sommet est complet ; écrivons-nous après.",
    "Nous travaillons déjà avec un partenaire sur ce sujet.",
]
REQUEST_MESSAGES = [
    "Bonjour, votre travail en {sector} rejoint nos projets. Prenons 20 minutes au sommet ?",
    "Bonjour, nous cherchons des partenaires en {sector} : pouvons-nous nous rencontrer ?",
    "Bonjour, j'aimerais vous présenter nos projets en {sector} et connaître les vôtres.",
]

# --- Words for the profiles ("what I bring", "what I seek"), by sector ----------------------------

SECTOR_OFFERS = {
    "sport": "des solutions pour les sports de pleine nature et l'activité physique",
    "sante": "des services de santé connectée et de prévention",
    "tourisme": "une offre de tourisme durable et l'observation de la fréquentation",
    "laine-textile": "des produits et des procédés de la filière laine et textile",
    "artisanat": "des savoir-faire artisanaux et des pièces fabriquées localement",
    "numerique": "des outils numériques et de données pour les collectivités",
    "industrie": "des procédés industriels et l'accompagnement vers l'usine connectée",
    "energie": "la production et le stockage d'énergie renouvelable",
    "mobilite": "des services de mobilité partagée et électrique",
    "agriculture-alimentation": "des circuits courts et des outils pour les exploitations",
    "environnement": "des solutions pour l'eau, l'économie circulaire et le climat",
    "education": "des formations et des outils pédagogiques au numérique",
    "culture": "de la médiation culturelle et du patrimoine numérique",
}
SECTOR_NEEDS = {
    "sport": "le développement des sports de pleine nature et de l'activité physique adaptée",
    "sante": "l'accès aux soins et la prévention",
    "tourisme": "l'allongement de la saison touristique et la mesure de la fréquentation",
    "laine-textile": "la valorisation de la laine locale et des textiles techniques",
    "artisanat": "le soutien à l'artisanat et aux métiers d'art",
    "numerique": "la gouvernance de la donnée, les données ouvertes et la cybersécurité",
    "industrie": "l'attraction et la modernisation des entreprises industrielles",
    "energie": "la sobriété énergétique des bâtiments et des flottes municipales",
    "mobilite": "les mobilités douces et électriques",
    "agriculture-alimentation": "l'alimentation locale et le soutien aux exploitations",
    "environnement": "la gestion de l'eau, la réduction des déchets et l'adaptation au climat",
    "education": "la formation des jeunes et des demandeurs d'emploi au numérique",
    "culture": "la valorisation du patrimoine et de la vie culturelle",
}
# Demo content of the market (market_data.py) a city also looks for at the summit.
CITY_EXTRA_NEEDS = {"Ville de Lourdes": "des débouchés pour la laine des brebis pyrénéennes"}
# What the demo accounts without an organisation bring and seek.
ACCOUNT_PROFILES = {
    "expert": (
        "Gouvernance de la donnée territoriale, données ouvertes, stratégie de territoire "
        "intelligent.",
        "Des villes qui structurent la gouvernance de leurs données.",
    )
}

# --- Names of the fictitious people ---------------------------------------------------------------

# First names by country and gender (the gender of the job title, when it has one).
FIRST_NAMES = {
    ("FR", "f"): ["Adèle", "Amandine", "Aurélie", "Bénédicte", "Chloé", "Delphine", "Élodie",
                  "Émilie", "Florence", "Gaëlle", "Hélène", "Inès", "Juliette", "Léa", "Manon",
                  "Mélanie", "Nadia", "Océane", "Pauline", "Sabrina", "Sylvie", "Valérie",
                  "Zoé", "Agnès", "Laure", "Sandrine"],
    ("FR", "m"): ["Alexandre", "Antoine", "Baptiste", "Cédric", "Damien", "Fabien", "Franck",
                  "Guillaume", "Hugo", "Jérôme", "Karim", "Laurent", "Lucas", "Mathieu",
                  "Nicolas", "Olivier", "Pierre", "Romain", "Sébastien", "Thomas", "Vincent",
                  "Yannick", "Bruno", "Gilles"],
    ("QC", "f"): ["Annie", "Catherine", "Chantal", "Frédérique", "Geneviève", "Isabelle",
                  "Jessica", "Josée", "Marie-Ève", "Mélissa", "Nathalie", "Stéphanie",
                  "Véronique", "Audrey", "Karine", "Julie", "Marie-Pier"],
    ("QC", "m"): ["Benoît", "Charles-Antoine", "Éric", "Guy", "Jean-François", "Kevin",
                  "Louis-Philippe", "Marc-Olivier", "Martin", "Maxime", "Patrick", "Pier-Luc",
                  "Simon", "Sylvain", "Yanick", "Félix", "Dominique", "Alexis"],
}  # fmt: skip
# First word of a gendered job title; other titles (Responsable, Analyste…) take either.
FEMININE_TITLES = {"Directrice", "Chargée", "Experte", "Gérante", "Présidente", "Fondatrice",
                   "Cofondatrice", "Conseillère", "Coordinatrice", "Coordonnatrice", "Cheffe",
                   "Ingénieure", "Associée", "Élue", "Médiatrice", "Technicienne",
                   "Consultante", "Vice-présidente"}  # fmt: skip
MASCULINE_TITLES = {"Directeur", "Chargé", "Expert", "Gérant", "Président", "Fondateur",
                    "Cofondateur", "Conseiller", "Coordonnateur", "Ingénieur", "Associé", "Élu",
                    "Animateur", "Consultant", "Chercheur", "Président-directeur",
                    "Technicien"}  # fmt: skip
LAST_NAMES = {
    "FR": ["Arnaud", "Barbier", "Berger", "Blanchard", "Bonnet", "Boyer", "Brun", "Carpentier",
           "Castaing", "Chevalier", "Clément", "Colin", "Decroix", "Dewaele", "Dubois", "Dumas",
           "Durand", "Fabre", "Faure", "Fournier", "Gauthier", "Girard", "Guérin", "Lacaze",
           "Lacroix", "Lambert", "Lefebvre", "Lemaire", "Marchand", "Masson", "Mercier",
           "Meunier", "Morel", "Noël", "Perrin", "Picard", "Pujol", "Renaud", "Roques",
           "Rousseau", "Roussel", "Roux", "Vandamme", "Vidal", "Vanhove", "Baron", "Cazaux",
           "Duval", "Leroy", "Marty", "Paris", "Segura", "Thibault"],
    "QC": ["Bélanger", "Bergeron", "Bouchard", "Boucher", "Caron", "Champagne", "Cloutier",
           "Côté", "Desjardins", "Dubé", "Fortin", "Gagné", "Gagnon", "Lapointe", "Leblanc",
           "Lévesque", "Morin", "Ouellet", "Paquette", "Pelletier", "Poirier", "Roy", "Simard",
           "St-Pierre", "Turcotte", "Vachon", "Beaulieu", "Hébert", "Lavallée", "Provencher",
           "Rioux", "Savard", "Thériault", "Nadeau", "Vaillancourt", "Dionne", "Langlois"],
}  # fmt: skip


@dataclass
class Person:
    """A participant of the demo edition, as data (no database access)."""

    key: str
    country: str
    participant_type: str
    job_title: str
    organisation: str | None = None
    account: str | None = None  # key of data.ACCOUNTS when an existing demo account
    full_name: str = ""
    email: str = ""
    offers: str = ""
    seeks: str = ""
    sectors: list[str] = field(default_factory=list)
    wants_meetings: bool = True


def _organisation_specs() -> dict[str, dict[str, Any]]:
    return {spec["name"]: spec for spec in data.ORGANISATIONS}


def _country_of(organisation: str) -> str:
    spec = _organisation_specs()[organisation]
    return next(c["country"] for c in data.CITIES if c["key"] == spec["city"])


def people() -> list[Person]:
    """Everyone registered to the demo edition, in registration order, with stable names."""
    specs = _organisation_specs()
    accounts = {spec["key"]: spec for spec in data.ACCOUNTS}
    result: list[Person] = []
    for key, kind, title in ACCOUNT_REGISTRATIONS:
        spec = accounts[key]
        organisation = spec["organisation"][0] if "organisation" in spec else None
        result.append(
            Person(
                key=key,
                country=_country_of(organisation) if organisation else "FR",
                participant_type=kind,
                job_title=title,
                organisation=organisation,
                account=key,
                full_name=spec["full_name"],
                email=spec["email"],
                offers=ACCOUNT_PROFILES.get(key, ("", ""))[0],
                seeks=ACCOUNT_PROFILES.get(key, ("", ""))[1],
                sectors=list(specs[organisation]["sectors"]) if organisation else ["numerique"],
                wants_meetings=kind != "organiser",
            )
        )
    counters: dict[str, int] = {}
    for organisation, kind, titles in DELEGATIONS:
        for title in titles:
            n = counters.get(organisation, 0)
            counters[organisation] = n + 1
            result.append(
                Person(
                    key=f"{organisation}#{n}",
                    country=_country_of(organisation),
                    participant_type=kind,
                    job_title=title,
                    organisation=organisation,
                    sectors=list(specs[organisation]["sectors"]),
                    wants_meetings=kind != "organiser",
                )
            )
    for key, country, kind, title, offers, seeks, sectors, meets in INDEPENDENTS:
        result.append(
            Person(
                key=key,
                country=country,
                participant_type=kind,
                job_title=title,
                offers=offers,
                seeks=seeks,
                sectors=sectors,
                wants_meetings=meets,
            )
        )
    _name(result)
    for person in result:
        if person.organisation and not person.offers and person.wants_meetings:
            person.offers, person.seeks = _profile(person, specs[person.organisation])
    return result


def _gender(title: str, n: int) -> str:
    word = title.replace(",", " ").split()[0]
    if word in FEMININE_TITLES:
        return "f"
    if word in MASCULINE_TITLES:
        return "m"
    return "fm"[n % 2]


def _name(persons: list[Person]) -> None:
    """Give the new people a distinct name of their country (and of the gender of their job
    title) and a `prenom.nom@` address."""
    taken = {spec["full_name"] for spec in data.ACCOUNTS}
    firsts_used: dict[tuple[str, str], int] = {}
    lasts_used: dict[str, int] = {}
    for n, person in enumerate(persons):
        if person.account:
            continue
        group = (person.country, _gender(person.job_title, n))
        firsts, lasts = FIRST_NAMES[group], LAST_NAMES[person.country]
        while True:
            i = firsts_used.get(group, 0)
            j = lasts_used.get(person.country, 0)
            firsts_used[group], lasts_used[person.country] = i + 1, j + 1
            # A step coprime with the list's length walks through every last name.
            first, last = firsts[i % len(firsts)], lasts[(j * 7 + 3) % len(lasts)]
            name = f"{first} {last} (démo)"
            if name not in taken:
                break
        taken.add(name)
        person.full_name = name
        person.email = f"{slugify(first)}.{slugify(last)}@{EMAIL_DOMAIN}"


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " et " + parts[-1]


def _profile(person: Person, spec: dict[str, Any]) -> tuple[str, str]:
    """What a person brings and seeks, from their organisation's kind, summary and sectors."""
    sectors = spec["sectors"]
    offers = _join([SECTOR_OFFERS[s] for s in sectors])
    needs = _join([SECTOR_NEEDS[s] for s in sectors])
    other_side = "au Québec" if person.country == "FR" else "en France"
    kind = spec["kind"]
    if kind == "collectivite":
        city = next(c for c in data.CITIES if c["key"] == spec["city"])
        extra = CITY_EXTRA_NEEDS.get(spec["name"])
        return (
            f"Un terrain d'expérimentation pour les solutions innovantes et le retour "
            f"d'expérience de {city['name']}. {city['notes']}",
            f"Des solutions pour {needs}{' ; ' + extra if extra else ''} ; des villes "
            f"partenaires {other_side} pour mutualiser nos projets.",
        )
    if kind in ("incubateur", "accelerateur", "tiers-lieu", "french-tech"):
        return (
            f"{spec['summary']} Accompagnement de jeunes entreprises qui proposent {offers}.",
            f"Des start-up à accueillir et un incubateur partenaire {other_side}.",
        )
    if kind == "investisseur":
        return (
            f"{spec['summary']} Financement et mise en relation avec des investisseurs.",
            f"Des jeunes entreprises qui proposent {offers}.",
        )
    if kind == "conseil":
        return (
            f"{spec['summary']} Accompagnement des collectivités : {offers}.",
            f"Des villes qui travaillent sur {needs}.",
        )
    return (
        f"{spec['summary']} Nous apportons {offers}.",
        f"Des villes pilotes pour expérimenter nos solutions ({needs}) ; un partenaire "
        f"{other_side} pour nous y développer.",
    )


# --- Loading --------------------------------------------------------------------------------------


class SummitLoader:
    """Loads the editions and the demo edition's participants, meetings and schedule."""

    def __init__(self, loader: Loader) -> None:
        self.loader = loader
        self.report = loader.report
        self.actor = loader.actor
        self.people = people()
        self.by_key = {p.key: p for p in self.people}
        self.users: dict[str, User] = {}
        self.registrations: dict[str, Registration] = {}
        self.rng = random.Random(2027)
        self.sector_names: dict[str, str] = {}

    def load(self) -> None:
        self.load_past_editions()
        edition = self.load_edition()
        self.load_people()
        self.load_registrations(edition)
        self.load_requests(edition)
        self.load_wishes(edition)

    # --- editions --------------------------------------------------------------------------------

    def _organisation(self, name: str) -> Organisation:
        return self.loader.organisations[name]

    def load_past_editions(self) -> None:
        from mediane.core.services import audit_record
        from mediane.summit.models import Edition, EditionStatus

        for spec in PAST_EDITIONS:
            city = self.loader.cities[spec["city"]]
            slug = f"siivim-{spec['year']}-{slugify(city.name)}"
            if Edition.objects.filter(slug=slug).exists():
                self.report.existing["sommet : éditions"] += 1
                continue
            edition = Edition.objects.create(
                slug=slug,
                year=spec["year"],
                title=f"SIIViM {spec['year']} — {city.name}",
                host_city=city.name,
                host_territory=city,
                country=city.country,
                organiser=self._organisation(f"Ville de {city.name}"),
                starts_on=spec["starts_on"],
                ends_on=spec["ends_on"],
                time_zone=ZONES[city.country],
                description=spec["description"],
                status=EditionStatus.PUBLISHED,
                participants_count=spec.get("participants"),
                figures=spec.get("figures", ""),
                is_demo=False,
            )
            audit_record(actor=self.actor, action="demo.summit_edition_create", obj=edition)
            self.report.created["sommet : éditions"] += 1

    def load_edition(self) -> Edition:
        from mediane.core.services import audit_record
        from mediane.summit.models import Edition, EditionStatus

        existing = Edition.objects.filter(slug=UPCOMING["slug"]).first()
        if existing is not None:
            self.report.existing["sommet : éditions"] += 1
            return existing
        city = self.loader.cities[UPCOMING["city"]]
        edition = Edition.objects.create(
            slug=UPCOMING["slug"],
            year=UPCOMING["year"],
            title=f"SIIViM {UPCOMING['year']} — {city.name}",
            host_city=city.name,
            host_territory=city,
            country=city.country,
            organiser=self._organisation(UPCOMING["organiser"]),
            starts_on=UPCOMING["starts_on"],
            ends_on=UPCOMING["ends_on"],
            time_zone=ZONES[city.country],
            venue_name=UPCOMING["venue_name"],
            venue_address=UPCOMING["venue_address"],
            theme=UPCOMING["theme"],
            description=UPCOMING["description"],
            status=EditionStatus.PUBLISHED,
            registration_open=True,
            approval_required=True,
            meetings_open=True,
            is_demo=True,
        )
        audit_record(actor=self.actor, action="demo.summit_edition_create", obj=edition)
        self.report.created["sommet : éditions"] += 1
        self.load_programme(edition)
        self.load_meeting_grid(edition)
        return edition

    def _at(self, edition: Edition, day: int, clock: str) -> datetime:
        hour, minute = (int(part) for part in clock.split(":"))
        return datetime.combine(
            edition.starts_on + timedelta(days=day),
            time(hour, minute),
            tzinfo=zoneinfo.ZoneInfo(edition.time_zone),
        )

    def load_programme(self, edition: Edition) -> None:
        """Rooms, sessions with their speakers, exhibitors (no service creates them)."""
        from mediane.summit.models import Exhibitor, ProgrammeSession, Room, Speaker

        rooms = {
            name: Room.objects.create(edition=edition, name=name, capacity=capacity, position=n)
            for n, (name, capacity) in enumerate(ROOMS)
        }
        for day, start, end, kind, room, title, description, speakers in SESSIONS:
            session = ProgrammeSession.objects.create(
                edition=edition,
                kind=kind,
                title=title,
                description=description,
                room=rooms[room],
                starts_at=self._at(edition, day, start),
                ends_at=self._at(edition, day, end),
            )
            for position, key in enumerate(speakers):
                person = self.by_key[key]
                Speaker.objects.create(
                    session=session,
                    name=person.full_name,
                    role=person.job_title,
                    organisation=(
                        self._organisation(person.organisation) if person.organisation else None
                    ),
                    position=position,
                )
        for n, (name, description) in enumerate(EXHIBITORS, start=1):
            Exhibitor.objects.create(
                edition=edition,
                organisation=self._organisation(name),
                stand=f"A{n}",
                description=description,
            )

    def load_meeting_grid(self, edition: Edition) -> None:
        """Meeting tables (in the business-meeting hall) and slots, through the services."""
        from mediane.summit.models import MeetingTable, Room
        from mediane.summit.services import slots_generate, tables_set

        tables_set(actor=self.actor, edition=edition, count=TABLES)
        MeetingTable.objects.filter(edition=edition).update(
            room=Room.objects.get(edition=edition, name=MEETING_ROOM)
        )
        for day in MEETING_DAYS:
            slots_generate(
                actor=self.actor,
                edition=edition,
                day=edition.starts_on + timedelta(days=day),
                start=MEETING_HOURS[0],
                end=MEETING_HOURS[1],
                minutes=MEETING_MINUTES,
                lunch_start=LUNCH[0],
                lunch_end=LUNCH[1],
            )

    # --- people and registrations ----------------------------------------------------------------

    def load_people(self) -> None:
        """Accounts (no password) of the new people, members of the organisation they represent."""
        from mediane.accounts.models import Membership, User
        from mediane.accounts.services import membership_add
        from mediane.core.services import audit_record

        for person in self.people:
            if person.account:
                self.users[person.key] = self.loader.users[person.account]
                continue
            user = User.objects.filter(email__iexact=person.email).first()
            if user is None:
                user = User.objects.create_user(
                    email=person.email,
                    password=None,
                    full_name=person.full_name,
                    email_verified=True,
                    time_zone=ZONES[person.country],
                )
                audit_record(actor=None, action="demo.user_create", obj=user)
                self.report.created["comptes"] += 1
            else:
                self.report.existing["comptes"] += 1
            self.users[person.key] = user
            if person.organisation is None:
                continue
            organisation = self._organisation(person.organisation)
            if Membership.objects.filter(user=user, organisation=organisation).exists():
                self.report.existing["appartenances"] += 1
                continue
            role = "editor" if person.participant_type == "organiser" else "member"
            membership_add(actor=self.actor, organisation=organisation, user=user, role=role)
            self.report.created["appartenances"] += 1

    def load_registrations(self, edition: Edition) -> None:
        from mediane.summit.models import Registration, RegistrationStatus
        from mediane.summit.services import registration_create, registration_decide

        sessions = list(edition.sessions.all())  # type: ignore[attr-defined]
        slots = list(edition.slots.all())  # type: ignore[attr-defined]
        new: list[tuple[Person, Registration]] = []
        for person in self.people:
            user = self.users[person.key]
            registration = Registration.objects.filter(edition=edition, user=user).first()
            if registration is not None:
                self.registrations[person.key] = registration
                self.report.existing["sommet : inscriptions"] += 1
                continue
            registration = registration_create(
                actor=user,
                edition=edition,
                participant_type=person.participant_type,
                organisation=(
                    self._organisation(person.organisation) if person.organisation else None
                ),
                job_title=person.job_title,
                offers=person.offers,
                seeks=person.seeks,
                wants_meetings=person.wants_meetings,
            )
            if registration.status == RegistrationStatus.PENDING and person.key not in PENDING:
                note = DECLINED.get(person.key, "")
                registration = registration_decide(
                    actor=self.actor, registration=registration, approve=not note, note=note
                )
            self.registrations[person.key] = registration
            self.report.created["sommet : inscriptions"] += 1
            new.append((person, registration))
        self.load_availability(new, sessions, slots)

    def load_availability(
        self,
        new: list[tuple[Person, Registration]],
        sessions: list[ProgrammeSession],
        slots: list[MeetingSlot],
    ) -> None:
        """Speakers attend their sessions; some others arrive late, leave early, meet only in
        the morning or the afternoon, attend a plenary or are busy on a few slots."""
        from mediane.summit.services import availability_update

        speaking: dict[str, list[ProgrammeSession]] = {}
        by_title = {session.title: session for session in sessions}
        for _day, _start, _end, _kind, _room, title, _description, keys in SESSIONS:
            for key in keys:
                speaking.setdefault(key, []).append(by_title[title])
        opening, closing = sessions[0], sessions[-1]
        for n, (person, registration) in enumerate(new):
            if not registration.is_approved or not person.wants_meetings:
                continue
            edition = registration.edition
            arrives = departs = None
            half_day = ""
            busy: list[MeetingSlot] = []
            attends = list(speaking.get(person.key, []))
            if not attends and not person.account:
                if n % 10 == 3:
                    arrives = self._at(edition, 0, "10:40")  # a late train or flight
                elif n % 10 == 7:
                    departs = self._at(edition, 1, "12:00")
                elif n % 10 == 5:
                    half_day = "am"
                elif n % 13 == 8:
                    half_day = "pm"
                elif n % 9 == 2:
                    busy = [s for s in slots if s.number in (n % 18 + 19, n % 18 + 20)]
                if n % 4 == 1:
                    attends.append(opening)
                if n % 6 == 2:
                    attends.append(closing)
            if arrives or departs or half_day or busy or attends:
                availability_update(
                    actor=self.users[person.key],
                    registration=registration,
                    arrives_at=arrives,
                    departs_at=departs,
                    half_day=half_day,
                    unavailable_slots=busy,
                    attended_sessions=attends,
                )

    # --- requests and wishes ---------------------------------------------------------------------

    def _meetable(self) -> list[Person]:
        return [
            person
            for person in self.people
            if person.wants_meetings and self.registrations[person.key].is_approved
        ]

    def _shared(self, a: Person, b: Person) -> list[str]:
        return [s for s in a.sectors if s in b.sectors]

    def _pairs(self) -> list[tuple[Person, Person]]:
        """Pairs of participants of different organisations sharing a sector, the pairs across
        the Atlantic first, in a stable shuffled order."""
        meetable = self._meetable()
        pairs = [
            (a, b)
            for a in meetable
            for b in meetable
            if a.key != b.key
            and (a.organisation is None or a.organisation != b.organisation)
            and self._shared(a, b)
        ]
        self.rng.shuffle(pairs)
        pairs.sort(key=lambda pair: pair[0].country == pair[1].country)
        return pairs

    def load_requests(self, edition: Edition) -> None:
        """REQUESTS_TOTAL requests: the demo accounts' ones, then pairs sharing a sector (at
        most two sent and two received each), accepted, declined, pending or expired."""
        from mediane.summit.models import MeetingRequest, RequestStatus
        from mediane.summit.services import request_answer, request_send

        planned = [(self.by_key[s], self.by_key[r], state) for s, r, state in ACCOUNT_REQUESTS]
        sent: dict[str, int] = {}
        received: dict[str, int] = {}
        used: set[frozenset[str]] = set()
        for sender, recipient, _state in planned:
            sent[sender.key] = sent.get(sender.key, 0) + 1
            received[recipient.key] = received.get(recipient.key, 0) + 1
            used.add(frozenset((sender.key, recipient.key)))
        accounts = {p.key for p in self.people if p.account}
        for sender, recipient in self._pairs():
            if len(planned) >= REQUESTS_TOTAL:
                break
            pair = frozenset((sender.key, recipient.key))
            if (
                pair in used
                or pair & accounts
                or sent.get(sender.key, 0) >= 2
                or received.get(recipient.key, 0) >= 2
            ):
                continue
            state = REQUEST_STATES[len(planned) % len(REQUEST_STATES)]
            planned.append((sender, recipient, state))
            sent[sender.key] = sent.get(sender.key, 0) + 1
            received[recipient.key] = received.get(recipient.key, 0) + 1
            used.add(pair)
        now = timezone.now()
        for n, (sender, recipient, state) in enumerate(planned):
            a, b = self.registrations[sender.key], self.registrations[recipient.key]
            if MeetingRequest.objects.filter(sender__in=(a, b), recipient__in=(a, b)).exists():
                self.report.existing["sommet : demandes de rendez-vous"] += 1
                continue
            sector = self._shared(sender, recipient) or recipient.sectors or ["numerique"]
            request = request_send(
                actor=self.users[sender.key],
                sender=a,
                recipient=b,
                message=REQUEST_MESSAGES[n % len(REQUEST_MESSAGES)].format(
                    sector=self._sector_name(sector[0])
                ),
            )
            self.report.created["sommet : demandes de rendez-vous"] += 1
            if state in ("accepted", "declined"):
                request_answer(
                    actor=self.users[recipient.key],
                    request=request,
                    accept=state == "accepted",
                    note="" if state == "accepted" else DECLINE_NOTES[n % len(DECLINE_NOTES)],
                )
            elif state == "expired":
                # Demo history: a request sent three weeks ago that nobody answered. The
                # services date requests "now", so the past dates are set directly here.
                MeetingRequest.objects.filter(pk=request.pk).update(
                    status=RequestStatus.EXPIRED,
                    created_at=now - timedelta(days=21),
                    expires_at=now - timedelta(days=21 - edition.request_days),
                    updated_at=now - timedelta(days=21 - edition.request_days),
                )

    def _sector_name(self, slug: str) -> str:
        from mediane.directory.models import Sector

        if not self.sector_names:
            self.sector_names = dict(Sector.objects.values_list("slug", "name"))
        return self.sector_names.get(slug, slug).lower()

    def load_wishes(self, edition: Edition) -> None:
        """WISHES_TOTAL marks, one per participant at most, on others sharing a sector and not
        already asked: mostly "would like to meet", some "must meet", a few "not interested"."""
        from mediane.summit.models import MeetingRequest, MeetingWish
        from mediane.summit.services import wish_set

        requested = {
            frozenset(pair)
            for pair in MeetingRequest.objects.filter(edition=edition).values_list(
                "sender_id", "recipient_id"
            )
        }
        authors: set[str] = set()
        for author, target in self._pairs():
            if len(authors) >= WISHES_TOTAL:
                break
            a, b = self.registrations[author.key], self.registrations[target.key]
            if author.key in authors or frozenset((a.pk, b.pk)) in requested:
                continue
            authors.add(author.key)
            if MeetingWish.objects.filter(author=a, target=b).exists():
                self.report.existing["sommet : souhaits de rendez-vous"] += 1
                continue
            roll = self.rng.random()
            level = "no" if roll < 0.1 else "must" if roll < 0.4 else "would"
            wish_set(actor=self.users[author.key], author=a, target=b, level=level)
            self.report.created["sommet : souhaits de rendez-vous"] += 1

    # --- schedule --------------------------------------------------------------------------------

    def load_schedule(self) -> None:
        """Compute the meetings now (the demo has no worker running yet) and publish them;
        outside any transaction, since the scheduler writes its progress from the solver's
        threads. A published schedule is left as it is; a finished run not yet published is
        published; a run that gives no schedule (a failure, nothing found within the time
        limit) is reported and tried again by the next load, SCHEDULE_ATTEMPTS runs in all."""
        from mediane.scheduling import model as sched
        from mediane.summit import scheduling
        from mediane.summit.models import Edition, RunStatus

        edition = Edition.objects.filter(slug=UPCOMING["slug"]).first()
        if edition is None:
            return
        if edition.published_run_id is not None:  # type: ignore[attr-defined]
            self.report.existing["sommet : plannings publiés"] += 1
            return
        runs = edition.runs.all()  # type: ignore[attr-defined]
        if runs.filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).exists():
            logger.warning("demo summit: a scheduler run is under way, not published")
            return
        found = (sched.OPTIMAL, sched.FEASIBLE)  # the solver's statuses with a schedule
        run = runs.filter(status=RunStatus.DONE, solver_status__in=found).first()
        if run is None:
            if runs.count() >= SCHEDULE_ATTEMPTS:
                logger.warning("demo summit: no schedule after %d runs", SCHEDULE_ATTEMPTS)
                return
            run = scheduling.schedule_run_start(
                actor=self.actor, edition=edition, time_limit=SCHEDULE_SECONDS
            )
            run = scheduling.run_execute(run.pk)
            if run.status != RunStatus.DONE or run.solver_status not in found:
                logger.warning(
                    "demo summit: the scheduler gave no schedule (%s %s) %s",
                    run.status,
                    run.solver_status,
                    run.error,
                )
                return
        scheduling.schedule_publish(actor=self.actor, run=run)
        self.report.created["sommet : plannings publiés"] += 1


def load_summit(loader: Loader) -> None:
    """Load the summit part of the demo (after accounts, organisations and the market)."""
    SummitLoader(loader).load()


def load_summit_schedule(loader: Loader) -> None:
    """Compute and publish the demo edition's schedule outside any transaction: at once after
    the loader's commit, or after the commit of the caller's transaction when there is one (a
    test's, which never commits: no schedule there unless the test runs the callbacks)."""
    from django.db import transaction

    summit = SummitLoader(loader)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(summit.load_schedule)
    else:
        summit.load_schedule()
