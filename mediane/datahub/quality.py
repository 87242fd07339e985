"""Quality score of a dataset, from 0 to 100, with what to do to improve it.

Four parts of 25 points each:

- **Metadata completeness**: title, description of at least 80 characters, a theme, a keyword,
  a territory, a temporal coverage, a contact point (name and e-mail), a declared frequency
  other than "irregular" — each missing item costs its share.
- **Open licence**: Licence Ouverte 2.0, ODbL or CC-BY 4.0 give 25; another licence 0.
- **Schema validity**: the current version follows a schema and is valid: 25; follows a schema
  and is invalid: 10; no schema: 0 (a dataset that follows a common schema can be reused).
- **Freshness**: the current version is younger than the declared frequency allows (with a
  margin): 25; older: 5; no frequency to compare (irregular, frozen): 15; no version: 0.

Pure function of plain values, so it can be tested without a database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class QualityInput:
    title: str
    description: str
    themes: list[str]
    keywords: list[str]
    has_territory: bool
    has_temporal: bool
    contact_name: str
    contact_email: str
    frequency: str
    frequency_days: int | None
    open_licence: bool
    has_schema: bool
    valid: bool | None  # None: no processed version
    last_version_at: datetime | None
    now: datetime


@dataclass
class Quality:
    score: int
    parts: dict[str, int]
    advice: list[str] = field(default_factory=list)


def quality(data: QualityInput) -> Quality:
    from django.utils.translation import gettext as _

    advice: list[str] = []
    checks = [
        (bool(data.title.strip()), _("Donnez un titre.")),
        (
            len(data.description.strip()) >= 80,
            _("Décrivez le jeu de données en quelques phrases (80 caractères au moins)."),
        ),
        (bool(data.themes), _("Choisissez au moins un thème.")),
        (bool(data.keywords), _("Ajoutez des mots-clés.")),
        (data.has_territory, _("Indiquez le territoire couvert.")),
        (data.has_temporal, _("Indiquez la période couverte.")),
        (
            bool(data.contact_name and data.contact_email),
            _("Donnez un point de contact générique (nom du service et adresse)."),
        ),
        (data.frequency != "IRREG", _("Déclarez une fréquence de mise à jour.")),
    ]
    done = sum(1 for ok, _msg in checks if ok)
    advice.extend(msg for ok, msg in checks if not ok)
    metadata = round(25 * done / len(checks))
    licence = 25 if data.open_licence else 0
    if not data.open_licence:
        advice.append(_("Publiez sous une licence ouverte (Licence Ouverte 2.0, ODbL, CC-BY)."))
    if not data.has_schema:
        schema = 0
        advice.append(
            _("Suivez un schéma commun (SCDL) pour que vos données soient réutilisables.")
        )
    elif data.valid:
        schema = 25
    else:
        schema = 10
        advice.append(_("Corrigez les erreurs de validation de la version courante."))
    if data.last_version_at is None:
        freshness = 0
        advice.append(_("Déposez un fichier."))
    elif data.frequency_days is None:
        freshness = 15
    else:
        age = (data.now - data.last_version_at).days
        if age <= data.frequency_days:
            freshness = 25
        else:
            freshness = 5
            advice.append(
                _("La dernière version date de %(days)d jours : mettez à jour le fichier.")
                % {"days": age}
            )
    parts = {"metadata": metadata, "licence": licence, "schema": schema, "freshness": freshness}
    return Quality(score=sum(parts.values()), parts=parts, advice=advice)
