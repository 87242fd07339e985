"""Search benchmark: N synthetic index entries (default 200,000), then query timings.

Uses its own SQLite database (or DATABASE_URL), never the default one:

    MEDIANE_VAR_DIR=bench/out/search .venv/bin/python bench/search_fts.py --count 200000

Steps: migrate, rebuild the entries of the kind "bench" with `reindex` (the code path of
`mediane reindex`), then time, for a rare and a common term: the global `search` (first page,
which includes the COUNT when the page is full), `autocomplete`, and `search_filter_queryset`
joined to a 200,000-row table ordered by rank with a COUNT. Prints median and p95 in ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_DIR))
KIND = "bench"

COMMON = ["entreprise", "innovation", "numérique", "territoire", "services", "conseil"]
SECTORS = [
    "laine",
    "tourisme durable",
    "énergie solaire",
    "santé connectée",
    "logiciel",
    "économie circulaire",
    "mobilité douce",
    "agriculture biologique",
    "chimie verte",
    "formation professionnelle",
    "artisanat d'art",
    "hydroélectricité",
]
CITIES = [
    "Lourdes",
    "Nevers",
    "Dunkerque",
    "Castelnau-le-Lez",
    "Shawinigan",
    "Thetford Mines",
    "Drummondville",
]


def fake_word(rng: random.Random) -> str:
    syllables = ["ba", "ké", "lo", "mi", "nu", "ra", "té", "vo", "za", "chè", "gu", "fi", "pon"]
    return "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))


def documents(count: int):
    from mediane.search.services import SearchDocument

    rng = random.Random(42)
    vocabulary = [fake_word(rng) for _ in range(20_000)]
    for i in range(1, count + 1):
        sector = rng.choice(SECTORS)
        title = f"{fake_word(rng).capitalize()} {rng.choice(['SAS', 'Coop', 'Atelier', 'Lab'])}"
        words = rng.choices(vocabulary, k=35) + rng.sample(COMMON, 2)
        if i % 2000 == 0:
            words.append("rarissime")
        yield SearchDocument(
            kind=KIND,
            object_id=i,
            title=title,
            body=" ".join(words),
            keywords=f"{sector} {rng.choice(CITIES)}",
            visibility=rng.choice(["public"] * 8 + ["network", "private"]),
            owner_id=rng.randint(1, count),
            url=f"/bench/{i}/",
        )


def timed(label: str, func, repeat: int) -> None:
    func()  # warm up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    print(f"  {label:<58} median {statistics.median(times):7.2f} ms   p95 {p95:7.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--skip-build", action="store_true", help="Reuse the existing index.")
    args = parser.parse_args()
    if not (os.environ.get("DATABASE_URL") or os.environ.get("MEDIANE_VAR_DIR")):
        sys.exit("Set MEDIANE_VAR_DIR (e.g. bench/out/search) or DATABASE_URL.")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mediane.settings")
    import django

    django.setup()
    from django.contrib.auth.models import AnonymousUser
    from django.core.management import call_command
    from django.db import connection, models

    from mediane.search.selectors import autocomplete, search, search_filter_queryset
    from mediane.search.services import register_indexer, reindex

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    if not args.skip_build:
        register_indexer(KIND, lambda: documents(args.count))
        start = time.perf_counter()
        total = reindex([KIND])
        print(f"reindex: {total} documents in {time.perf_counter() - start:.1f} s")
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_object")
            cursor.execute("CREATE TABLE bench_object (id bigint PRIMARY KEY, name text)")
            cursor.execute(
                "INSERT INTO bench_object (id, name) SELECT object_id, title "
                "FROM search_searchentry WHERE kind = %s",
                [KIND],
            )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

    class BenchObject(models.Model):
        name = models.TextField()

        class Meta:
            managed = False
            app_label = "search"
            db_table = "bench_object"

        def __str__(self) -> str:
            return self.name

    anonymous = AnonymousUser()
    for label, query in [
        ("rare", "rarissime"),
        ("common", "entreprise"),
        ("two words", "laine lourdes"),
        ("prefix", "numér"),
    ]:
        found = search(user=anonymous, query=query)
        print(f"{label} term {query!r}: {found.total} visible matches")
        timed(
            "search(), first page + count",
            lambda q=query: search(user=anonymous, query=q),
            args.repeat,
        )
        timed(
            "autocomplete()",
            lambda q=query: autocomplete(user=anonymous, prefix=q[:5]),
            args.repeat,
        )

        def filtered(q=query):
            qs = search_filter_queryset(BenchObject.objects.all(), query=q, kind=KIND)
            list(qs.order_by("-search_rank")[:20])
            qs.count()

        timed("search_filter_queryset(), top 20 + count", filtered, args.repeat)


if __name__ == "__main__":
    main()
