"""The innovation market of the demo network: challenges, answers, a jury, offers, references.

Loaded after the directory part by `mediane.demo.loader.Loader.load_market`, only through the
market's services (lifecycle, deadlines, jury rules, audit, notifications, search index), and
idempotently: a challenge is found by its title, an offer by its title and organisation, and an
existing one is left as it is. Every challenge and offer is marked `is_demo`.

Dates are relative to the moment of loading, so that open challenges stay open: each step of a
past challenge is dated through the services' `now=` (opening, answers, closing); the steps those
services date themselves (evaluation, jury, decision, pilot) are dated at loading time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.text import slugify

if TYPE_CHECKING:
    from mediane.accounts.models import User
    from mediane.demo.loader import Loader
    from mediane.directory.models import Organisation
    from mediane.market.models import Challenge

# --- Challenges ----------------------------------------------------------------------------------
# `issuers`: organisation names, the lead first. `opens`/`closes`: days from the loading day (the
# hour is local to the lead issuer). `state`: how far the lifecycle goes. `answers`: (answering
# organisation, approach, price min, price max). `winner`: index in `answers`.

CHALLENGES: list[dict[str, Any]] = [
    {
        "title": "Mesurer et lisser les flux touristiques après la saison des pèlerinages",
        "issuers": ["Ville de Lourdes"],
        "author": "city_editor",
        "state": "pilot_report",
        "opens": -200,
        "closes": -170,
        "sectors": ["tourisme", "numerique"],
        "summary": "Savoir où vont les visiteurs de novembre à mars pour adapter les services.",
        "problem": "<p>De novembre à mars, la fréquentation de Lourdes chute fortement après la "
        "saison des pèlerinages. Nous ne savons pas quels quartiers, quels sentiers et quels "
        "services les visiteurs d'hiver utilisent, ni d'où ils viennent : les horaires des "
        "navettes, des musées et de l'office de tourisme sont fixés à l'aveugle.</p>",
        "context": "<p>Plan Avenir Lourdes, axe 3 : diversifier l'économie et allonger la saison "
        "(tourisme durable et sports de pleine nature).</p>",
        "expected": "<ul><li>Des comptages anonymes par zone et par heure</li>"
        "<li>Un tableau de bord partagé avec l'office de tourisme</li></ul>",
        "constraints": "<p>Aucune donnée personnelle : comptage agrégé et anonyme (RGPD).</p>",
        "budget": (15_000, 45_000),
        "months": 6,
        "answers": [
            (
                "Pyrène Outdoor Lab",
                "Capteurs autonomes sur les sentiers et aux entrées de la "
                "ville, comptage agrégé sans identifiant, tableau de bord ouvert.",
                28_000,
                38_000,
            ),
            (
                "Gave Tourisme Durable",
                "Enquêtes auprès des hébergeurs et des visiteurs, "
                "complétées par les données de billetterie.",
                15_000,
                22_000,
            ),
            (
                "Port Logistique Analytics",
                "Modèle de flux alimenté par les données de "
                "téléphonie agrégées achetées à un opérateur.",
                35_000,
                45_000,
            ),
        ],
        "winner": 0,
        "reason": "La seule proposition sans donnée personnelle, déjà testée en montagne.",
        "decision_note": "Jury du 12 : trois réponses, une retenue.",
        "report": {
            "outcome": "<p>Douze capteurs posés de décembre à mai ; fréquentation d'hiver "
            "mesurée par zone et par heure. Les horaires des navettes ont été adaptés.</p>",
            "contract_signed": True,
            "amount": 38_000,
            "lessons": "<p>Associer l'office de tourisme dès le cadrage ; prévoir l'entretien "
            "des capteurs en altitude.</p>",
        },
    },
    {
        "title": "Valoriser la laine des brebis pyrénéennes",
        "issuers": ["Ville de Lourdes"],
        "author": "city_editor",
        "state": "open",
        "opens": -12,
        "closes": 30,
        "sectors": ["laine-textile", "artisanat"],
        "summary": "La laine des estives est jetée ou vendue à perte : trouver des débouchés.",
        "problem": "<p>Les éleveurs des vallées autour de Lourdes tondent chaque année des "
        "dizaines de tonnes de laine, dont la plus grande part est stockée, brûlée ou vendue "
        "sous le coût de la tonte. Comment en faire une ressource pour l'artisanat "
        "« Made in Pyrénées » et pour la ville ?</p>",
        "context": "<p>Le tiers-lieu issu du Plan Avenir Lourdes (action 72) accompagne "
        "l'artisanat, dont la filière laine.</p>",
        "expected": "<p>Un débouché local testé avec des éleveurs et des artisans.</p>",
        "budget": (10_000, 30_000),
        "months": 9,
        "answers": [
            (
                "Filature des Gaves",
                "Collecte groupée, lavage et filature à Lourdes ; "
                "feutre isolant pour les bâtiments municipaux.",
                18_000,
                26_000,
            ),
            (
                "Coopérative laine de la Mauricie",
                "Transfert de notre modèle coopératif "
                "d'éleveurs et d'artisans, déjà rentable en Mauricie.",
                12_000,
                20_000,
            ),
        ],
    },
    {
        "title": "Prévenir et suivre la santé des visiteurs âgés et des pèlerins malades",
        "issuers": ["Ville de Lourdes"],
        "author": "city_editor",
        "state": "evaluation",
        "opens": -75,
        "closes": -15,
        "sectors": ["sante", "numerique"],
        "summary": "Mieux orienter les visiteurs fragiles entre les services de santé de la ville.",
        "problem": "<p>Des visiteurs âgés ou malades arrivent sans que les soignants de la ville "
        "connaissent leurs besoins ; les urgences sont saturées les jours de grands "
        "pèlerinages.</p>",
        "budget": (20_000, 60_000),
        "months": 12,
        "answers": [
            (
                "Santé Montagne Connectée",
                "Télésuivi des visiteurs fragiles et lien avec les soignants de la ville.",
                30_000,
                50_000,
            ),
            (
                "Lez Santé Numérique",
                "Dossier de soins partagé entre les maisons de santé et les accueils de pèlerins.",
                25_000,
                40_000,
            ),
            (
                "Santé connectée Centre-du-Québec",
                "Prise de rendez-vous et suivi à domicile, "
                "déployés dans des villes moyennes du Québec.",
                20_000,
                35_000,
            ),
        ],
    },
    {
        "title": "Billettique commune des transports pour trois villes médianes",
        "issuers": ["Ville de Nevers", "Ville de Lourdes", "Ville de Castelnau-le-Lez"],
        "author": "secretariat",
        "state": "open",
        "opens": -20,
        "closes": 45,
        "sectors": ["mobilite", "numerique"],
        "summary": "Un appel commun : un même titre de transport dématérialisé pour trois villes.",
        "problem": "<p>Nos trois villes renouvellent leur billettique. Séparément, aucune n'a la "
        "taille pour intéresser un fournisseur ; ensemble, nous voulons un titre dématérialisé "
        "commun, valable pour les visiteurs de chacune.</p>",
        "context": "<p>Appel conjoint : une seule réponse vaut pour les trois villes.</p>",
        "budget": (80_000, 200_000),
        "months": 12,
        "answers": [
            (
                "Loire Mobilités Douces",
                "Titre unique sur téléphone et carte, avec le vélo partagé inclus.",
                90_000,
                150_000,
            ),
            (
                "Port Logistique Analytics",
                "Plateforme de validation et de répartition des recettes entre villes.",
                120_000,
                180_000,
            ),
        ],
    },
    {
        "title": "Valoriser les résidus miniers amiantés",
        "issuers": ["Ville de Thetford Mines"],
        "author": "secretariat",
        "state": "closed",
        "opens": -90,
        "closes": -3,
        "sectors": ["environnement", "industrie"],
        "summary": "Des millions de tonnes de résidus : une ressource sûre plutôt qu'un passif.",
        "problem": "<p>Les haldes de résidus miniers amiantés entourent la ville. Nous cherchons "
        "des procédés sûrs pour les stabiliser ou en extraire des matériaux utiles (magnésium, "
        "silice), sans exposer la population aux fibres.</p>",
        "context": "<p>Diversification post-minière ; centres de recherche présents sur place "
        "(chimie verte, matériaux).</p>",
        "constraints": "<p>Respect strict des règles de santé et sécurité au travail.</p>",
        "budget": (100_000, 400_000),
        "currency": "CAD",
        "months": 18,
        "answers": [
            (
                "Minéraux circulaires Appalaches",
                "Extraction du magnésium des résidus par "
                "procédé hydrométallurgique en circuit fermé.",
                250_000,
                380_000,
            ),
            (
                "Aluminium vert Saint-Maurice",
                "Intégration de la silice des résidus dans des alliages recyclés.",
                150_000,
                220_000,
            ),
        ],
    },
    {
        "title": "Recharger les flottes municipales électriques",
        "issuers": ["Ville de Drummondville"],
        "author": "secretariat",
        "state": "closed",
        "opens": -60,
        "closes": -1,
        "sectors": ["mobilite", "energie"],
        "summary": "Électrifier 120 véhicules municipaux sans renforcer le réseau.",
        "problem": "<p>La ville électrifie sa flotte ; recharger tous les véhicules la nuit au "
        "même garage dépasse la puissance disponible.</p>",
        "budget": (50_000, 150_000),
        "currency": "CAD",
        "months": 8,
        "answers": [
            (
                "Mobilité électrique Drummond",
                "Bornes pilotées qui étalent la recharge selon les tournées du lendemain.",
                80_000,
                140_000,
            ),
        ],
    },
    {
        "title": "Compter et orienter les visiteurs des sentiers urbains",
        "issuers": ["Ville de Shawinigan"],
        "author": "secretariat",
        "state": "awarded",
        "opens": -150,
        "closes": -110,
        "sectors": ["tourisme", "sport"],
        "summary": "Connaître la fréquentation des sentiers pour les entretenir au bon endroit.",
        "problem": "<p>Les sentiers le long de la rivière Saint-Maurice sont très fréquentés "
        "l'été, mais l'entretien est réparti sans données.</p>",
        "budget": (20_000, 50_000),
        "currency": "CAD",
        "months": 6,
        "answers": [
            (
                "Pyrène Outdoor Lab",
                "Nos capteurs de sentiers, déjà utilisés dans les "
                "Pyrénées, installés avec un partenaire local.",
                30_000,
                42_000,
            ),
            (
                "Hydro-Calcul Mauricie",
                "Comptage par caméras avec traitement local et suppression immédiate des images.",
                25_000,
                35_000,
            ),
        ],
        "winner": 1,
        "reason": "Partenaire local, maintenance assurée sur place.",
    },
    {
        "title": "Redonner vie aux commerces vacants du centre-ville",
        "issuers": ["Ville de Nevers"],
        "author": "secretariat",
        "state": "not_awarded",
        "opens": -140,
        "closes": -100,
        "sectors": ["numerique", "culture"],
        "summary": "Occuper les vitrines vides par des projets temporaires.",
        "problem": "<p>Une trentaine de cellules commerciales sont vides dans le centre. "
        "Comment les ouvrir rapidement à des projets temporaires ?</p>",
        "budget": (10_000, 25_000),
        "months": 6,
        "answers": [
            (
                "Faïencerie numérique de Nevers",
                "Boutiques éphémères d'artisans d'art avec réservation en ligne.",
                15_000,
                20_000,
            ),
        ],
        "decision_note": "Aucune proposition ne couvrait la gestion des baux : appel à relancer.",
    },
    {
        "title": "Détecter les fuites du réseau d'eau potable",
        "issuers": ["Ville de Castelnau-le-Lez"],
        "author": "secretariat",
        "state": "open",
        "opens": 5,
        "closes": 50,
        "sectors": ["environnement", "numerique"],
        "summary": "Réduire les pertes d'eau d'un réseau ancien, en période de sécheresse.",
        "problem": "<p>Près d'un litre sur cinq se perd dans le réseau. Les recherches de fuites "
        "se font après les plaintes, trop tard.</p>",
        "budget": (30_000, 90_000),
        "months": 12,
    },
    {
        "title": "Connaître la fréquentation des sentiers de plein air",
        "issuers": ["Ville de Thetford Mines"],
        "author": "secretariat",
        "state": "open",
        "opens": -3,
        "closes": 40,
        "sectors": ["sport", "tourisme"],
        "summary": (
            "Savoir combien de randonneurs et de cyclistes empruntent les sentiers, et quand."
        ),
        "problem": "<p>Les sentiers de plein air autour des anciennes mines attirent des "
        "randonneurs, des cyclistes et des groupes guidés, mais la ville ne sait ni combien ils "
        "sont ni à quelles heures : l'entretien, le stationnement et la sécurité des sites de "
        "pleine nature sont planifiés sans chiffres.</p>",
        "context": "<p>Une trentaine de kilomètres de sentiers, trois stationnements, une "
        "fréquentation estimée à 40 000 passages par an, sans aucun comptage.</p>",
        "budget": (15_000, 40_000),
        "currency": "CAD",
        "months": 9,
    },
    {
        "title": "Accueillir les participants d'un sommet sans voiture",
        "issuers": ["Ville de Dunkerque"],
        "author": "secretariat",
        "state": "archived",
        "opens": -400,
        "closes": -360,
        "sectors": ["mobilite", "tourisme"],
        "summary": "Navettes et vélos pour les participants d'un grand événement.",
        "problem": "<p>Pendant un sommet, des centaines de participants circulent entre la gare, "
        "les hôtels et le lieu de l'événement.</p>",
        "budget": (5_000, 20_000),
        "months": 1,
        "answers": [
            (
                "Loire Mobilités Douces",
                "Flotte de vélos cargo et navettes à la demande.",
                8_000,
                15_000,
            ),
        ],
        "winner": 0,
        "reason": "Offre complète et sobre.",
    },
    {
        "title": "Réutiliser la chaleur des centres de calcul",
        "issuers": ["Ville de Shawinigan"],
        "author": "secretariat",
        "state": "open",
        "opens": -5,
        "closes": 40,
        "sectors": ["energie", "numerique"],
        "summary": "Chauffer des serres et des bâtiments avec la chaleur perdue du calcul.",
        "problem": "<p>Les centres de calcul de la ville rejettent de la chaleur toute l'année "
        "alors que des bâtiments voisins se chauffent au gaz.</p>",
        "budget": (40_000, 120_000),
        "currency": "CAD",
        "months": 12,
        "answers": [
            (
                "Serres boréales Thetford",
                "Serres chauffées par récupération de chaleur, "
                "modèle déjà en service à Thetford Mines.",
                60_000,
                100_000,
            ),
        ],
    },
    {
        "title": "Réserver les équipements partagés du tiers-lieu",
        "issuers": ["Ville de Lourdes"],
        "author": "city_editor",
        "state": "draft",
        "opens": 20,
        "closes": 60,
        "sectors": ["numerique", "artisanat"],
        "summary": "Brouillon : les machines du tiers-lieu sont réservées par téléphone.",
        "problem": "<p>Les machines de l'atelier (métier à tisser, découpe laser) sont "
        "réservées par téléphone et souvent inutilisées.</p>",
        "budget": (3_000, 10_000),
        "months": 3,
    },
    {
        "title": "Accueillir les familles nouvellement installées",
        "issuers": ["Ville de Thetford Mines"],
        "author": "secretariat",
        "state": "submitted",
        "opens": 10,
        "closes": 55,
        "sectors": ["numerique", "education"],
        "summary": "Un guichet unique pour les familles qui s'installent (soumis au secrétariat).",
        "problem": "<p>Les familles qui arrivent pour travailler dans la région cherchent "
        "garderie, école et logement sur dix sites différents.</p>",
        "budget": (15_000, 40_000),
        "currency": "CAD",
        "months": 6,
    },
]

# --- Offers --------------------------------------------------------------------------------------
# `references`: (organisation name or territory key, what was deployed, confirmed by the city).

OFFERS: list[dict[str, Any]] = [
    {
        "organisation": "Pyrène Outdoor Lab",
        "title": "Compteurs de fréquentation pour sentiers et sites naturels",
        "summary": "Capteurs autonomes, comptage anonyme, tableau de bord ouvert.",
        "description": "<p>Capteurs solaires posés en une heure, sans caméra ni identifiant. "
        "Données agrégées par heure, exportables en données ouvertes.</p>",
        "sectors": ["tourisme", "sport", "numerique"],
        "target_kinds": ["collectivite", "tiers-lieu"],
        "price_model": "subscription",
        "references": [
            ("Ville de Lourdes", "Douze capteurs en ville et sur les sentiers", True),
            ("shawinigan", "Essai sur les sentiers de la rivière", False),
        ],
    },
    {
        "organisation": "Filature des Gaves",
        "title": "Laine des Pyrénées filée localement",
        "summary": "Fils, feutres et isolants en laine des estives, pour artisans et villes.",
        "description": "<p>Collecte auprès des éleveurs, lavage, cardage et filature à "
        "Lourdes.</p>",
        "sectors": ["laine-textile", "artisanat"],
        "target_kinds": ["collectivite", "pme", "association"],
        "price_model": "quote",
        "references": [("Ville de Lourdes", "Feutre acoustique de la médiathèque", False)],
    },
    {
        "organisation": "Santé Montagne Connectée",
        "title": "Télésuivi des patients en zone de montagne",
        "summary": "Suivi à distance des patients fragiles, en lien avec les soignants.",
        "sectors": ["sante", "numerique"],
        "target_kinds": ["collectivite"],
        "price_model": "subscription",
        "references": [("Ville de Lourdes", "Accueil des pèlerins malades", True)],
    },
    {
        "organisation": "Loire Mobilités Douces",
        "title": "Vélos cargo partagés pour les centres-villes",
        "summary": "Flotte, stations et maintenance de vélos cargo pour les villes moyennes.",
        "sectors": ["mobilite", "environnement"],
        "target_kinds": ["collectivite"],
        "price_model": "subscription",
        "references": [("Ville de Nevers", "Vingt vélos cargo en centre-ville", False)],
    },
    {
        "organisation": "Occitanie Smart Water",
        "title": "Détection acoustique des fuites d'eau",
        "summary": "Capteurs acoustiques sur le réseau, alertes avant la rupture.",
        "sectors": ["environnement", "numerique"],
        "target_kinds": ["collectivite"],
        "price_model": "licence",
        "references": [("castelnau", "Secteur pilote de 12 km de conduites", False)],
    },
    {
        "organisation": "Minéraux circulaires Appalaches",
        "title": "Caractérisation et valorisation des résidus miniers",
        "summary": "Analyse des haldes et procédés d'extraction du magnésium.",
        "sectors": ["industrie", "environnement"],
        "target_kinds": ["collectivite", "pme"],
        "price_model": "quote",
        "references": [("Ville de Thetford Mines", "Étude de deux haldes", False)],
    },
    {
        "organisation": "Mobilité électrique Drummond",
        "title": "Recharge pilotée des flottes municipales",
        "summary": "Bornes et logiciel qui étalent la recharge selon les tournées.",
        "sectors": ["mobilite", "energie"],
        "target_kinds": ["collectivite"],
        "price_model": "per_use",
        "references": [],
    },
    {
        "organisation": "Gave Tourisme Durable",
        "title": "Séjours bas carbone clés en main (brouillon)",
        "summary": "Offre en préparation.",
        "sectors": ["tourisme", "environnement"],
        "target_kinds": ["collectivite"],
        "price_model": "quote",
        "references": [],
        "draft": True,
    },
]

# Jury of the Lourdes challenges: demo accounts (loader keys).
JURY = ["city_editor", "city_admin", "expert"]
# Marks 0–5 per (juror, answer index) before a per-criterion adjustment: stable, distinct.
MARKS = {
    "city_editor": [5, 3, 2],
    "city_admin": [4, 3, 2],
    "expert": [5, 2, 3],
}
# Conflicts of interest declared (juror key, organisation name).
CONFLICTS = {("city_admin", "Gave Tourisme Durable"), ("city_admin", "Santé Montagne Connectée")}

ORDER = ["draft", "submitted", "open", "closed", "evaluation", "awarded", "not_awarded", "pilot",
         "pilot_report", "archived"]  # fmt: skip


def team_account(loader: Loader, organisation: Organisation) -> User:
    """The fictitious team account (no password) editing `organisation` (created if missing)."""
    from mediane.accounts.models import Membership, User
    from mediane.accounts.services import membership_add
    from mediane.core.services import audit_record

    email = f"equipe.{slugify(organisation.name)[:40].strip('-')}@example.org"
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email,
            password=None,
            full_name=f"Équipe {organisation.name} (démo)",
            email_verified=True,
        )
        audit_record(actor=None, action="demo.user_create", obj=user)
        loader.report.created["comptes"] += 1
    if not Membership.objects.filter(user=user, organisation=organisation).exists():
        membership_add(actor=loader.actor, organisation=organisation, user=user, role="editor")
        loader.report.created["appartenances"] += 1
    return user


class MarketLoader:
    """Loads CHALLENGES and OFFERS with the loader's organisations, cities and accounts."""

    def __init__(self, loader: Loader) -> None:
        self.loader = loader
        self.report = loader.report
        self.actor = loader.actor
        self.now = timezone.now()

    # --- accounts of the answering companies -----------------------------------------------------

    def editor_of(self, organisation: Organisation) -> User:
        """The demo account answering for `organisation`: the start-up account for Pyrène
        Outdoor Lab, else a fictitious team account (no password) made its editor."""
        from mediane.accounts.models import Membership

        startup = self.loader.users["startup_admin"]
        if Membership.objects.filter(user=startup, organisation=organisation).exists():
            return startup
        return team_account(self.loader, organisation)

    # --- challenges ------------------------------------------------------------------------------

    def _day(self, days: int, hour: int, zone: str) -> datetime:
        """`days` from today at `hour` o'clock in `zone` (aware)."""
        import zoneinfo

        local = self.now.astimezone(zoneinfo.ZoneInfo(zone)) + timedelta(days=days)
        return local.replace(hour=hour, minute=0, second=0, microsecond=0)

    def load(self) -> None:
        for spec in CHALLENGES:
            self.load_challenge(spec)
        for spec in OFFERS:
            self.load_offer(spec)

    def load_challenge(self, spec: dict[str, Any]) -> None:
        from mediane.market import services
        from mediane.market.inputs import AnswerInput, ChallengeInput
        from mediane.market.models import Challenge

        if Challenge.objects.filter(title=spec["title"], is_demo=True).exists():
            self.report.existing["défis"] += 1
            return
        organisations = self.loader.organisations
        lead, *co = (organisations[name] for name in spec["issuers"])
        author = self.loader.users[spec["author"]]
        zone = services.time_zone_of(lead)
        opens = self._day(spec["opens"], 9, zone)
        closes = self._day(spec["closes"], 17, zone)
        created = opens - timedelta(days=10)
        budget_min, budget_max = spec["budget"]
        challenge = services.challenge_create(
            actor=author,
            lead_issuer=lead,
            co_issuers=co,
            data=ChallengeInput(
                title=spec["title"],
                summary=spec["summary"],
                problem=spec["problem"],
                context=spec.get("context", ""),
                expected_outcomes=spec.get("expected", ""),
                constraints=spec.get("constraints", ""),
                budget_min=budget_min,
                budget_max=budget_max,
                currency=spec.get("currency", "EUR"),
                pilot_duration_months=spec["months"],
                opens_at=opens,
                closes_at=closes,
                sectors=spec["sectors"],
                territories=[lead.territory.slug] if lead.territory else [],
                contact_name="Service innovation (démo)",
                contact_email=f"innovation.{slugify(lead.name)}@example.org",
            ),
            is_demo=True,
            now=created,
        )
        self.report.created["défis"] += 1
        reached = ORDER.index(spec["state"])
        if reached < ORDER.index("submitted"):
            return
        services.challenge_submit(
            actor=author, challenge=challenge, now=created + timedelta(days=2)
        )
        if reached < ORDER.index("open"):
            return
        if spec["issuers"][0] == "Ville de Lourdes":
            self.seat_jury(challenge)
        services.challenge_publish(
            actor=self.actor, challenge=challenge, now=created + timedelta(days=5)
        )
        answers = []
        for index, (name, approach, price_min, price_max) in enumerate(spec.get("answers", [])):
            organisation = organisations[name]
            answers.append(
                services.answer_create(
                    actor=self.editor_of(organisation),
                    challenge=challenge,
                    organisation=organisation,
                    data=AnswerInput(
                        approach=f"<p>{approach}</p>",
                        references=f"<p>Références : voir la fiche de {organisation.name}.</p>",
                        team="<p>Une cheffe de projet, deux techniciens.</p>",
                        price_min=price_min,
                        price_max=price_max,
                        currency=spec.get("currency", "EUR"),
                    ),
                    now=opens + timedelta(days=2 + index, hours=3),
                )
            )
            self.report.created["réponses"] += 1
        if reached < ORDER.index("closed"):
            return
        services.challenge_close(
            actor=author, challenge=challenge, now=closes + timedelta(minutes=5)
        )
        if reached < ORDER.index("evaluation"):
            return

        def at(days: int) -> Any:  # a step `days` after the closing, never in the future
            return min(self.now, closes + timedelta(days=days, hours=2))

        services.challenge_start_evaluation(actor=author, challenge=challenge, now=at(1))
        self.evaluate(challenge, answers, complete=reached > ORDER.index("evaluation"))
        if reached == ORDER.index("evaluation"):
            return
        self.decide(challenge, answers, spec, jury_at=at(12), decided_at=at(14))
        if spec["state"] == "archived":
            services.challenge_archive(actor=self.actor, challenge=challenge, now=at(60))
            return
        if reached < ORDER.index("pilot"):
            return
        from mediane.market.inputs import PilotReportInput

        services.challenge_start_pilot(
            actor=author, challenge=challenge, note="Expérimentation lancée (démo).", now=at(30)
        )
        report = spec["report"]
        services.pilot_report_submit(
            actor=author,
            challenge=challenge,
            data=PilotReportInput(
                outcome=report["outcome"],
                contract_signed=report["contract_signed"],
                amount=report["amount"],
                currency=spec.get("currency", "EUR"),
                lessons=report["lessons"],
            ),
            now=at(150),
        )

    def seat_jury(self, challenge: Challenge) -> None:
        from mediane.market import services

        for key in JURY:
            services.jury_add(
                actor=self.loader.users["city_editor"],
                challenge=challenge,
                user=self.loader.users[key],
            )

    def evaluate(self, challenge: Challenge, answers: list[Any], *, complete: bool) -> None:
        """Declarations and marks of the Lourdes jury. An evaluation still running keeps the
        city editor's work undone (the demo account has something to do)."""
        from mediane.market import services
        from mediane.market.models import JuryMember

        jurors = [j.user for j in JuryMember.objects.filter(challenge=challenge).order_by("pk")]
        users = {key: self.loader.users[key] for key in JURY}
        criteria = list(challenge.criteria.order_by("position", "pk"))  # type: ignore[attr-defined]
        for key, user in users.items():
            if user not in jurors or (not complete and key == "city_editor"):
                continue
            for index, answer in enumerate(answers):
                conflict = (key, answer.organisation.name) in CONFLICTS
                services.conflict_declare(
                    actor=user,
                    challenge=challenge,
                    organisation=answer.organisation,
                    has_conflict=conflict,
                    note="Ancien employeur (démo)." if conflict else "",
                )
                if conflict:
                    continue
                base = MARKS[key][index % len(MARKS[key])]
                for position, criterion in enumerate(criteria):
                    services.score_set(
                        actor=user,
                        answer=answer,
                        criterion=criterion,
                        value=max(0, min(5, base - (position % 3 == 2))),
                        comment="Appréciation du jury (démo)." if position == 0 else "",
                    )

    def decide(
        self,
        challenge: Challenge,
        answers: list[Any],
        spec: dict[str, Any],
        *,
        jury_at: Any = None,
        decided_at: Any = None,
    ) -> None:
        from mediane.market import services
        from mediane.market.models import JuryMember

        actor = self.actor
        if JuryMember.objects.filter(challenge=challenge).exists():
            actor = self.loader.users["city_editor"]
            for answer in answers[:2]:
                services.answer_shortlist(actor=actor, answer=answer)
        services.jury_close(actor=actor, challenge=challenge, now=jury_at)
        winner = spec.get("winner")
        awarded = {answers[winner].pk: spec["reason"]} if winner is not None else {}
        services.challenge_decide(
            actor=actor,
            challenge=challenge,
            awarded=awarded,
            note=spec.get("decision_note", ""),
            now=decided_at,
        )

    # --- offers ----------------------------------------------------------------------------------

    def load_offer(self, spec: dict[str, Any]) -> None:
        from mediane.market import services
        from mediane.market.inputs import OfferInput
        from mediane.market.models import Offer

        organisation = self.loader.organisations[spec["organisation"]]
        if Offer.objects.filter(title=spec["title"], organisation=organisation).exists():
            self.report.existing["offres"] += 1
            return
        editor = self.editor_of(organisation)
        offer = services.offer_create(
            actor=editor,
            organisation=organisation,
            data=OfferInput(
                title=spec["title"],
                summary=spec["summary"],
                description=spec.get("description", ""),
                sectors=spec["sectors"],
                target_kinds=spec["target_kinds"],
                price_model=spec["price_model"],
            ),
            publish=not spec.get("draft", False),
            is_demo=True,
        )
        self.report.created["offres"] += 1
        for target, description, confirmed in spec["references"]:
            if target in self.loader.cities:
                reference = services.offer_reference_add(
                    actor=editor,
                    offer=offer,
                    territory=self.loader.cities[target],
                    description=description,
                )
            else:
                reference = services.offer_reference_add(
                    actor=editor,
                    offer=offer,
                    organisation=self.loader.organisations[target],
                    description=description,
                )
            if confirmed:
                services.offer_reference_confirm(
                    actor=self.loader.users["city_editor"], reference=reference
                )


def load_market(loader: Loader) -> None:
    """Load the market part of the demo (after accounts, organisations and experts)."""
    MarketLoader(loader).load()
