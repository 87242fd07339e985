"""The incubation part of the demo network, created through the real services.

- Nevers' Inkub and Shawinigan's incubator (Ruche Mauricie Innovation, fictitious) sign a
  twinning agreement; Shawinigan's start-up Hydro-Calcul Mauricie is in the middle of a
  soft-landing stay at Inkub (journal and first outcomes), and another stay is scheduled.
- The tiers-lieu and incubator of Lourdes is twinned with the same Québec incubator; the
  start-up Pyrène Outdoor Lab (startup@example.org) has a pending request to be hosted in
  Shawinigan, which the host's account (incubateur.shawinigan@example.org) can accept.
- Two accounts for the incubators, one for the Québec start-up; capacities for both hosts.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from mediane.accounts.models import Membership, User
from mediane.core.services import audit_record
from mediane.demo import data
from mediane.incubation import services
from mediane.incubation.models import TwinningAgreement

INKUB = "Inkub"
RUCHE = "Ruche Mauricie Innovation (démo)"
LOURDES = "Tiers-lieu et incubateur de Lourdes"
HYDRO = "Hydro-Calcul Mauricie"
PYRENE = "Pyrène Outdoor Lab"

ACCOUNTS: list[dict[str, Any]] = [
    {
        "email": "inkub@example.org",
        "full_name": "Inès Loire (démo)",
        "role": "Administratrice de l'incubateur Inkub (Nevers)",
        "organisation": (INKUB, "admin"),
    },
    {
        "email": "incubateur.shawinigan@example.org",
        "full_name": "Jacob Saint-Maurice (démo)",
        "role": "Administrateur de l'incubateur de Shawinigan (Ruche Mauricie Innovation)",
        "organisation": (RUCHE, "admin"),
    },
    {
        "email": "tiers-lieu.lourdes@example.org",
        "full_name": "Maëlle Adour (démo)",
        "role": "Administratrice du tiers-lieu et incubateur de Lourdes (ressources, accueil)",
        "organisation": (LOURDES, "admin"),
    },
    {
        "email": "hydro-calcul@example.org",
        "full_name": "Léa Mauricie (démo)",
        "role": "Éditrice de la start-up Hydro-Calcul Mauricie (Shawinigan)",
        "organisation": (HYDRO, "editor"),
    },
]

INKUB_TITLE = "Jumelage Inkub – incubateur de Shawinigan"
LOURDES_TITLE = "Jumelage Lourdes – Shawinigan : outdoor et tourisme"


def _accounts(loader: Any) -> dict[str, User]:
    from mediane.accounts.services import membership_add

    users: dict[str, User] = {}
    hashed = ""
    for spec in ACCOUNTS:
        user = User.objects.filter(email__iexact=spec["email"]).first()
        if user is None:
            hashed = hashed or make_password(data.DEMO_PASSWORD)
            user = User.objects.create_user(
                email=spec["email"], password=None, full_name=spec["full_name"], email_verified=True
            )
            user.password = hashed
            user.save(update_fields=["password"])
            audit_record(actor=None, action="demo.user_create", obj=user)
            loader.report.created["comptes"] += 1
        else:
            loader.report.existing["comptes"] += 1
        name, role = spec["organisation"]
        organisation = loader.organisations[name]
        if not Membership.objects.filter(user=user, organisation=organisation).exists():
            membership_add(actor=loader.actor, organisation=organisation, user=user, role=role)
            loader.report.created["appartenances"] += 1
        users[spec["email"]] = user
        loader.report.accounts.append(
            {"email": spec["email"], "role": spec["role"], "password": data.DEMO_PASSWORD}
        )
    return users


def load_incubation(loader: Any) -> None:
    """Loads the incubation demo data (once: an existing Inkub agreement means it is there)."""
    users = _accounts(loader)
    if TwinningAgreement.objects.filter(title=INKUB_TITLE).exists():
        loader.report.existing["accords de jumelage"] += 2
        return
    today = timezone.localdate()
    secretariat = loader.actor
    inkub, ruche = loader.organisations[INKUB], loader.organisations[RUCHE]
    lourdes = loader.organisations[LOURDES]
    hydro, pyrene = loader.organisations[HYDRO], loader.organisations[PYRENE]
    inkub_admin = users["inkub@example.org"]
    ruche_admin = users["incubateur.shawinigan@example.org"]
    hydro_editor = users["hydro-calcul@example.org"]
    pyrene_admin = loader.users["startup_admin"]

    # Inkub proposes, Shawinigan's incubator signs (the real two-step path).
    inkub_deal = services.twinning_create(
        actor=inkub_admin,
        first=inkub,
        second=ruche,
        title=INKUB_TITLE,
        start=today - timedelta(days=240),
        scope=(
            "Accueil croisé de start-up du numérique et de l'industrie, mentorat par les "
            "chargés d'affaires de chaque incubateur, mises en relation avec les donneurs "
            "d'ordre locaux (données fictives de démonstration)."
        ),
        programme=(
            "Janvier : appel à candidatures commun aux deux incubateurs\n"
            "Printemps : mission de trois start-up nivernaises en Mauricie\n"
            "Automne : accueil de start-up québécoises à Nevers pendant les Rencontres "
            "de l'innovation\n"
            "Décembre : bilan partagé (contacts, contrats, emplois)"
        ),
    )
    inkub_deal = services.agreement_sign(actor=ruche_admin, agreement=inkub_deal)
    services.agreement_update(
        actor=inkub_admin,
        agreement=inkub_deal,
        title=inkub_deal.title,
        start=inkub_deal.start,
        end=None,
        scope=inkub_deal.scope,
        programme=inkub_deal.programme,
        first_contact=inkub_admin,
        second_contact=ruche_admin,
    )
    lourdes_deal = services.twinning_create(
        actor=secretariat,
        first=lourdes,
        second=ruche,
        title=LOURDES_TITLE,
        start=today - timedelta(days=90),
        end=today + timedelta(days=640),
        scope="Start-up du sport de nature et du tourisme : tester le marché de l'autre rive.",
        programme=(
            "Accueil d'une start-up lourdaise à Shawinigan par trimestre\n"
            "Webinaire commun sur le tourisme quatre saisons"
        ),
        signed=True,
    )
    loader.report.created["accords de jumelage"] += 2

    for host, places in ((inkub, 2), (ruche, 1)):
        services.capacity_set(
            actor=inkub_admin if host == inkub else ruche_admin,
            host=host,
            start=today - timedelta(days=30),
            end=today + timedelta(days=365),
            places=places,
            note="Postes en open space, mentorat hebdomadaire",
        )

    # A stay in progress at Inkub: Hydro-Calcul Mauricie, from Shawinigan.
    stay = services.request_create(
        actor=hydro_editor,
        startup=hydro,
        agreement=inkub_deal,
        home=ruche,
        start=today,
        end=today + timedelta(days=20),
        needs=["desk", "mentoring", "introductions", "market"],
        needs_other="Rencontrer des industriels de la Nièvre intéressés par le calcul bas carbone.",
        message="Nous cherchons nos premiers clients européens pour notre offre de calcul.",
    )
    services.request_accept(
        actor=inkub_admin, request=stay, note="Bienvenue à Nevers : un poste vous attend."
    )
    services.stay_start(actor=inkub_admin, request=stay)
    services.stay_note_add(
        actor=inkub_admin,
        request=stay,
        body="Arrivée de l'équipe ; premier rendez-vous avec la Ville de Nevers planifié.",
    )
    services.stay_note_add(
        actor=ruche_admin,
        request=stay,
        body="Point d'étape à distance : deux pistes de clients industriels.",
    )
    services.stay_outcome_record(
        actor=inkub_admin,
        request=stay,
        contacts_made=9,
        contracts_signed=1,
        contracts_amount=Decimal("18000"),
        currency="EUR",
        jobs_created=0,
        notes="Contrat pilote avec un industriel nivernais (fictif).",
    )

    # A stay scheduled in a month, after the host proposed other dates.
    later = services.request_create(
        actor=hydro_editor,
        startup=hydro,
        agreement=inkub_deal,
        home=ruche,
        start=today + timedelta(days=30),
        end=today + timedelta(days=37),
        needs=["introductions"],
        message="Une seconde visite pour signer avec nos premiers clients.",
    )
    services.request_propose_dates(
        actor=inkub_admin,
        request=later,
        start=today + timedelta(days=35),
        end=today + timedelta(days=42),
        note="La semaine suivante, pendant les Rencontres de l'innovation.",
    )
    services.request_accept_dates(actor=hydro_editor, request=later)

    # The pending request the host's account can accept (browser journey).
    services.request_create(
        actor=pyrene_admin,
        startup=pyrene,
        agreement=lourdes_deal,
        home=lourdes,
        start=today + timedelta(days=14),
        end=today + timedelta(days=27),
        needs=["desk", "market", "introductions"],
        message=(
            "Pyrène Outdoor Lab conçoit des capteurs pour les sentiers de randonnée : nous "
            "voulons rencontrer les parcs de la Mauricie et tester notre offre au Québec."
        ),
    )
    loader.report.created["demandes d'accueil"] += 3
