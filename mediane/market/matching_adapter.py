"""Recommendations of the innovation market: the database side of `mediane.matching`.

`recommend_organisations(challenge=...)` lists the organisations (with their published offers)
to invite to a challenge; `recommend_challenges(organisation=...)` the open challenges an
organisation could answer. Both read only what the user may see, turn rows into the pure
ranker's profiles and its reasons into French sentences. See docs/matching.md.

Candidates: with up to `FULL_SCAN_MAX` visible organisations, all of them are ranked (the BM25
statistics are then exact); above, the search index gives the lexical candidates: the
organisations and offers matching each of the challenge's main words or their synonyms,
best-covered first, at most `CANDIDATES` of them.
"""

from __future__ import annotations

import logging
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

import numpy as np
from django.db import DatabaseError, transaction
from django.db.models import Count, Max, Prefetch, Q, Sum
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from mediane.core.permissions import visible_q
from mediane.directory.models import Organisation, Sector
from mediane.directory.sanitize import html_to_text
from mediane.market.models import (
    Answer,
    Challenge,
    ChallengeMatchVector,
    ChallengeStatus,
    MatchProfile,
    Offer,
    OfferStatus,
)
from mediane.market.selectors import challenges_visible_q
from mediane.matching import ranker, semantic
from mediane.matching.text import SYNONYM, analyse, analyser_version, load_thesaurus

logger = logging.getLogger(__name__)

FULL_SCAN_MAX = 1000  # visible organisations ranked without asking the search index
CANDIDATES = 300  # organisations handed to the ranker otherwise
QUERY_WORDS = 16  # words of the challenge (and synonyms) asked of the search index
PER_WORD = 400  # matches read per word


@dataclass(frozen=True)
class OrganisationRecommendation:
    organisation: Organisation
    score: float
    reasons: list[str]
    offers: list[Offer] = field(default_factory=list)
    features: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ChallengeRecommendation:
    challenge: Challenge
    score: float
    reasons: list[str]
    features: dict[str, float] = field(default_factory=dict)


# --- Profiles ------------------------------------------------------------------------------------


def _coordinates(organisation: Organisation | None) -> tuple[float, float] | None:
    return organisation.coordinates if organisation is not None else None


def challenge_profile(challenge: Challenge) -> ranker.ChallengeProfile:
    lead = challenge.lead_issuer
    territory = lead.territory if lead is not None else None
    text = [challenge.summary] + [
        html_to_text(v) for v in (challenge.problem, challenge.expected_outcomes)
    ]
    return ranker.ChallengeProfile(
        id=challenge.pk,
        title=challenge.title,
        description=" ".join(filter(None, text)),
        context=html_to_text(challenge.context),
        sectors=tuple(s.slug for s in challenge.sectors.all()),
        country=lead.country if lead is not None else "",
        issuer_name=territory.name if territory is not None else (lead.name if lead else ""),
        issuer_population=territory.population if territory is not None else None,
        location=_coordinates(lead),
        eligible_countries=tuple(challenge.eligible_countries or ()),
        eligible_kinds=tuple(challenge.eligible_kinds or ()),
    )


def _with_offers(qs):  # type: ignore[no-untyped-def]
    offers = Offer.objects.filter(status=OfferStatus.PUBLISHED).prefetch_related(
        "references__territory", "references__organisation__territory"
    )
    return qs.select_related("territory").prefetch_related(
        "sectors", Prefetch("offers", queryset=offers, to_attr="published")
    )


def _organisation_qs(user: Any):  # type: ignore[no-untyped-def]
    return _with_offers(Organisation.objects.filter(visible_q(user)))


# Profiles of organisations, kept between calls while their version is unchanged: building
# one reads its offers and references, strips HTML and analyses the text, the costliest part
# of a list. They are also stored (`MatchProfile`), for the other processes and the next start.
_PROFILES: dict[int, tuple[str, ranker.Candidate, np.ndarray]] = {}
PROFILE_CACHE_SIZE = 50_000


