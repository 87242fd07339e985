"""Reading a matching benchmark directory: organisations.jsonl, challenges.jsonl, qrels.tsv.

The format is the one of the shared benchmark set (see docs/matching.md). Used by the pure
evaluation script and by the `bench-matching` command's importer.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mediane.matching.ranker import (
    DEFAULT_WEIGHTS,
    Candidate,
    ChallengeCorpus,
    ChallengeProfile,
    ReferenceCity,
    Weights,
    rank_challenges,
)
from mediane.matching.text import Thesaurus


@dataclass(frozen=True)
class BenchSet:
    organisations: list[dict[str, Any]]
    challenges: list[dict[str, Any]]
    qrels: dict[str, dict[str, int]]


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as error:
                    raise ValueError(f"{path.name}, line {number}: {error.msg}") from None
                if not isinstance(record, dict):
                    raise ValueError(f"{path.name}, line {number}: not an object")
                yield record


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    if not path.exists():
        return qrels
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle, delimiter="\t")
        next(rows, None)  # header
        for row in rows:
            if len(row) >= 3 and row[0].strip():
                qrels.setdefault(row[0].strip(), {})[row[1].strip()] = int(row[2])
    return qrels


def load(directory: Path | str) -> BenchSet:
    directory = Path(directory)
    return BenchSet(
        organisations=list(read_jsonl(directory / "organisations.jsonl")),
        challenges=list(read_jsonl(directory / "challenges.jsonl")),
        qrels=read_qrels(directory / "qrels.tsv"),
    )


def candidate_from(record: dict[str, Any]) -> Candidate:
    return Candidate(
        id=record["id"],
        name=record.get("name", ""),
        kind=record.get("kind", ""),
        country=record.get("country", ""),
        description=record.get("description", ""),
        offers=tuple(record.get("offers") or ()),
        sectors=tuple(record.get("sectors") or ()),
        references=tuple(ReferenceCity(name=name) for name in record.get("references") or ()),
    )


def challenge_from(record: dict[str, Any]) -> ChallengeProfile:
    issuer = record.get("issuer") or {}
    return ChallengeProfile(
        id=record["id"],
        title=record.get("title", ""),
        description=record.get("description", ""),
        sectors=tuple(record.get("sectors") or ()),
        country=record.get("country", ""),
        issuer_name=issuer.get("name", ""),
    )


def organisation_judgements(qrels: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """The judgements read the other way: per organisation, its relevant challenges' grades."""
    judged: dict[str, dict[str, int]] = {}
    for challenge_id, grades in qrels.items():
        for organisation_id, grade in grades.items():
            judged.setdefault(organisation_id, {})[challenge_id] = grade
    return judged


def challenge_rankings(
    bench: BenchSet,
    corpus: ChallengeCorpus,
    *,
    weights: Weights = DEFAULT_WEIGHTS,
    thesaurus: Thesaurus | None = None,
) -> tuple[dict[str, list[str]], dict[str, dict[str, int]]]:
    """The list of challenges for an organisation, evaluated: every organisation of `bench`
    with a relevant challenge ranks the challenges of `corpus` (`rank_challenges`). Returns
    the rankings (challenge ids, best first) and the judgements, both by organisation id, as
    `metrics.evaluate` reads them."""
    judged = organisation_judgements(bench.qrels)
    rankings = {}
    for record in bench.organisations:
        if record["id"] in judged:
            found = rank_challenges(
                candidate_from(record), corpus=corpus, weights=weights, thesaurus=thesaurus
            )
            rankings[record["id"]] = [str(challenge.id) for challenge, _r in found]
    return rankings, {key: judged[key] for key in rankings}
