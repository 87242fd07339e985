"""The criteria the label starts with (issue 7), created by a data migration and kept by
`seed_default_criteria` (existing codes are never overwritten: the secretariat owns them)."""

from __future__ import annotations

from typing import Any

DEFAULT_CRITERIA: list[dict[str, Any]] = [
    {
        "code": "diagnostic-recent",
        "title_fr": "Diagnostic validé depuis moins de 12 mois",
        "title_en": "Diagnostic validated within the last 12 months",
        "description": "Le dernier diagnostic de territoire intelligent de la ville a été validé "
        "par un relecteur il y a moins de 12 mois.",
        "kind": "diagnostic_recent",
        "parameters": {"months": 12},
    },
    {
        "code": "niveaux-dimensions",
        "title_fr": "Niveau 3 ou plus dans au moins 5 dimensions sur 8",
        "title_en": "Level 3 or more in at least 5 of the 8 dimensions",
        "description": "Selon le dernier diagnostic validé.",
        "kind": "dimension_levels",
        "parameters": {"min_level": 3, "min_dimensions": 5},
    },
    {
        "code": "plan-dimensions-faibles",
        "title_fr": "Un plan actif avec une action en cours pour chaque dimension faible",
        "title_en": "An active plan with an action in progress for each weak dimension",
        "description": "Dimension faible : niveau inférieur à 3 au dernier diagnostic validé. "
        "L'action est liée à une question de cette dimension.",
        "kind": "plan_covers_weak",
        "parameters": {"weak_below": 3},
    },
    {
        "code": "donnees-ouvertes",
        "title_fr": "Au moins un jeu de données public conforme à un schéma",
        "title_en": "At least one public dataset following a schema",
        "description": "Jeu de données public du hub de données, associé à un schéma, dont la "
        "version courante est valide.",
        "kind": "public_dataset_schema",
        "parameters": {"min_count": 1},
    },
    {
        "code": "cooperation",
        "title_fr": "Participation à au moins un défi ou projet mutualisé",
        "title_en": "Taking part in at least one challenge or pooled project",
        "description": "Défi émis ou co-émis sorti du brouillon, ou projet mutualisé sorti du "
        "brouillon dont la ville est partenaire.",
        "kind": "cooperation",
        "parameters": {"min_count": 1},
    },
]


def seed_default_criteria(model: Any) -> int:
    """Create the default criteria whose code is missing; return how many were created."""
    created = 0
    for order, data in enumerate(DEFAULT_CRITERIA, start=1):
        _obj, made = model.objects.get_or_create(
            code=data["code"], defaults={**data, "order": order * 10, "active": True}
        )
        created += int(made)
    return created