def _versions(qs) -> dict[int, tuple[Any, ...]]:  # type: ignore[no-untyped-def]
    """What a profile depends on, per organisation of `qs`: its and its offers' update times,
    the number of its published offers and of their confirmed references."""
    versions: dict[int, tuple[Any, ...]] = {
        pk: (updated_at,) for pk, updated_at in qs.values_list("pk", "updated_at")
    }
    offers = (
        Offer.objects.filter(status=OfferStatus.PUBLISHED, organisation__in=qs.values("pk"))
        .values("organisation_id")
        .annotate(
            last=Max("updated_at"),
            count=Count("pk", distinct=True),
            confirmed=Count("references", filter=Q(references__confirmed_at__isnull=False)),
        )
        .order_by()
    )
    for row in offers:
        pk = row["organisation_id"]
        if pk in versions:
            versions[pk] += (row["last"], row["count"], row["confirmed"])
    return versions


def _version_key(version: tuple[Any, ...]) -> str:
    prefix = analyser_version() + "|" + semantic.encoder_version()
    return "|".join([prefix, *(str(part) for part in version)])


def _encode(candidates: list[ranker.Candidate]) -> dict[int, np.ndarray]:
    """The vectors of meaning of each candidate: its text first, then its offers' titles."""
    texts: list[str] = []
    for c in candidates:
        texts.append(semantic.document_text(c.name, c.offers, c.description))
        texts.extend(c.offers)
    encoder = semantic.default_encoder()
    rows = [
        np.asarray(encoder.encode(texts[start : start + 64]), dtype=np.float32)
        for start in range(0, len(texts), 64)
    ]
    matrix = np.concatenate(rows) if rows else np.zeros((0, 1), dtype=np.float32)
    matrix = matrix.astype(np.float16).astype(np.float32)  # as stored: the same scores after
    found, at = {}, 0
    for c in candidates:
        found[c.id] = matrix[at : at + 1 + len(c.offers)]
        at += 1 + len(c.offers)
    return found


def _payload(candidate: ranker.Candidate) -> dict[str, Any]:
    """A profile (without past answers) as stored in `MatchProfile.data`."""
    return {
        "name": candidate.name,
        "kind": candidate.kind,
        "country": candidate.country,
        "description": candidate.description,
        "offers": list(candidate.offers),
        "sectors": list(candidate.sectors),
        "references": [[r.name, r.country, r.population] for r in candidate.references],
        "location": list(candidate.location) if candidate.location else None,
        "analysis": (candidate.analysis or ranker.analyse_candidate(candidate)).to_json(),
    }


def _from_payload(pk: int, data: Mapping[str, Any]) -> ranker.Candidate:
    location = data.get("location")
    return ranker.Candidate(
        id=pk,
        name=data["name"],
        kind=data["kind"],
        country=data["country"],
        description=data["description"],
        offers=tuple(data["offers"]),
        sectors=tuple(data["sectors"]),
        references=tuple(
            ranker.ReferenceCity(name=name, country=country, population=population)
            for name, country, population in data["references"]
        ),
        location=(float(location[0]), float(location[1])) if location else None,
        analysis=ranker.Analysis.from_json(data["analysis"]),
    )


def _store(profiles: dict[int, tuple[str, dict[str, Any], np.ndarray]]) -> None:
    """Save built profiles ({pk: (version, payload, vectors)}); a failure (a concurrent
    writer, a locked database) only costs building them again later."""
    rows = [
        MatchProfile(
            organisation_id=pk,
            version=version,
            data=data,
            vectors=b"".join(semantic.pack(row) for row in vectors),
        )
        for pk, (version, data, vectors) in profiles.items()
    ]
    _upsert(MatchProfile, rows, "organisation", ["version", "data", "vectors", "built_at"])


def _upsert(model: Any, rows: list[Any], key: str, fields: list[str]) -> bool:
    """Insert or update stored caches of the recommendations (profiles, vectors), in one
    transaction; a failure (a concurrent writer, a locked database) is logged and only costs
    building them again later. True when stored."""
    try:
        with transaction.atomic():
            model.objects.bulk_create(
                rows,
                batch_size=500,
                update_conflicts=True,
                unique_fields=[key],
                update_fields=fields,
            )
    except DatabaseError:
        logger.warning("%s not stored (%s rows)", model.__name__, len(rows), exc_info=True)
        return False
    return True


