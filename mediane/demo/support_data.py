"""The support part of the demo network, created through the real services.

Requests of the Ville de Lourdes and of Pyrène Outdoor Lab in every state: just routed (waiting
for the demo expert's answer), routed and untaken for two weeks, new with no matching expert
(both on the secretariat's follow-up page), taken with recent news, taken and silent for weeks,
closed with the requester's satisfaction, and closed without follow-up. Dates are relative to the
moment of loading (services' `now=`), so the follow-up page always shows the overdue ones. The
expert who answers is the demo expert account (Claire Fontaine, expert@example.org).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from mediane.directory.models import Skill
from mediane.support import services
from mediane.support.models import SupportRequest

REQUESTS: list[dict[str, Any]] = [
    {
        "subject": "Gouvernance de la donnée pour la régie de l'eau",
        "description": (
            "La régie municipale de l'eau produit des relevés de consommation et de qualité. "
            "Nous voulons définir qui décide de leur publication, avec quelles règles de "
            "confidentialité, avant d'ouvrir un premier jeu de données."
        ),
        "by": "city_editor",
        "organisation": "Ville de Lourdes",
        "skills": ["Gouvernance de la donnée"],
        "days_ago": 2,
        "steps": [],
    },
    {
        "subject": "Tableau de bord de la fréquentation touristique",
        "description": (
            "Nous cherchons un accompagnement pour construire un tableau de bord public de la "
            "fréquentation touristique à partir des comptages des parkings et des sanctuaires."
        ),
        "by": "city_member",
        "organisation": "Ville de Lourdes",
        "skills": ["Visualisation de données", "Données ouvertes"],
        "urgency": "high",
        "days_ago": 13,
        "steps": [],
    },
    {
        "subject": "Designer textile anglophone pour une collection export",
        "description": (
            "Pour notre gamme de vêtements outdoor en laine des Pyrénées, nous cherchons un "
            "designer textile qui travaille en anglais avec nos distributeurs au Canada."
        ),
        "by": "startup_admin",
        "organisation": "Pyrène Outdoor Lab",
        "skills": ["Design textile"],
        "language": "en",
        "days_ago": 15,
        "steps": [],
    },
    {
        "subject": "Ouvrir les données du stationnement",
        "description": (
            "Nous voulons publier en temps réel l'occupation des parkings de la ville, au "
            "format attendu par les calculateurs d'itinéraires, et savoir quoi publier d'abord."
        ),
        "by": "city_editor",
        "organisation": "Ville de Lourdes",
        "skills": ["Données ouvertes"],
        "days_ago": 12,
        "steps": [
            ("take", 11, ""),
            ("expert", 10, "Bonjour, je propose un premier appel mardi pour faire le point."),
            ("requester", 9, "Parfait, nous serons trois : la DSI, la police municipale et moi."),
            ("expert", 3, "Voici le plan de publication en trois étapes discuté lors de l'appel."),
        ],
    },
    {
        "subject": "Schéma directeur de la donnée",
        "description": (
            "Nous voulons un schéma directeur de la donnée sur cinq ans : inventaire, priorités, "
            "organisation interne et mutualisation avec l'agglomération."
        ),
        "by": "city_admin",
        "organisation": "Ville de Lourdes",
        "skills": ["Gouvernance de la donnée", "Territoire intelligent"],
        "days_ago": 45,
        "steps": [
            ("take", 43, ""),
            (
                "expert",
                30,
                "L'inventaire est terminé ; j'attends vos arbitrages sur les priorités.",
            ),
        ],
    },
    {
        "subject": "Publier le budget en données ouvertes",
        "description": (
            "Nous souhaitons publier le budget primitif et le compte administratif au format "
            "du SCDL, avec une visualisation simple pour les habitants."
        ),
        "by": "city_editor",
        "organisation": "Ville de Lourdes",
        "skills": ["Données ouvertes"],
        "days_ago": 100,
        "steps": [
            ("take", 98, ""),
            ("expert", 90, "Le fichier du budget primitif est conforme au schéma, bravo."),
            (
                "close",
                60,
                "Budget primitif et compte administratif publiés sur data.gouv.fr, avec une page "
                "de visualisation sur le site de la ville.",
            ),
        ],
        "satisfaction": 5,
        "comment": "Accompagnement très concret, nous recommandons.",
    },
    {
        "subject": "Cartographier les sentiers de randonnée",
        "description": (
            "Nous voulions cartographier les sentiers autour de Lourdes pour notre application "
            "et les publier en données ouvertes."
        ),
        "by": "startup_admin",
        "organisation": "Pyrène Outdoor Lab",
        "skills": ["Données ouvertes"],
        "days_ago": 30,
        "steps": [("cancel", 25, "Le département publie déjà ces données : besoin réglé.")],
    },
]


def load_support(loader: Any) -> None:
    """Support requests in each state, filed, answered and closed through the services."""
    now = timezone.now()
    expert_user = loader.users.get("expert")
    for spec in REQUESTS:
        if SupportRequest.objects.filter(subject=spec["subject"], is_demo=True).exists():
            loader.report.existing["accompagnement"] += 1
            continue
        requester = loader.users[spec["by"]]
        organisation = loader.organisations[spec["organisation"]]
        skills = list(Skill.objects.filter(name__in=spec["skills"]).values_list("pk", flat=True))
        request = services.support_request_file(
            actor=requester,
            organisation=organisation,
            data=services.SupportRequestInput(
                subject=spec["subject"],
                description=spec["description"],
                territory_id=loader.cities["lourdes"].pk,
                language=spec.get("language", "fr"),
                urgency=spec.get("urgency", "normal"),
                skill_ids=skills,
            ),
            now=now - timedelta(days=spec["days_ago"]),
            is_demo=True,
        )
        for step, days_ago, text in spec["steps"]:
            at = now - timedelta(days=days_ago)
            if step == "take":
                services.support_offer_take(actor=expert_user, request=request, now=at)
            elif step == "expert":
                services.support_message_post(actor=expert_user, request=request, body=text, now=at)
            elif step == "requester":
                services.support_message_post(actor=requester, request=request, body=text, now=at)
            elif step == "close":
                services.support_request_close(
                    actor=requester,
                    request=request,
                    outcome=text,
                    satisfaction=spec["satisfaction"],
                    comment=spec.get("comment", ""),
                    now=at,
                )
            elif step == "cancel":
                services.support_request_cancel(
                    actor=requester, request=request, reason=text, now=at
                )
        loader.report.created["accompagnement"] += 1
