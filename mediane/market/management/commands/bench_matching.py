"""`mediane bench-matching DIR`: quality and latency of the recommendations on a benchmark set.

The files of DIR (`organisations.jsonl`, `challenges.jsonl`, `qrels.tsv`, see docs/matching.md)
are imported into a fresh temporary SQLite database (never the configured one): the command
runs itself again in a child process whose `DATABASE_URL` and `MEDIANE_VAR_DIR` point to a
temporary folder, migrates it, creates the organisations, their offers and the challenges
through the real services, then asks the real recommendation service for every challenge.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from mediane.matching import dataset, metrics

RANKING_DEPTH = 100  # recommendations read per challenge (nDCG@10, recall@20, MRR)
COUNTRIES = {"CA-QC": "QC", "QC": "QC", "FR": "FR"}
KINDS = {"expert": "conseil", "centre-recherche": "recherche"}


class Command(BaseCommand):
    help = (
        "Évalue les recommandations sur un jeu de test (organisations.jsonl, challenges.jsonl, "
        "qrels.tsv) importé dans une base temporaire : nDCG@10, rappel@20, MRR, latence."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", help="Dossier du jeu de test.")
        parser.add_argument(
            "--rankings", metavar="OUT.jsonl", help="Écrit le classement de chaque défi."
        )
        parser.add_argument("--inside-temporary-database", action="store_true", help="(interne)")

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["directory"])
        for name in ("organisations.jsonl", "challenges.jsonl"):
            if not (directory / name).is_file():
                raise CommandError(f"Fichier introuvable : {directory / name}")
        if options["inside_temporary_database"]:
            report = run_benchmark(directory, rankings_path=options["rankings"])
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        with tempfile.TemporaryDirectory(prefix="mediane-bench-") as folder:
            env = {
                **os.environ,
                "DATABASE_URL": f"sqlite:///{Path(folder) / 'bench.sqlite3'}",
                "MEDIANE_VAR_DIR": folder,
                "CACHE_URL": "",
            }
            command = [
                sys.executable,
                "-c",
                "from mediane.cli import main; main()",
                "bench-matching",
                str(directory.resolve()),
                "--inside-temporary-database",
            ]
            if options["rankings"]:
                command += ["--rankings", str(Path(options["rankings"]).resolve())]
            done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
        if done.returncode != 0:  # the child's message, without its own "CommandError: "
            message = done.stderr.strip().removeprefix("CommandError: ")
            raise CommandError(message or "Échec de l'évaluation.")
        self.stdout.write(done.stdout.strip())


_CITIES: dict[tuple[str, str], tuple[Any, Any]] = {}


def _city(name: str, country: str) -> tuple[Any, Any]:
    """The municipality called `name` in the temporary database and an editor of its (private)
    city organisation, who confirms references (files give only names: the country is the
    referencing organisation's, the population unknown)."""
    from django.utils.text import slugify

    from mediane.accounts.models import User
    from mediane.directory.inputs import OrganisationInput
    from mediane.directory.services import organisation_create
    from mediane.territories.models import Kind, Territory

    key = (name, country)
    if key not in _CITIES:
        n = len(_CITIES) + 1
        territory = Territory.objects.create(
            name=name,
            country=country,
            kind=Kind.MUNICIPALITY,
            code=f"bench-{n}",
            slug=f"bench-{n}-{slugify(name)}"[:200],
        )
        editor = User.objects.create(email=f"ville-{n}@example.org")
        organisation_create(
            actor=editor,
            data=OrganisationInput(
                name=f"Ville de {name}",
                kind="collectivite",
                country=country,
                territory_id=territory.pk,
                visibility="private",
            ),
        )
        _CITIES[key] = (territory, editor)
    return _CITIES[key]


def _import(bench: dataset.BenchSet) -> tuple[Any, dict[int, str], dict[str, Any]]:
    """Organisations, offers and open challenges of the files, created through the services.

    Returns the secretariat actor, {organisation pk: file id} and {challenge file id: Challenge}.
    """
    from mediane.accounts.models import User
    from mediane.directory.models import Sector, SectorNature

    actor = User.objects.create(email="bench@example.org", is_secretariat=True)
    slugs = {s for r in bench.organisations + bench.challenges for s in r.get("sectors") or []}
    for position, slug in enumerate(sorted(slugs), start=100):
        Sector.objects.get_or_create(
            slug=slug,
            defaults={"name": slug, "nature": SectorNature.BOTH, "position": position},
        )
    ids: dict[int, str] = {}
    for record in bench.organisations:
        with _refused(record):
            _import_organisation(record, actor, ids)
    issuers: dict[tuple[str, str], Any] = {}
    challenges: dict[str, Any] = {}
    now = timezone.now()
    for record in bench.challenges:
        with _refused(record):
            challenges[record["id"]] = _import_challenge(record, actor, issuers, now)
    return actor, ids, challenges


@contextmanager
def _refused(record: dict[str, Any]) -> Iterator[None]:
    """A record the services refuse stops the import with its id and the fields at fault."""
    from mediane.core.errors import MedianeError

    try:
        yield
    except MedianeError as error:
        fields = "; ".join(f"{name} : {' '.join(m)}" for name, m in error.field_errors.items())
        message = f"{record.get('id', '?')} : {error.message}"
        raise CommandError(f"{message} ({fields})" if fields else message) from error


def _import_organisation(record: dict[str, Any], actor: Any, ids: dict[int, str]) -> None:
    from mediane.directory.inputs import OrganisationInput
    from mediane.directory.services import organisation_create
    from mediane.market import services
    from mediane.market.inputs import OfferInput

    organisation = organisation_create(
        actor=actor,
        make_admin=False,
        data=OrganisationInput(
            name=record["name"],
            kind=KINDS.get(record.get("kind", ""), record.get("kind", "")),
            country=COUNTRIES.get(record.get("country", ""), record.get("country", "")),
            description=record.get("description", ""),
            sector_slugs=list(record.get("sectors") or []),
        ),
    )
    ids[organisation.pk] = record["id"]
    if organisation.kind == "collectivite":
        return
    offers = [
        services.offer_create(
            actor=actor,
            organisation=organisation,
            data=OfferInput(title=title, sectors=list(record.get("sectors") or [])),
            publish=True,
        )
        for title in record.get("offers") or []
    ]
    for city in record.get("references") or [] if offers else []:
        territory, editor = _city(city, organisation.country)
        reference = services.offer_reference_add(actor=actor, offer=offers[0], territory=territory)
        services.offer_reference_confirm(actor=editor, reference=reference)


def _import_challenge(
    record: dict[str, Any], actor: Any, issuers: dict[tuple[str, str], Any], now: Any
) -> Any:
    """An open challenge of the file, issued by its town (created once per name and country)."""
    from mediane.directory.inputs import OrganisationInput
    from mediane.directory.services import organisation_create
    from mediane.market import services
    from mediane.market.inputs import ChallengeInput

    issuer = record.get("issuer") or {}
    country = COUNTRIES.get(record.get("country", ""), record.get("country", ""))
    key = (issuer.get("name", ""), country)
    if key not in issuers:
        issuers[key] = organisation_create(
            actor=actor,
            make_admin=False,
            data=OrganisationInput(name=key[0], kind="collectivite", country=country),
        )
    challenge = services.challenge_create(
        actor=actor,
        lead_issuer=issuers[key],
        data=ChallengeInput(
            title=record["title"],
            problem=record.get("description", ""),
            sectors=list(record.get("sectors") or []),
            opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=30),
        ),
    )
    services.challenge_submit(actor=actor, challenge=challenge, now=now)
    services.challenge_publish(actor=actor, challenge=challenge, now=now)
    return challenge