def build_profiles(pks: list[int], versions: Mapping[int, tuple[Any, ...]] | None = None) -> int:
    """Build and store the profiles of the organisations `pks` (their current versions read
    when `versions` is not given); returns how many were stored."""
    if versions is None:
        versions = _versions(Organisation.objects.filter(pk__in=pks))
    count = 0
    for start in range(0, len(pks), 500):
        chunk = pks[start : start + 500]
        candidates = [
            candidate_profile(organisation)
            for organisation in _with_offers(Organisation.objects.filter(pk__in=chunk))
            if organisation.pk in versions
        ]
        candidates = [replace(c, analysis=ranker.analyse_candidate(c)) for c in candidates]
        vectors = _encode(candidates)
        built: dict[int, tuple[str, dict[str, Any], np.ndarray]] = {}
        for candidate in candidates:
            key = _version_key(versions[candidate.id])
            built[candidate.id] = (key, _payload(candidate), vectors[candidate.id])
            _remember(candidate.id, key, candidate, vectors[candidate.id])
        if built:
            _store(built)
        count += len(built)
    return count


def refresh_profiles(progress: Callable[[int], object] | None = None) -> int:
    """Build and store the missing or stale profiles of every organisation (`mediane
    matching-profiles` and the worker's periodic job); returns how many were built.
    `progress(n)` is called after each batch with the number of organisations checked."""
    built = 0
    pks = list(Organisation.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), 2000):
        chunk = pks[start : start + 2000]
        versions = _versions(Organisation.objects.filter(pk__in=chunk))
        stored = dict(
            MatchProfile.objects.filter(organisation_id__in=chunk).values_list(
                "organisation_id", "version"
            )
        )
        stale = [pk for pk, v in versions.items() if stored.get(pk) != _version_key(v)]
        if stale:
            built += build_profiles(stale, versions)
        if progress is not None:
            progress(len(chunk))
    return built


def _remember(pk: int, key: str, candidate: ranker.Candidate, vectors: np.ndarray) -> None:
    if len(_PROFILES) >= PROFILE_CACHE_SIZE:
        _PROFILES.clear()
    _PROFILES[pk] = (key, candidate, vectors)


def _profiles(qs) -> dict[int, tuple[ranker.Candidate, np.ndarray]]:  # type: ignore[no-untyped-def]
    """Profiles (without past answers) of the organisations of `qs` and their vectors of
    meaning (text, then offers' titles): from this process's cache, else from the stored
    profiles, when their version is unchanged; built (and stored) otherwise."""
    versions = _versions(qs)
    keys = {pk: _version_key(v) for pk, v in versions.items()}
    found: dict[int, tuple[ranker.Candidate, np.ndarray]] = {}
    wanted = []
    for pk, key in keys.items():
        hit = _PROFILES.get(pk)
        if hit is not None and hit[0] == key:
            found[pk] = (hit[1], hit[2])
        else:
            wanted.append(pk)
    for start in range(0, len(wanted), 500):
        stored = MatchProfile.objects.filter(organisation_id__in=wanted[start : start + 500])
        rows = stored.values_list("organisation_id", "version", "data", "vectors")
        for pk, version, data, packed in rows:
            if version != keys[pk] or packed is None:
                continue
            candidate = _from_payload(pk, data)
            vectors = semantic.unpack_rows(bytes(packed), 1 + len(candidate.offers))
            found[pk] = (candidate, vectors)
            _remember(pk, version, candidate, vectors)
    missing = [pk for pk in wanted if pk not in found]
    if missing:
        build_profiles(missing, versions)
        found.update((pk, _PROFILES[pk][1:]) for pk in missing if pk in _PROFILES)
    return found


def _past_answer_sectors(organisation_ids: Iterable[int]) -> dict[int, list[str]]:
    rows = (
        Answer.objects.filter(organisation_id__in=list(organisation_ids))
        .exclude(withdrawn_at__isnull=False)
        .values_list("organisation_id", "challenge__sectors__slug")
    )
    past: dict[int, list[str]] = {}
    for organisation_id, slug in rows:
        if slug:
            past.setdefault(organisation_id, []).append(slug)
    return past


def _references(offers: list[Offer]) -> tuple[ranker.ReferenceCity, ...]:
    cities: dict[str, ranker.ReferenceCity] = {}
    for offer in offers:
        for ref in offer.references.all():  # type: ignore[attr-defined]
            if ref.confirmed_at is None:
                continue  # only references the city confirmed count
            territory = ref.territory or (ref.organisation.territory if ref.organisation else None)
            name = territory.name if territory is not None else str(ref.organisation)
            cities.setdefault(
                name,
                ranker.ReferenceCity(
                    name=name,
                    country=territory.country if territory is not None else "",
                    population=territory.population if territory is not None else None,
                ),
            )
    return tuple(cities.values())


