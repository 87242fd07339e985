"""Writing guidance of the challenge form: a checklist and a "names a solution" warning.

Plain Python (no Django): the form view feeds it plain texts and values, the template shows the
result. The heuristics are deliberately simple and documented in docs/market.md ("Pages"):

- *problem stated*: at least `MIN_PROBLEM_WORDS` words and no solution named in the title,
  summary or problem;
- *figures given*: a number in the problem or the context;
- *measurable outcomes*: the expected outcomes hold a number or a word of measure
  (`MEASURE_WORDS`);
- *budget and timeline*: a budget bound, an opening and a closing date;
- *sectors*: at least one.

A text *names a solution* when a verb of wanting or making ("nous voulons", "développer",
"mettre en place"…) is followed, within four words, by a kind of product ("application",
"plateforme", "capteurs"…). Accents and case are ignored.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MIN_PROBLEM_WORDS = 25

WANT = (
    r"(?:voulons|voudrions|souhaitons|souhaiterions|desirons|cherchons|recherchons"
    r"|avons besoin d|besoin d|il nous faut|il faut|aimerions|developper|creer|concevoir"
    r"|mettre en place|deployer|acheter|acquerir|installer|commander|construire)"
)
SOLUTION = (
    r"(?:applications?|applis?|app|plateformes?|logiciels?|progiciels?|sites? (?:web|internet)"
    r"|portails?|chatbots?|robots?|capteurs?|drones?|tableaux? de bord|intelligence artificielle"
    r"|ia|blockchain|bornes?|ecrans?|totems?|cameras?|outils? numeriques?|solutions? numeriques?"
    r"|saas|jumeaux? numeriques?)"
)
_SOLUTION_RE = re.compile(rf"\b{WANT}\W+(?:\w+\W+){{0,4}}?{SOLUTION}\b")
_NUMBER_RE = re.compile(r"\d")
MEASURE_WORDS = (
    "mesur",
    "indicateur",
    "taux",
    "nombre",
    "reduire",
    "reduction",
    "augmenter",
    "hausse",
    "baisse",
    "pourcentage",
    "par an",
    "par mois",
    "objectif",
    "cible",
)


def fold(text: str) -> str:
    """Lower case without accents, apostrophes as spaces (matching, not display)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return bare.replace("'", " ").replace("\u2019", " ")


def solution_phrases(*texts: str) -> list[str]:
    """Phrases of the texts that name a solution rather than state a problem (folded)."""
    found: list[str] = []
    for value in texts:
        for match in _SOLUTION_RE.finditer(fold(value or "")):
            phrase = " ".join(match.group(0).split())
            if phrase not in found:
                found.append(phrase)
    return found


@dataclass(frozen=True)
class CheckItem:
    key: str
    done: bool


@dataclass(frozen=True)
class Guidance:
    items: list[CheckItem]
    solution_phrases: list[str]

    @property
    def done(self) -> int:
        return sum(1 for item in self.items if item.done)

    @property
    def complete(self) -> bool:
        return self.done == len(self.items)


CHECK_KEYS = ("problem", "figures", "outcomes", "budget", "timeline", "sectors")


def challenge_guidance(
    *,
    title: str = "",
    summary: str = "",
    problem: str = "",
    context: str = "",
    expected_outcomes: str = "",
    budget_min: object = None,
    budget_max: object = None,
    opens_at: object = None,
    closes_at: object = None,
    sectors: list[str] | tuple[str, ...] = (),
) -> Guidance:
    """The checklist of a challenge being written; texts are plain (no HTML)."""
    phrases = solution_phrases(title, summary, problem)
    outcomes = fold(expected_outcomes or "")
    items = [
        CheckItem("problem", len((problem or "").split()) >= MIN_PROBLEM_WORDS and not phrases),
        CheckItem("figures", bool(_NUMBER_RE.search(f"{problem} {context}"))),
        CheckItem(
            "outcomes",
            bool(outcomes.strip())
            and (bool(_NUMBER_RE.search(outcomes)) or any(w in outcomes for w in MEASURE_WORDS)),
        ),
        CheckItem("budget", _filled(budget_min) or _filled(budget_max)),
        CheckItem("timeline", _filled(opens_at) and _filled(closes_at)),
        CheckItem("sectors", any(_filled(s) for s in sectors or ())),
    ]
    return Guidance(items=items, solution_phrases=phrases)


def _filled(value: object) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    return True
