"""The diagnostic part of the demo network, created through the real services.

The seven demo cities answer the shipped questionnaire: Lourdes and Nevers for two years (Nevers'
current year still in progress, half answered), the five others for the current year. Levels are
invented for the demonstration (a base level per dimension and city, varied per question); Lourdes
answers that networks and energy are its intercommunality's (2.2 and 2.4 not applicable) and gives
indicator values, converted to levels by the bands of its size band. Lourdes' current diagnostic
is validated by its administrator (weak only in D5, where Plan Avenir Lourdes has actions in
progress); the other cities' by the secretariat. Lourdes, Nevers and Shawinigan share their name.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from mediane.diagnostic import services
from mediane.diagnostic.models import Diagnostic, QuestionKind

#: Variation of a question's level around its dimension's base level, by position.
VARIATION = (0, 1, 0, -1, 0, 1)

#: city name -> {year offset (0 = current year): spec}
PROFILES: dict[str, dict[int, dict[str, Any]]] = {
    "Ville de Lourdes": {
        -1: {
            "base": [2, 2, 2, 2, 2, 2, 2, 2],
            "perso": "non",
            "share": True,
            "status": "validated",
        },
        0: {
            "base": [3, 3, 3, 3, 2, 3, 3, 4],
            "perso": "non",
            "share": True,
            "status": "validated",
            "values": {"2.1": "91", "5.2": "640", "7.2": "-12", "8.3": "12"},
        },
    },
    "Ville de Nevers": {
        -1: {
            "base": [3, 4, 3, 3, 3, 3, 2, 3],
            "perso": "oui",
            "share": True,
            "status": "validated",
            "values": {"2.1": "88", "2.2": "80"},
        },
        0: {
            "base": [4, 4, 3, 4, 3, 3, 3, 3],
            "perso": "oui",
            "share": True,
            "status": "draft",
            "partial": 0.5,
        },
    },
    "Ville de Dunkerque": {
        0: {"base": [4, 4, 4, 4, 3, 4, 4, 3], "perso": "oui", "status": "validated"}
    },
    "Ville de Castelnau-le-Lez": {
        0: {"base": [2, 3, 3, 2, 3, 3, 2, 3], "perso": "oui", "status": "validated"}
    },
    "Ville de Shawinigan": {
        0: {"base": [3, 3, 2, 3, 4, 3, 3, 3], "perso": "oui", "share": True, "status": "validated"}
    },
    "Ville de Thetford Mines": {
        0: {"base": [2, 2, 2, 2, 3, 2, 2, 2], "perso": "oui", "status": "validated"}
    },
    "Ville de Drummondville": {
        0: {"base": [3, 3, 3, 2, 4, 3, 3, 4], "perso": "oui", "status": "submitted"}
    },
}


def _level(base: int, position: int) -> int:
    return max(1, min(5, base + VARIATION[position % len(VARIATION)]))


def load_diagnostic(loader: Any) -> None:
    secretariat = loader.users.get("secretariat")
    if secretariat is None:
        return
    this_year = timezone.now().year
    for name, years in PROFILES.items():
        city = loader.organisations.get(name)
        if city is None:
            continue
        is_lourdes = name == "Ville de Lourdes"
        editor = loader.users.get("city_editor") if is_lourdes else None
        admin = loader.users.get("city_admin") if is_lourdes else None
        for offset, spec in sorted(years.items()):
            year = this_year + offset
            if Diagnostic.objects.filter(organisation=city, year=year).exists():
                loader.report.existing["diagnostics"] += 1
                continue
            _create(
                city=city,
                year=year,
                spec=spec,
                answerers=[a for a in (editor, admin) if a is not None] or [secretariat],
                reviewer=admin or secretariat,
                opener=editor or secretariat,
            )
            loader.report.created["diagnostics"] += 1


def _create(
    *, city: Any, year: int, spec: dict[str, Any], answerers: list[Any], reviewer: Any, opener: Any
) -> Diagnostic:
    diagnostic = services.diagnostic_start(
        actor=opener, organisation=city, year=year, share_name=bool(spec.get("share"))
    )
    values: dict[str, str] = spec.get("values", {})
    questions = list(
        diagnostic.version.questions.select_related("dimension").order_by(
            "dimension__order", "order"
        )
    )
    limit = int(len(questions) * spec["partial"]) if "partial" in spec else len(questions)
    for index, question in enumerate(questions[:limit]):
        actor = answerers[index % len(answerers)]
        if question.kind == QuestionKind.PERSONALISATION:
            services.answer_save(
                actor=actor,
                diagnostic=diagnostic,
                question_code=question.code,
                choice=spec["perso"],
            )
            continue
        base = spec["base"][question.dimension.order - 1]
        services.answer_save(
            actor=actor,
            diagnostic=diagnostic,
            question_code=question.code,
            level=_level(base, question.order - 1),
            value=values.get(question.code),
        )
    if spec["status"] in ("submitted", "validated"):
        services.diagnostic_submit(actor=opener, diagnostic=diagnostic)
    if spec["status"] == "validated":
        services.diagnostic_validate(
            actor=reviewer, diagnostic=diagnostic, comment="Validé (démonstration)."
        )
    return diagnostic
