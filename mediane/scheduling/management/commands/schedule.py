"""`mediane schedule FILE`: schedule B2B meetings from a JSON instance or a MiniZinc .dzn file."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

MAX_FILE_BYTES = 50_000_000
MAX_TIME_LIMIT = 3600.0


def read_instance(path: Path, kind: str = "auto") -> Any:
    """Read FILE as JSON or .dzn (by extension, else by content); InstanceError if malformed."""
    from mediane.scheduling.dzn import looks_like_dzn, parse_dzn
    from mediane.scheduling.jsonio import load_json
    from mediane.scheduling.model import InstanceError

    try:
        size = path.stat().st_size
    except OSError as error:
        raise InstanceError(
            f"Fichier introuvable ou illisible : {path} ({error.strerror})."
        ) from error
    if size > MAX_FILE_BYTES:
        raise InstanceError(
            f"Fichier trop gros : {size // 1_000_000} Mo (au plus "
            f"{MAX_FILE_BYTES // 1_000_000} Mo)."
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InstanceError(f"Fichier illisible (UTF-8 attendu) : {path.name}.") from error
    if kind == "auto":
        suffix = path.suffix.lower()
        if suffix == ".dzn" or (suffix != ".json" and looks_like_dzn(text)):
            kind = "dzn"
        elif suffix == ".json" or text.lstrip().startswith("{"):
            kind = "json"
        else:
            raise InstanceError(
                "Format non reconnu : un fichier .json (format Médiane) ou .dzn "
                "(MiniZinc) est attendu."
            )
    if kind == "dzn":
        return parse_dzn(text, name=path.name)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InstanceError(
            f"JSON invalide ligne {error.lineno}, colonne {error.colno} : {error.msg}."
        ) from error
    instance = load_json(data)
    if not instance.name:
        import dataclasses

        instance = dataclasses.replace(instance, name=path.name)
    return instance


class Command(BaseCommand):
    help = "Planifie des rencontres B2B (fichier JSON Médiane ou .dzn MiniZinc) et écrit le JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="instance : .json (format Médiane) ou .dzn (MiniZinc)")
        parser.add_argument(
            "--fairness",
            type=int,
            default=2,
            help="écart maximal de pauses entre deux participants (défaut 2)",
        )
        parser.add_argument("--no-fairness", action="store_true", help="aucune borne d'équité")
        parser.add_argument(
            "--time-limit",
            type=float,
            default=60.0,
            help="secondes de recherche (défaut 60, au plus 3600)",
        )
        parser.add_argument(
            "--workers", type=int, default=8, help="fils de recherche de CP-SAT (défaut 8)"
        )
        parser.add_argument("--format", choices=["auto", "json", "dzn"], default="auto")
        parser.add_argument("--out", help="fichier JSON du résultat (défaut : sortie standard)")

    def handle(self, *args: Any, **options: Any) -> None:
        from mediane.scheduling.checker import check
        from mediane.scheduling.jsonio import dump_solution
        from mediane.scheduling.model import InstanceError
        from mediane.scheduling.solver import Progress, TooLargeError, solve

        limit = options["time_limit"]
        if not 0 < limit <= MAX_TIME_LIMIT:
            raise CommandError(f"--time-limit doit être entre 0 et {MAX_TIME_LIMIT:.0f} secondes.")
        if options["fairness"] < 0:
            raise CommandError("--fairness doit être un entier positif ou nul.")
        if not 1 <= options["workers"] <= 64:
            raise CommandError("--workers doit être entre 1 et 64.")
        fairness = None if options["no_fairness"] else options["fairness"]
        try:
            instance = read_instance(Path(options["file"]), options["format"])
        except InstanceError as error:
            raise CommandError(str(error)) from error

        verbose = options["verbosity"] >= 2

        def progress(event: Progress) -> None:
            if verbose:
                self.stderr.write(f"[{event.fraction:4.0%}] {event.message}")

        try:
            solution = solve(
                instance,
                fairness=fairness,
                time_limit=limit,
                workers=options["workers"],
                progress=progress,
            )
        except TooLargeError as error:
            raise CommandError(str(error)) from error
        violations = check(instance, solution, fairness) if solution.placements else []
        if violations:  # never expected: the checker is independent of the solver
            raise CommandError("Planning invalide : " + " ".join(violations[:5]))
        output = json.dumps(dump_solution(instance, solution), ensure_ascii=False, indent=1)
        if options["out"]:
            try:
                Path(options["out"]).write_text(output + "\n", encoding="utf-8")
            except OSError as error:
                raise CommandError(
                    f"Impossible d'écrire {options['out']} : {error.strerror}."
                ) from error
        else:
            self.stdout.write(output)
        total = len(instance.meetings)
        summary = (
            f"{instance.name or 'instance'} : {solution.status}, "
            f"{len(solution.placements)}/{total} rencontres planifiées, "
            f"{solution.breaks if solution.breaks is not None else '—'} pauses "
            f"(borne {solution.bound if solution.bound is not None else '—'}), "
            f"{solution.solve_time_s:.1f} s"
        )
        stream = self.stderr if not options["out"] else self.stdout
        stream.write(summary)
        for line in solution.explanation:
            stream.write(line)
        sys.stdout.flush()
