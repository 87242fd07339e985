"""The plans part of the demo network, created through the real services.

Plan Avenir Lourdes with public facts only: 5 axes, horizon 2030, signed 17 February 2022; axis 3
"nouvelle impulsion économique" (13 actions in the real plan); action 72 creates a tiers-lieu and a
business incubator working on sustainable tourism and outdoor sports, "Made in Pyrénées" crafts
(wool among them) and health. The titles of the other axes are not in the demo's sources: they
are left for the city to fill in. The other actions of axis 3, the progress figures, budgets and
indicator values are invented for the demo and marked as examples (`is_example`).
"""

from __future__ import annotations

from typing import Any

from mediane.plans import services
from mediane.plans.models import Plan

CITY = "Ville de Lourdes"
TITLE = "Plan Avenir Lourdes"

#: (number, title, status, priority, start, end, progress, budget planned, spent, questions)
EXAMPLE_ACTIONS = [
    (70, "Accompagner la numérisation des commerces et artisans", "in_progress", "normal",
     "2022-09-01", "2026-06-30", 40, "60000", "21000", "5.3"),
    (71, "Lancer un appel à solutions auprès des start-up du réseau", "done", "normal",
     "2023-01-15", "2023-10-27", 100, "15000", "14200", "5.5"),
    (73, "Structurer une filière laine « Made in Pyrénées »", "upcoming", "normal",
     "2025-01-01", "2027-12-31", 0, "80000", None, "5.6"),
    (74, "Développer l'offre de tourisme durable et de sports de nature", "paused", "low",
     "2023-03-01", "2028-12-31", 15, "120000", "9000", "5.6"),
]  # fmt: skip


def _user(loader: Any, key: str, email: str) -> Any:
    users = loader.users
    if key in users:
        return users[key]
    if email in users:
        return users[email]
    return next(u for u in users.values() if u.email == email)


def load_plans(loader: Any) -> None:
    """Loads Plan Avenir Lourdes (idempotent: nothing is done if it already exists)."""
    city = loader.organisations.get(CITY)
    if city is None or Plan.objects.filter(organisation=city, title=TITLE).exists():
        return
    editor = _user(loader, "city_editor", "editeur.lourdes@example.org")
    member = _user(loader, "city_member", "membre.lourdes@example.org")
    plan = services.plan_create(
        actor=editor,
        organisation=city,
        title=TITLE,
        start_year=2022,
        end_year=2030,
        status="active",
        visibility="public",
        description=(
            "Plan stratégique de la Ville de Lourdes, signé le 17 février 2022 : 5 axes et "
            "100 actions à l'horizon 2030. Seul l'axe 3 est détaillé dans la démonstration ; "
            "les actions marquées « exemple », les avancements, budgets et indicateurs sont "
            "fictifs."
        ),
        is_demo=True,
    )
    axes = {}
    for number in range(1, 6):
        if number == 3:
            axes[3] = services.axis_create(
                actor=editor,
                plan=plan,
                number=3,
                title="Nouvelle impulsion économique",
                description="Construire une nouvelle impulsion économique en diversifiant "
                "l'économie de la ville (13 actions dans le plan).",
            )
        else:
            axes[number] = services.axis_create(
                actor=editor,
                plan=plan,
                number=number,
                title="Intitulé à renseigner par la ville",
                description="Axe du plan non détaillé dans la démonstration.",
            )
    action = services.action_create(
        actor=editor,
        plan=plan,
        axis=axes[3],
        number=72,
        title="Créer un tiers-lieu et un incubateur d'entreprises",
        description=(
            "Outil opérationnel de la ville au sein du réseau des villes médianes : il "
            "accompagne les acteurs économiques et territoriaux, locaux ou internationaux, "
            "dans des filières technologiques ou artisanales. Trois secteurs : tourisme durable "
            "et sports de nature, artisanat « Made in Pyrénées » (dont la laine), santé. "
            "Avancement, dates et budget : valeurs d'exemple."
        ),
        status="in_progress",
        priority="high",
        start_date="2022-02-17",
        end_date="2026-12-31",
        progress=60,
        budget_planned="450000",
        budget_spent="260000",
        pilots=[member],
        pilot_roles="Direction du développement économique",
        question_codes=["5.1"],
        partners=[
            org
            for name, org in loader.organisations.items()
            if name == "Tiers-lieu et incubateur de Lourdes"
        ],
    )
    services.funding_add(
        actor=editor,
        action=action,
        funder="Ville de Lourdes (exemple)",
        amount="200000",
        currency="EUR",
    )
    services.funding_add(
        actor=editor,
        action=action,
        funder="Région Occitanie (exemple)",
        amount="150000",
        currency="EUR",
    )
    indicator = services.indicator_create(
        actor=editor,
        action=action,
        name="Entreprises accompagnées (exemple)",
        unit="entreprises",
        target="25",
    )
    for date, value in (
        ("2023-06-30", 4),
        ("2023-12-31", 7),
        ("2024-06-30", 11),
        ("2024-12-31", 15),
        ("2025-06-30", 18),
    ):
        services.indicator_value_set(actor=editor, indicator=indicator, date=date, value=value)
    for number, title, status, priority, start, end, progress, planned, spent, q in EXAMPLE_ACTIONS:
        services.action_create(
            actor=editor,
            plan=plan,
            axis=axes[3],
            number=number,
            title=title,
            description="Action inventée pour la démonstration.",
            status=status,
            priority=priority,
            start_date=start,
            end_date=end,
            progress=progress,
            budget_planned=planned,
            budget_spent=spent,
            question_codes=[q],
            is_example=True,
        )