def candidate_profile(
    organisation: Organisation, past: list[str] | None = None
) -> ranker.Candidate:
    offers = list(getattr(organisation, "published", None) or [])
    parts = [organisation.summary, html_to_text(organisation.description)]
    parts += [f"{o.summary} {html_to_text(o.description)}" for o in offers]
    description = " ".join(part for part in parts if part)
    return ranker.Candidate(
        id=organisation.pk,
        name=organisation.name,
        kind=organisation.kind,
        country=organisation.country,
        description=description,
        offers=tuple(o.title for o in offers),
        sectors=tuple(s.slug for s in organisation.sectors.all()),
        references=_references(offers),
        location=organisation.coordinates,
        past_answer_sectors=tuple(past or ()),
    )


_CHALLENGES: dict[int, tuple[Any, ranker.ChallengeProfile]] = {}


def _challenge_profiles(  # type: ignore[no-untyped-def]
    qs, versions: Mapping[int, Any] | None = None
) -> dict[int, ranker.ChallengeProfile]:
    """Profiles of the challenges of `qs` (whose update times are `versions` when known),
    rebuilt only when a challenge changed."""
    if versions is None:
        versions = dict(qs.values_list("pk", "updated_at"))
    missing = [pk for pk, v in versions.items() if _CHALLENGES.get(pk, (None,))[0] != v]
    if len(_CHALLENGES) + len(missing) > PROFILE_CACHE_SIZE:
        _CHALLENGES.clear()
    for start in range(0, len(missing), 500):
        rows = Challenge.objects.filter(pk__in=missing[start : start + 500]).prefetch_related(
            "sectors", "issuer_links__organisation__territory"
        )
        for challenge in rows:
            _CHALLENGES[challenge.pk] = (versions[challenge.pk], challenge_profile(challenge))
    return {pk: _CHALLENGES[pk][1] for pk in versions if pk in _CHALLENGES}


# --- Challenges' meaning, stored -----------------------------------------------------------------


def _challenge_vector_key(updated_at: Any) -> str:
    """What a challenge's stored vector depends on: the encoder, how the scene is set apart,
    and the challenge's last change."""
    weights = ranker.DEFAULT_WEIGHTS
    return "|".join(
        [
            semantic.encoder_version(),
            f"scene {weights.scene_contrast} {weights.scene_min_sentences}",
            str(updated_at),
        ]
    )


# The stored vectors read so far, by challenge: (version, vector), one copy per process shared
# by the corpora of the different readers.
_CHALLENGE_VECTORS: dict[int, tuple[str, np.ndarray]] = {}


def _stored_challenge_vectors(versions: Mapping[int, Any]) -> dict[int, np.ndarray]:
    """The stored vectors of the challenges `versions` ({pk: updated_at}) still current."""
    keys = {pk: _challenge_vector_key(updated_at) for pk, updated_at in versions.items()}
    found: dict[int, np.ndarray] = {}
    for pk, key in keys.items():
        hit = _CHALLENGE_VECTORS.get(pk)
        if hit is not None and hit[0] == key:
            found[pk] = hit[1]
    wanted = [pk for pk in keys if pk not in found]
    if len(_CHALLENGE_VECTORS) + len(wanted) > PROFILE_CACHE_SIZE:
        _CHALLENGE_VECTORS.clear()
    for start in range(0, len(wanted), 500):
        rows = ChallengeMatchVector.objects.filter(
            challenge_id__in=wanted[start : start + 500]
        ).values_list("challenge_id", "version", "vector")
        for pk, version, packed in rows:
            if version == keys[pk]:
                found[pk] = semantic.unpack(bytes(packed))
                _CHALLENGE_VECTORS[pk] = (version, found[pk])
    return found


