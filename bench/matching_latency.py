"""Latency of the recommendation lists at scale: organisations and open challenges generated.

    .venv/bin/python bench/matching_latency.py --organisations 100000 --challenges 5000
    .venv/bin/python bench/matching_latency.py --organisations 2000 --challenges 100  # quick

Works in a database of its own: a new temporary folder unless MEDIANE_VAR_DIR or DATABASE_URL
is set (never var/mediane.sqlite3). Steps: `bench/generate_organisations.py` (migrate,
reference territories, organisations, search index), then a published offer for one
organisation in two (titles from the sector vocabulary, indexed), then open challenges issued
by generated cities with sector-flavoured problem statements, then `recommend_organisations`
for a sample of challenges and `recommend_challenges` for a sample of organisations, as an
anonymous visitor, once the stored matching profiles and the open challenges' vectors are
built (`refresh_profiles`, `refresh_challenge_vectors`: what `mediane matching-profiles` and
the worker's periodic job do). Prints p50/p95 in ms (the first
call of each, which builds the caches, is reported apart).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]

PROBLEMS = [
    "Nous manquons de données fiables sur {a} et {b} dans la commune.",
    "Les habitants signalent des difficultés liées à {a}; les services veulent agir sur {b}.",
    "La ville cherche une solution pour {a}, avec un budget modeste et un pilote de six mois.",
    "Objectif : réduire les coûts de {a} tout en améliorant {b} pour les usagers.",
    "Contraintes : respect de la vie privée, premiers résultats avant l'été, lien avec {b}.",
]


def _percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    if not ordered:
        return {"p50": 0.0, "p95": 0.0}
    return {
        "p50": round(statistics.median(ordered), 1),
        "p95": round(ordered[max(0, int(0.95 * len(ordered)) - 1)], 1),
    }


def _generate(args: argparse.Namespace) -> None:
    command = [sys.executable, str(PROJECT_DIR / "bench" / "generate_organisations.py")]
    command += ["--count", str(args.organisations), "--seed", str(args.seed)]
    subprocess.run(command, check=True)  # noqa: S603


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, default=100_000)
    parser.add_argument("--challenges", type=int, default=5_000)
    parser.add_argument("--samples", type=int, default=100, help="lists timed per kind (100)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL") and not os.environ.get("MEDIANE_VAR_DIR"):
        os.environ["MEDIANE_VAR_DIR"] = tempfile.mkdtemp(prefix="mediane-matching-bench-")
        print(f"database folder: {os.environ['MEDIANE_VAR_DIR']}")
    _generate(args)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mediane.settings")
    sys.path.insert(0, str(PROJECT_DIR))
    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from mediane.directory.models import Organisation, Sector
    from mediane.market.matching_adapter import recommend_challenges, recommend_organisations
    from mediane.market.models import (
        Challenge,
        ChallengeIssuer,
        ChallengeStatus,
        IssuerRole,
        Offer,
        OfferStatus,
    )
    from mediane.search.services import reindex

    sys.path.insert(0, str(PROJECT_DIR / "bench"))
    from generate_organisations import GENERIC_TERMS, SECTOR_TERMS

    rng = random.Random(args.seed)
    sectors = {s.slug: s for s in Sector.objects.all()}
    started = time.perf_counter()
    if not Offer.objects.exists():
        rows = list(
            Organisation.objects.exclude(kind="collectivite")
            .filter(pk__in=Organisation.sectors.through.objects.values("organisation_id"))
            .values_list("pk", "sectors__slug")
        )
        offers = []
        for n, (pk, slug) in enumerate(rows[::2]):
            term = rng.choice(SECTOR_TERMS.get(slug, GENERIC_TERMS))
            offers.append(
                Offer(
                    organisation_id=pk,
                    title=f"{term.capitalize()} pour les collectivités",
                    slug=f"bench-offre-{n}",
                    summary=rng.choice(GENERIC_TERMS),
                    status=OfferStatus.PUBLISHED,
                )
            )
        with transaction.atomic():
            Offer.objects.bulk_create(offers, batch_size=5000)
        reindex(["offer"])
    print(f"offers: {Offer.objects.count()} in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    missing = args.challenges - Challenge.objects.count()
    if missing > 0:
        cities = list(
            Organisation.objects.filter(kind="collectivite", visibility="public").values_list(
                "pk", flat=True
            )[:2000]
        ) or list(Organisation.objects.values_list("pk", flat=True)[:2000])
        now = timezone.now()
        challenges, links, chosen = [], [], []
        for n in range(missing):
            picked = rng.sample(sorted(sectors), rng.choice([1, 2]))
            terms = [t for slug in picked for t in SECTOR_TERMS.get(slug, GENERIC_TERMS)]
            text = " ".join(
                rng.choice(PROBLEMS).format(a=rng.choice(terms), b=rng.choice(terms))
                for _ in range(rng.randint(3, 6))
            )
            challenges.append(
                Challenge(
                    title=f"Défi {n} : {rng.choice(terms)} et {rng.choice(terms)}",
                    slug=f"bench-defi-{n}-{rng.randrange(10**9)}",
                    problem=f"<p>{text}</p>",
                    status=ChallengeStatus.OPEN,
                    opens_at=now - timedelta(days=1),
                    closes_at=now + timedelta(days=60),
                    published_at=now,
                    is_demo=True,
                )
            )
            chosen.append(picked)
        with transaction.atomic():
            created = Challenge.objects.bulk_create(challenges, batch_size=2000)
            through = Challenge.sectors.through
            through.objects.bulk_create(
                [
                    through(challenge_id=c.pk, sector_id=sectors[slug].pk)
                    for c, picked in zip(created, chosen, strict=True)
                    for slug in picked
                ],
                batch_size=5000,
            )
            for c in created:
                links.append(
                    ChallengeIssuer(
                        challenge_id=c.pk, organisation_id=rng.choice(cities), role=IssuerRole.LEAD
                    )
                )
            ChallengeIssuer.objects.bulk_create(links, batch_size=5000)
    print(f"challenges: {Challenge.objects.count()} in {time.perf_counter() - started:.1f} s")

    # The recommendations' stored profiles, built as the worker's periodic job does after an
    # import (`mediane matching-profiles`); lists then analyse no organisation's text.
    from mediane.market.matching_adapter import refresh_challenge_vectors, refresh_profiles

    started = time.perf_counter()
    built = refresh_profiles()
    profiles_s = time.perf_counter() - started
    print(f"matching profiles: {built} built in {profiles_s:.1f} s")
    started = time.perf_counter()
    encoded = refresh_challenge_vectors()
    vectors_s = time.perf_counter() - started
    print(f"challenge vectors: {encoded} built in {vectors_s:.1f} s")

    sample = list(Challenge.objects.order_by("?")[: args.samples])
    first, timings = None, []
    for challenge in sample:
        t = time.perf_counter()
        recommend_organisations(challenge=challenge, limit=20)
        elapsed = (time.perf_counter() - t) * 1000
        if first is None:
            first = elapsed
        else:
            timings.append(elapsed)
    orgs = list(Organisation.objects.filter(visibility="public").order_by("?")[: args.samples])
    first_c, timings_c = None, []
    for organisation in orgs:
        t = time.perf_counter()
        recommend_challenges(organisation=organisation, limit=20)
        elapsed = (time.perf_counter() - t) * 1000
        if first_c is None:
            first_c = elapsed
        else:
            timings_c.append(elapsed)
    report = {
        "organisations": Organisation.objects.count(),
        "challenges": Challenge.objects.count(),
        "profiles_built": built,
        "profiles_seconds": round(profiles_s, 1),
        "challenge_vectors_built": encoded,
        "challenge_vectors_seconds": round(vectors_s, 1),
        "recommend_organisations_ms": {**_percentiles(timings), "first": round(first or 0, 1)},
        "recommend_challenges_ms": {**_percentiles(timings_c), "first": round(first_c or 0, 1)},
    }
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
