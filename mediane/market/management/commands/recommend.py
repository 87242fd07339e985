"""`mediane recommend --challenge ID`: the organisations to invite to a challenge, explained."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mediane.market.matching_adapter import recommend_organisations
from mediane.market.models import Challenge


class Command(BaseCommand):
    help = (
        "Recommande les organisations à inviter à répondre à un défi, avec les raisons "
        "(toutes les organisations : la commande lit la base avec les droits du secrétariat)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--challenge", required=True, help="Identifiant (numéro) du défi.")
        parser.add_argument("--limit", type=int, default=20, help="Nombre de résultats (20).")
        parser.add_argument("--format", choices=["json", "text"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            challenge = Challenge.objects.get(pk=int(options["challenge"]))
        except (ValueError, Challenge.DoesNotExist):
            raise CommandError(f"Défi introuvable : {options['challenge']}") from None
        if not 1 <= options["limit"] <= 200:
            raise CommandError("--limit doit être compris entre 1 et 200.")
        found = recommend_organisations(
            challenge=challenge, limit=options["limit"], user=_Operator()
        )
        rows: list[dict[str, Any]] = [
            {
                "organisation": r.organisation.pk,
                "name": r.organisation.name,
                "score": round(r.score, 4),
                "reasons": r.reasons,
                "offers": [offer.title for offer in r.offers],
            }
            for r in found
        ]
        if options["format"] == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for rank, row in enumerate(rows, start=1):
            self.stdout.write(f"{rank:>3}. {row['name']} ({row['score']:.3f})")
            for reason in row["reasons"]:
                self.stdout.write(f"       - {reason}")


class _Operator:
    """The person at the console: sees what the secretariat sees (like `mediane shell`)."""

    is_authenticated = True
    is_active = True
    is_secretariat = True
    is_superuser = False
    pk = None
    id = None