def build_challenge_vectors(pks: list[int], versions: Mapping[int, Any] | None = None) -> int:
    """Encode and store the meaning of the challenges `pks` (their update times `versions`,
    read when not given); returns how many were stored. Encoded in batches straight from the
    encoder: these texts are not kept in the process's cache of texts (the lists read the
    stored vectors). A failure to store (a concurrent writer, a locked database) only costs
    encoding them again later."""
    if versions is None:
        versions = dict(Challenge.objects.filter(pk__in=pks).values_list("pk", "updated_at"))
    encoder = semantic.default_encoder()
    count = 0
    for start in range(0, len(pks), 64):
        chunk = {pk: versions[pk] for pk in pks[start : start + 64] if pk in versions}
        profiles = _challenge_profiles(Challenge.objects.filter(pk__in=list(chunk)), chunk)
        chosen = [profiles[pk] for pk in sorted(profiles)]
        matrix = ranker.challenges_matrix(chosen, encoder=encoder)
        rows = [
            ChallengeMatchVector(
                challenge_id=profile.id,
                version=_challenge_vector_key(versions[profile.id]),
                vector=semantic.pack(vector),
            )
            for profile, vector in zip(chosen, matrix, strict=True)
        ]
        if _upsert(ChallengeMatchVector, rows, "challenge", ["version", "vector", "built_at"]):
            count += len(rows)
    return count


def refresh_challenge_vectors(progress: Callable[[int], object] | None = None) -> int:
    """Build and store the missing or stale vectors of the open challenges (`mediane
    matching-profiles` and the worker's periodic job); returns how many were built."""
    built = 0
    versions = dict(
        Challenge.objects.filter(status=ChallengeStatus.OPEN)
        .order_by("pk")
        .values_list("pk", "updated_at")
    )
    pks = list(versions)
    for start in range(0, len(pks), 1000):
        chunk = {pk: versions[pk] for pk in pks[start : start + 1000]}
        stored = dict(
            ChallengeMatchVector.objects.filter(challenge_id__in=list(chunk)).values_list(
                "challenge_id", "version"
            )
        )  # the table, not this process's copies: another process may have changed it
        stale = [pk for pk, v in chunk.items() if stored.get(pk) != _challenge_vector_key(v)]
        if stale:
            built += build_challenge_vectors(stale, chunk)
        if progress is not None:
            progress(len(chunk))
    return built


# The open challenges a reader may see, analysed once (documents, BM25 statistics, postings)
# with their stored vectors of meaning: kept per version of that set (one aggregate query:
# count, last update, sum and maximum of the ids; a challenge added, removed or changed moves
# it), a few per process (anonymous, members, ...). A challenge whose vector is not stored yet
# is encoded by the ranker when it is among the best by words (and kept by text in-process).
_CORPORA: OrderedDict[tuple[Any, ...], tuple[ranker.ChallengeCorpus, dict[int, np.ndarray]]] = (
    OrderedDict()
)
CORPORA = 8


def _challenge_corpus(qs) -> tuple[ranker.ChallengeCorpus, dict[int, np.ndarray]]:  # type: ignore[no-untyped-def]
    key = tuple(
        qs.order_by()
        .aggregate(n=Count("pk"), last=Max("updated_at"), total=Sum("pk"), top=Max("pk"))
        .values()
    )
    entry = _CORPORA.get(key)
    if entry is None:
        versions = dict(qs.values_list("pk", "updated_at"))
        profiles = _challenge_profiles(qs, versions)
        corpus = ranker.challenge_corpus([profiles[pk] for pk in sorted(profiles)])
        entry = (corpus, _stored_challenge_vectors(versions))
        _CORPORA[key] = entry
        while len(_CORPORA) > CORPORA:
            _CORPORA.popitem(last=False)
    else:
        _CORPORA.move_to_end(key)
    return entry


# --- Candidates ----------------------------------------------------------------------------------


def query_words(profile: ranker.ChallengeProfile, limit: int = QUERY_WORDS) -> list[str]:
    """The challenge's main words for the search index: title first, then the most repeated
    words of the text, each synonym group also asked through its other phrases."""
    thesaurus = load_thesaurus()
    weights: Counter[str] = Counter()
    for text, boost in ((profile.title, 3), (profile.description, 1)):
        for token in analyse(text, thesaurus):
            if token.proper:
                continue
            if token.key.startswith(SYNONYM):
                for phrase in thesaurus.groups[token.key].phrases:
                    weights[phrase] += boost
            elif token.key[:1] != "~":
                weights[token.surface.lower()] += boost
    return [word for word, _w in weights.most_common(limit)]


