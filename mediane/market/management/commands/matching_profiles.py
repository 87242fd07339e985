"""`mediane matching-profiles`: build the stored profiles the recommendations read."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from tqdm import tqdm

from mediane.directory.models import Organisation
from mediane.market.matching_adapter import refresh_challenge_vectors, refresh_profiles
from mediane.market.models import Challenge, ChallengeStatus


class Command(BaseCommand):
    help = (
        "Construit les profils de recommandation des organisations manquants ou périmés "
        "(texte analysé, offres, références) et le sens des défis ouverts, pour des listes "
        "de recommandations rapides."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--no-progress", action="store_true", help="Sans barre de progression.")

    def handle(self, *args: Any, **options: Any) -> None:
        quiet = options["no_progress"] or options["verbosity"] == 0
        total = Organisation.objects.count()
        with tqdm(total=total, unit=" org", desc="Profils", disable=quiet, file=self.stderr) as bar:
            built = refresh_profiles(progress=bar.update)
        open_total = Challenge.objects.filter(status=ChallengeStatus.OPEN).count()
        with tqdm(
            total=open_total, unit=" défi", desc="Défis", disable=quiet, file=self.stderr
        ) as bar:
            vectors = refresh_challenge_vectors(progress=bar.update)
        if options["verbosity"]:
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "%(built)d profils construits (%(total)d organisations), "
                        "%(vectors)d défis encodés (%(open)d ouverts)."
                    )
                    % {"built": built, "total": total, "vectors": vectors, "open": open_total}
                )
            )
