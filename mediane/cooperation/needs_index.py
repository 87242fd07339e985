"""In-process cache of the needs the similar needs are ranked against.

The similar-needs panel of a project or challenge form asks the server again after each pause
in typing. Reading every visible challenge and project with their issuers, partners and sectors,
then analysing all their texts (folding, stemming, synonyms) on each of those requests cost
seven queries and most of the time of the answer, for a corpus that had not changed.

Two things are kept per process:

- each need analysed (`similarity.AnalysedNeed`), under its kind and id, valid for the
  `updated_at` of its row and one *fingerprint* of what a need is also built from (issuers and
  partners, sectors, organisations and their territories; `core.fingerprints`, read at most
  every `FINGERPRINT_SECONDS`, at once after a write of this process);
- a few corpora (BM25 statistics over a list of needs), each under the exact list it was built
  from: the kinds, ids and `updated_at` of the needs, in order, with that fingerprint.

Visibility is not decided here and nothing is shared between readers by mistake: the caller
reads, at every request and for the reader, the keys of the needs they may see (one cheap query
per kind, through the same selectors as before), and a corpus is only reused for exactly that
list. A private project is never in the corpus of a reader who cannot see it, and does not
weigh in its statistics either. A project made private disappears from the next answer; a
text changed elsewhere is seen at once (its `updated_at` moved).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection
from django.db.models import signals

from mediane.cooperation.similarity import AnalysedNeed, Corpus, Need, analyse_need
from mediane.core.fingerprints import Fingerprints, database_key

FINGERPRINT_SECONDS = 2.0
#: Analysed needs kept per process (all databases together); beyond, the cache starts again.
NEEDS_KEPT = 20_000
#: Corpora kept per process, least recently used out (anonymous visitors, network members,
#: the secretariat and the members of each organisation have different lists).
CORPORA_KEPT = 16

#: (kind, id, version): a need as the reader's selector lists it; the version is its row's
#: `updated_at`.
NeedKey = tuple[str, int, Any]


def _read_fingerprint() -> tuple[str, ...]:
    """Changes whenever what a need is built from besides its own row changes: its issuers or
    partners (and which one leads), its sectors, an organisation, a sector, a territory."""
    from mediane.cooperation.models import Project, ProjectPartner
    from mediane.directory.models import Organisation, Sector
    from mediane.market.models import Challenge, ChallengeIssuer
    from mediane.territories.models import Territory

    q = connection.ops.quote_name
    parts = []
    for model in (ProjectPartner, ChallengeIssuer):
        table = q(model._meta.db_table)
        parts.append(
            f"(SELECT COUNT(*) FROM {table}), (SELECT MAX(id) FROM {table}), "  # noqa: S608
            f"(SELECT SUM(organisation_id) FROM {table}), "
            f"(SELECT SUM(organisation_id) FROM {table} WHERE role = 'lead')"
        )
    for through in (Project.sectors.through, Challenge.sectors.through):
        table = q(through._meta.db_table)
        parts.append(
            f"(SELECT COUNT(*) FROM {table}), (SELECT MAX(id) FROM {table}), "  # noqa: S608
            f"(SELECT SUM(sector_id) FROM {table})"
        )
    organisation = q(Organisation._meta.db_table)
    parts.append(
        f"(SELECT COUNT(*) FROM {organisation}), (SELECT MAX(updated_at) FROM {organisation})"  # noqa: S608
    )
    for named in (Sector, Territory):
        table = q(named._meta.db_table)
        parts.append(f"(SELECT COUNT(*) FROM {table}), (SELECT MAX(id) FROM {table})")  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        return tuple(str(value) for value in cursor.fetchone())


_fingerprints = Fingerprints()
_lock = threading.Lock()
# (database, kind, id) -> (version, fingerprint, the need analysed or None when it has no lead)
_needs: dict[tuple[str, str, int], tuple[Any, tuple[str, ...], AnalysedNeed | None]] = {}
_corpora: OrderedDict[bytes, Corpus] = OrderedDict()
#: Built since the process started (needs analysed, corpora computed): for tests and figures.
counters = {"needs_analysed": 0, "corpora_built": 0}


def fingerprint() -> tuple[str, ...]:
    return _fingerprints.get(_read_fingerprint, FINGERPRINT_SECONDS)  # type: ignore[no-any-return]


def corpus(
    keys: Sequence[NeedKey], load: Callable[[list[NeedKey]], dict[tuple[str, int], Need | None]]
) -> Corpus:
    """The corpus of the needs `keys`, in that order. `load(missing)` builds the needs not
    analysed yet for their version ((kind, id) -> Need, or None for a need to leave out)."""
    database, version = database_key(), fingerprint()
    digest = hashlib.blake2b(repr((database, version, list(keys))).encode(), digest_size=32)
    key = digest.digest()
    with _lock:
        found = _corpora.get(key)
        if found is not None:
            _corpora.move_to_end(key)
            return found
    analysed = _analysed(database, version, keys, load)
    built = Corpus(analysed=analysed)
    with _lock:
        counters["corpora_built"] += 1
        _corpora[key] = built
        while len(_corpora) > CORPORA_KEPT:
            _corpora.popitem(last=False)
    return built


def _analysed(
    database: str,
    version: tuple[str, ...],
    keys: Sequence[NeedKey],
    load: Callable[[list[NeedKey]], dict[tuple[str, int], Need | None]],
) -> list[AnalysedNeed]:
    """The needs of `keys` analysed, in order: kept ones when still current, the others loaded
    and analysed now (and kept)."""
    items: dict[tuple[str, int], AnalysedNeed | None] = {}
    missing: list[NeedKey] = []
    with _lock:
        for kind, pk, stamp in keys:
            entry = _needs.get((database, kind, pk))
            if entry is not None and entry[0] == stamp and entry[1] == version:
                items[(kind, pk)] = entry[2]
            else:
                missing.append((kind, pk, stamp))
    if missing:
        built = load(missing)
        fresh: dict[tuple[str, int], tuple[Any, AnalysedNeed | None]] = {}
        for kind, pk, stamp in missing:
            need = built.get((kind, pk))
            fresh[(kind, pk)] = (stamp, analyse_need(need) if need is not None else None)
            items[(kind, pk)] = fresh[(kind, pk)][1]
        with _lock:
            counters["needs_analysed"] += sum(1 for _s, item in fresh.values() if item is not None)
            if len(_needs) + len(fresh) > NEEDS_KEPT:
                _needs.clear()
            for (kind, pk), (stamp, item) in fresh.items():
                _needs[(database, kind, pk)] = (stamp, version, item)
    return [item for kind, pk, _stamp in keys if (item := items.get((kind, pk))) is not None]


def forget(**_kwargs: Any) -> None:
    """A need's surroundings were written in this process: read the fingerprint again."""
    _fingerprints.forget()


def clear() -> None:
    """Drop everything this process keeps (tests)."""
    with _lock:
        _needs.clear()
        _corpora.clear()
    _fingerprints.clear()


def connect_write_signals() -> None:
    """Forget the fingerprint on every ORM write of what needs are built from."""
    from mediane.cooperation.models import Project, ProjectPartner
    from mediane.directory.models import Organisation, Sector
    from mediane.market.models import Challenge, ChallengeIssuer
    from mediane.territories.models import Territory

    for sender in (ProjectPartner, ChallengeIssuer, Organisation, Sector, Territory):
        uid = f"needs_index_{sender._meta.label_lower}"
        signals.post_save.connect(forget, sender=sender, dispatch_uid=uid + "_save")
        signals.post_delete.connect(forget, sender=sender, dispatch_uid=uid + "_delete")
    for through in (Project.sectors.through, Challenge.sectors.through):
        uid = f"needs_index_{through._meta.label_lower}"
        signals.m2m_changed.connect(forget, sender=through, dispatch_uid=uid)