def _search_candidates(user: Any, profile: ranker.ChallengeProfile) -> list[int]:
    """Organisation ids matching the most of the challenge's words (own text or offers).

    Organisations come from the directory's facet index, offers' owners from the market's
    offer index (both keep the matches of a word per data version; no SQL once a word was
    seen); visibility is the directory's rule."""
    from mediane.directory.selectors import organisation_matches, organisations_visible_among
    from mediane.market.offer_index import offer_index
    from mediane.search.selectors import search_match_ranks

    coverage: dict[int, float] = {}
    offers = offer_index()
    for rank, word in enumerate(query_words(profile)):
        weight = 1.0 / (1 + rank / 4)
        query = word + " "  # a whole word, not a prefix being typed
        for pk in organisation_matches(user=user, query=query, limit=PER_WORD):
            coverage[pk] = coverage.get(pk, 0.0) + weight
        owners = offers.matches(query, partial(search_match_ranks, query=query, kind="offer"))
        for pk in organisations_visible_among(user=user, ids=owners, limit=PER_WORD):
            coverage[pk] = coverage.get(pk, 0.0) + weight
    return sorted(coverage, key=lambda pk: (-coverage[pk], pk))[:CANDIDATES]


def _candidates(
    user: Any, profile: ranker.ChallengeProfile, exclude: set[int]
) -> tuple[list[ranker.Candidate], dict[int, np.ndarray]]:
    """Profiles of the candidates (past answers included), in id order, and the vector of
    each one's text. The vectors of their offers' titles are given to the encoder's cache
    (the reason "close in meaning" names the closest offer)."""
    qs = Organisation.objects.filter(visible_q(user)).exclude(pk__in=exclude)
    if qs[: FULL_SCAN_MAX + 1].count() > FULL_SCAN_MAX:  # stops counting past the limit
        qs = Organisation.objects.filter(pk__in=_search_candidates(user, profile)).exclude(
            pk__in=exclude
        )
    profiles = _profiles(qs)
    past = _past_answer_sectors(profiles)
    titles: list[str] = []
    title_rows: list[np.ndarray] = []
    for candidate, vectors in profiles.values():
        titles.extend(candidate.offers)
        title_rows.extend(vectors[1:])
    semantic.remember(titles, title_rows)
    candidates = [
        replace(profiles[pk][0], past_answer_sectors=tuple(past.get(pk, ())))
        for pk in sorted(profiles)
    ]
    return candidates, {pk: vectors[0] for pk, (_c, vectors) in profiles.items()}


# --- Reasons -------------------------------------------------------------------------------------


def sector_labels() -> dict[str, str]:
    """Sector slug -> name in the active language (for `describe`)."""
    return {sector.slug: sector.label(get_language() or "fr") for sector in Sector.objects.all()}


def describe(reason: ranker.Reason, sectors: Mapping[str, str] | None = None) -> str:
    """A French sentence (translated through gettext) for one reason of the ranker;
    `sectors` names the sectors (`sector_labels()`), slugs are shown otherwise."""
    p = reason.params
    labels = sectors or {}

    def _sector_names(slugs: Iterable[str]) -> str:
        return ", ".join(labels.get(slug, slug) for slug in slugs)

    if reason.code == "terms":
        return _("Mots en commun : %(terms)s") % {"terms": ", ".join(p["terms"])}
    if reason.code == "synonyms":
        pairs = ", ".join(f"{a} ≈ {b}" for a, b in p["pairs"])
        return _("Termes apparentés : %(pairs)s") % {"pairs": pairs}
    if reason.code == "semantic":
        if not p.get("text"):
            return _("Sens proche du défi")
        return _("Sens proche : %(text)s") % {"text": p["text"]}
    if reason.code == "sectors":
        return _("Secteurs en commun : %(sectors)s") % {"sectors": _sector_names(p["sectors"])}
    if reason.code == "related_sectors":
        pairs = ", ".join(f"{_sector_names([a])} ~ {_sector_names([b])}" for a, b in p["pairs"])
        return _("Secteurs voisins : %(pairs)s") % {"pairs": pairs}
    if reason.code == "reference_issuer":
        return _("Déjà référencée à %(city)s") % {"city": p["city"]}
    if reason.code == "references_similar":
        return _("Références dans des villes comparables : %(cities)s") % {
            "cities": ", ".join(p["cities"])
        }
    if reason.code == "references_country":
        return _("Références dans le même pays : %(cities)s") % {"cities": ", ".join(p["cities"])}
    if reason.code == "past_answers":
        return ngettext(
            "A déjà répondu à %(count)s défi du même secteur",
            "A déjà répondu à %(count)s défis du même secteur",
            p["count"],
        ) % {"count": p["count"]}
    if reason.code == "distance":
        return _("Même pays, à %(km)s km") % {"km": p["km"]}
    if reason.code == "same_country":
        return _("Même pays")
    return reason.code