def run_benchmark(directory: Path, *, rankings_path: str | None = None) -> dict[str, Any]:
    """Migrate the (temporary) database, import DIR, rank every challenge, measure."""
    from mediane.market.matching_adapter import (
        candidate_profile,
        challenge_profile,
        recommend_organisations,
    )
    from mediane.matching.ranker import bm25_baseline

    call_command("migrate", verbosity=0)
    bench = dataset.load(directory)
    actor, ids, challenges = _import(bench)
    ours: dict[str, list[str]] = {}
    latencies: list[float] = []
    for file_id, challenge in challenges.items():
        started = time.perf_counter()
        found = recommend_organisations(challenge=challenge, limit=RANKING_DEPTH, user=None)
        latencies.append((time.perf_counter() - started) * 1000)
        ours[file_id] = [ids[r.organisation.pk] for r in found if r.organisation.pk in ids]
    # The plain BM25 baseline, on the same rows as the service reads.
    from mediane.market.matching_adapter import _organisation_qs

    candidates = [candidate_profile(o) for o in _organisation_qs(None) if o.pk in ids]
    baseline = {
        file_id: [ids[r.candidate.id] for r in bm25_baseline(challenge_profile(c), candidates)]
        for file_id, c in challenges.items()
    }
    if rankings_path:
        with open(rankings_path, "w", encoding="utf-8") as out:
            for file_id, ranking in ours.items():
                out.write(json.dumps({"challenge": file_id, "ranking": ranking}) + "\n")
    report: dict[str, Any] = dict(metrics.evaluate(ours, bench.qrels))
    report["latency_ms"] = {
        "p50": round(metrics.percentile(latencies, 0.5), 1),
        "p95": round(metrics.percentile(latencies, 0.95), 1),
    }
    report["organisations"] = len(ids)
    report["baseline"] = metrics.evaluate(baseline, bench.qrels)
    return report
