"""The cooperation part of the demo network, created through the real services.

A project pooled between Lourdes (lead), Nevers and Shawinigan, under way, with its phases and
milestones, a budget shared in EUR and CAD (with the rate used), decisions, threads and tasks; a
project of Shawinigan being set up, close to the trail-counting challenges of Thetford Mines and
Shawinigan (so the network page of similar needs has a group); a draft of Nevers; and pooling
proposals, one waiting for Lourdes' answer. Idempotent: a project is found by its title.
Dates are relative to the loading day.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from mediane.demo.market_data import team_account

LEAD_PROJECT = "Navettes électriques mutualisées entre gares et centres-villes"
TRAILS_PROJECT = "Compter les visiteurs des sentiers de plein air, été comme hiver"
DRAFT_PROJECT = "Rénovation énergétique des écoles primaires"


def _pdf(title: str, lines: list[str]) -> bytes:
    """A one-page PDF (Helvetica, Latin-1 text) with a correct cross-reference table."""

    def esc(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    body = ["BT /F1 16 Tf 72 760 Td (" + esc(title) + ") Tj ET"]
    for index, line in enumerate(lines):
        body.append(f"BT /F1 11 Tf 72 {730 - 16 * index} Td (" + esc(line) + ") Tj ET")
    stream = "\n".join(body).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _sectors(*slugs: str) -> list[Any]:
    from mediane.directory.models import Sector

    return list(Sector.objects.filter(slug__in=slugs))


def _exists(loader: Any, title: str) -> bool:
    from mediane.cooperation.models import Project

    if Project.objects.filter(title=title, is_demo=True).exists():
        loader.report.existing["projets"] += 1
        return True
    return False


def _pooled_project(loader: Any, today: date) -> None:
    from mediane.cooperation import services
    from mediane.cooperation.services import ShareInput

    if _exists(loader, LEAD_PROJECT):
        return
    orgs = loader.organisations
    lourdes, nevers, shawinigan = (
        orgs["Ville de Lourdes"],
        orgs["Ville de Nevers"],
        orgs["Ville de Shawinigan"],
    )
    editor = loader.users["city_editor"]
    member = loader.users["city_member"]
    nevers_team, shawinigan_team = team_account(loader, nevers), team_account(loader, shawinigan)
    project = services.project_create(
        actor=editor,
        lead=lourdes,
        title=LEAD_PROJECT,
        summary="Trois villes médianes achètent et expérimentent ensemble des navettes "
        "électriques entre leur gare et leur centre-ville.",
        goals="Relier la gare au centre-ville toutes les 15 minutes, sans voiture.\n"
        "Acheter ensemble pour payer moins cher et partager les retours d'expérience.\n"
        "Tester les navettes par grand froid (Shawinigan) comme en montagne (Lourdes).",
        description="Lourdes, Nevers et Shawinigan ont le même besoin : des visiteurs qui "
        "arrivent en train et un centre-ville mal desservi. Plutôt que trois appels d'offres, "
        "elles montent un projet commun : une étude partagée, un groupement de commandes côté "
        "français, une expérimentation de dix-huit mois et une évaluation commune.",
        sectors=_sectors("mobilite", "energie", "tourisme"),
        territories=[t for t in (lourdes.territory, nevers.territory, shawinigan.territory) if t],
        is_demo=True,
    )
    for organisation in (nevers, shawinigan):
        services.partner_add(actor=editor, project=project, organisation=organisation)
    phases = [
        ("Étude des besoins et des itinéraires", -120, -30, [
            ("Comptages en gare terminés", -90, True),
            ("Itinéraires validés par les trois villes", -35, True),
        ]),
        ("Achat groupé et expérimentation", -29, 480, [
            ("Groupement de commandes signé", -10, True),
            ("Premières navettes en service à Lourdes", 45, False),
            ("Essais hivernaux à Shawinigan", 100, False),
        ]),
        ("Évaluation et généralisation", 481, 600, [
            ("Rapport d'évaluation commun", 560, False),
        ]),
    ]  # fmt: skip
    for title, start, end, milestones in phases:
        phase = services.phase_add(
            actor=editor,
            project=project,
            title=title,
            starts_on=today + timedelta(days=start),
            ends_on=today + timedelta(days=end),
        )
        for label, due, done in milestones:
            milestone = services.milestone_add(
                actor=editor, phase=phase, title=label, due_on=today + timedelta(days=due)
            )
            if done:
                services.milestone_set_done(actor=editor, milestone=milestone)
    # 100 000 + 80 000 EUR, and 87 000 CAD at 0.68 = 59 160 EUR: 239 160 EUR in all.
    services.budget_set(
        actor=editor,
        project=project,
        total="239160",
        currency="EUR",
        shares=[
            ShareInput(lourdes, "100000", "EUR", note="Budget mobilité 2026"),
            ShareInput(nevers, "80000", "EUR", note="Dont 30 000 EUR de subvention régionale"),
            ShareInput(
                shawinigan,
                "87000",
                "CAD",
                rate="0.68",
                rate_date=today - timedelta(days=40),
                note="Taux de la Banque du Canada du jour de la convention",
            ),
        ],
    )
    services.project_set_status(actor=editor, project=project, to="setup")
    services.project_set_status(actor=editor, project=project, to="active")
    decisions = [
        (-60, "Retenir trois itinéraires pilotes, un par ville.", "Comité de pilotage",
         "Après les comptages en gare de l'automne."),
        (-20, "Lourdes porte le groupement de commandes pour Lourdes et Nevers ; Shawinigan "
         "achète selon les règles québécoises.", "Comité de pilotage",
         "Un groupement franco-québécois n'est pas possible en droit des marchés publics."),
        (-5, "Convertir la part de Shawinigan au taux de 0,68 EUR pour 1 CAD, date de la "
         "convention.", "Directions financières des trois villes", ""),
    ]  # fmt: skip
    for days, text, made_by, context in decisions:
        services.decision_record(
            actor=editor,
            project=project,
            decided_on=today + timedelta(days=days),
            decision=text,
            made_by=made_by,
            context=context,
        )
    thread = services.thread_create(
        actor=editor,
        project=project,
        title="Calendrier des essais hivernaux",
        body="Bonjour à toutes et à tous, pouvons-nous caler les essais par grand froid à "
        "Shawinigan avant l'achat définitif ?",
    )
    services.message_post(
        actor=shawinigan_team,
        thread=thread,
        body="Oui : janvier et février sont les meilleurs mois. Nous proposons deux semaines "
        "d'essais en janvier, heure de l'Est.",
    )
    services.message_post(
        actor=nevers_team, thread=thread, body="Nevers enverra son responsable du parc."
    )
    thread = services.thread_create(
        actor=nevers_team,
        project=project,
        title="Cahier des charges commun",
        body="Voici nos remarques sur la version 2 du cahier des charges (autonomie, recharge "
        "en gare, accessibilité).",
    )
    services.message_post(actor=member, thread=thread, body="Merci, je les intègre d'ici vendredi.")
    from django.core.files.base import ContentFile

    services.document_upload(
        actor=editor,
        project=project,
        title="Convention de partenariat (version signée)",
        file=ContentFile(
            _pdf(
                "Convention de partenariat (démo)",
                [
                    "Navettes électriques mutualisées entre gares et centres-villes",
                    "Partenaires : Ville de Lourdes (chef de file), Ville de Nevers,",
                    "Ville de Shawinigan. Document fictif de démonstration.",
                ],
            ),
            name="convention-navettes.pdf",
        ),
    )
    tasks = [
        ("Rédiger la convention de partenariat", editor, 15, True),
        ("Consolider les comptages en gare", member, -40, True),
        ("Préparer les essais hivernaux", shawinigan_team, 60, False),
        ("Choisir l'emplacement des bornes en gare", nevers_team, 30, False),
    ]
    for title, owner, due, done in tasks:
        task = services.task_create(
            actor=editor,
            project=project,
            title=title,
            owner=owner,
            due_on=today + timedelta(days=due),
        )
        if done:
            services.task_set_done(actor=editor, task=task)
    loader.report.created["projets"] += 1


def _trails_project(loader: Any) -> None:
    from mediane.cooperation import services

    if _exists(loader, TRAILS_PROJECT):
        return
    shawinigan = loader.organisations["Ville de Shawinigan"]
    project = services.project_create(
        actor=team_account(loader, shawinigan),
        lead=shawinigan,
        title=TRAILS_PROJECT,
        summary="Compter la fréquentation des sentiers de plein air toute l'année, sans donnée "
        "personnelle, pour entretenir et promouvoir les bons sentiers.",
        goals="Savoir combien de visiteurs empruntent chaque sentier, été comme hiver.",
        description="Shawinigan cherche des villes partenaires pour partager des compteurs "
        "autonomes et un tableau de bord commun de la fréquentation des sentiers.",
        sectors=_sectors("sport", "tourisme"),
        territories=[shawinigan.territory] if shawinigan.territory else [],
        is_demo=True,
    )
    services.project_set_status(actor=team_account(loader, shawinigan), project=project, to="setup")
    loader.report.created["projets"] += 1


def _draft_project(loader: Any) -> None:
    from mediane.cooperation import services

    if _exists(loader, DRAFT_PROJECT):
        return
    nevers = loader.organisations["Ville de Nevers"]
    services.project_create(
        actor=team_account(loader, nevers),
        lead=nevers,
        title=DRAFT_PROJECT,
        summary="Brouillon : réduire la consommation d'énergie des écoles primaires.",
        sectors=_sectors("energie", "batiment", "education"),
        is_demo=True,
    )
    loader.report.created["projets"] += 1


def _proposals(loader: Any) -> None:
    from mediane.cooperation import services
    from mediane.cooperation.models import PoolingProposal, Project
    from mediane.market.models import Challenge

    if PoolingProposal.objects.filter(target_project__is_demo=True).exists():
        loader.report.existing["propositions de mutualisation"] += 1
        return
    orgs = loader.organisations
    thetford = orgs["Ville de Thetford Mines"]
    pooled = Project.objects.get(title=LEAD_PROJECT, is_demo=True)
    trails = Project.objects.get(title=TRAILS_PROJECT, is_demo=True)
    services.pooling_propose(
        actor=team_account(loader, thetford),
        from_organisation=thetford,
        target=pooled,
        message="Thetford Mines étudie aussi une navette électrique vers son centre : pouvons-"
        "nous rejoindre l'expérimentation hivernale ?",
    )
    challenge = Challenge.objects.filter(
        title="Connaître la fréquentation des sentiers de plein air", is_demo=True
    ).first()
    if challenge is not None:
        services.pooling_propose(
            actor=team_account(loader, orgs["Ville de Shawinigan"]),
            from_organisation=orgs["Ville de Shawinigan"],
            target=challenge,
            source_project=trails,
            message="Nous montons un projet de comptage des sentiers : mutualisons les "
            "compteurs et le tableau de bord.",
        )
    loader.report.created["propositions de mutualisation"] += 1


def load_cooperation(loader: Any) -> None:
    """Loads the cooperation demo data through the cooperation services."""
    today = timezone.localdate()
    _pooled_project(loader, today)
    _trails_project(loader)
    _draft_project(loader)
    _proposals(loader)