# --- Public functions ----------------------------------------------------------------------------


def recommend_organisations(
    *, challenge: Challenge, limit: int = 20, user: Any = None
) -> list[OrganisationRecommendation]:
    """Organisations to invite to `challenge`, best first, with their published offers and the
    reasons; only organisations `user` may see, never the challenge's own issuers. The
    challenge itself must be visible to `user` (an invisible one gives an empty list)."""
    if not Challenge.objects.filter(challenges_visible_q(user), pk=challenge.pk).exists():
        return []
    limit = max(1, min(int(limit), 200))
    profile = challenge_profile(challenge)
    issuers = {link.organisation_id for link in challenge.issuer_links.all()}  # type: ignore[attr-defined]
    candidates, vectors = _candidates(user, profile, issuers)
    ranked = [
        r
        for r in ranker.rank(profile, candidates, limit=limit, document_vectors=vectors)
        if r.score > 0
    ]
    offers = Offer.objects.filter(status=OfferStatus.PUBLISHED).order_by("title", "pk")
    by_id = (
        Organisation.objects.select_related("territory")
        .prefetch_related(Prefetch("offers", queryset=offers, to_attr="published"))
        .in_bulk([r.candidate.id for r in ranked])
    )
    labels = sector_labels()
    return [
        OrganisationRecommendation(
            organisation=by_id[r.candidate.id],
            score=r.score,
            reasons=[describe(reason, labels) for reason in r.reasons],
            offers=list(getattr(by_id[r.candidate.id], "published", [])),
            features=dict(r.features),
        )
        for r in ranked
        if r.candidate.id in by_id
    ]


def recommend_challenges(
    *, organisation: Organisation, limit: int = 20, user: Any = None
) -> list[ChallengeRecommendation]:
    """Open challenges `organisation` could answer, best first, with the reasons; only
    challenges `user` may see, not those it issued nor those it already answered."""
    limit = max(1, min(int(limit), 200))
    # The stored profile (built if missing or stale): the organisation's analysed text and its
    # vectors of meaning, its text's first, then its offers' titles (given to the encoder's
    # cache: the reason "close in meaning" names the closest offer).
    profile, vectors = _profiles(Organisation.objects.filter(pk=organisation.pk))[organisation.pk]
    semantic.remember(list(profile.offers), list(vectors[1:]))
    past = _past_answer_sectors([organisation.pk]).get(organisation.pk, ())
    candidate = replace(profile, past_answer_sectors=tuple(past))
    qs = Challenge.objects.filter(challenges_visible_q(user), status=ChallengeStatus.OPEN)
    exclude = set(
        qs.filter(
            Q(issuer_links__organisation=organisation) | Q(answers__organisation=organisation)
        ).values_list("pk", flat=True)
    )
    labels = sector_labels()
    corpus, challenge_vectors = _challenge_corpus(qs)
    ranked = ranker.rank_challenges(
        candidate,
        corpus=corpus,
        exclude=exclude,
        limit=limit,
        organisation_vector=vectors[0],
        challenge_vectors=challenge_vectors,
    )
    by_id = Challenge.objects.prefetch_related("sectors").in_bulk([p.id for p, _r in ranked])
    return [
        ChallengeRecommendation(
            challenge=by_id[profile.id],
            score=r.score,
            reasons=[describe(reason, labels) for reason in r.reasons],
            features=dict(r.features),
        )
        for profile, r in ranked
        if r.score > 0 and profile.id in by_id
    ]


__all__ = [
    "ChallengeRecommendation",
    "OrganisationRecommendation",
    "describe",
    "recommend_challenges",
    "recommend_organisations",
]
