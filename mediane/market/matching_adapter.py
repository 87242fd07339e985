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

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import Count, Max, Prefetch, Q
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from mediane.core.permissions import visible_q
from mediane.directory.models import Organisation, Sector
from mediane.directory.sanitize import html_to_text
from mediane.market.models import Answer, Challenge, ChallengeStatus, Offer, OfferStatus
from mediane.market.selectors import challenges_visible_q
from mediane.matching import ranker
from mediane.matching.text import SYNONYM, analyse, load_thesaurus
from mediane.search.selectors import search_filter_queryset

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
        html_to_text(v) for v in (challenge.problem, challenge.context, challenge.expected_outcomes)
    ]
    return ranker.ChallengeProfile(
        id=challenge.pk,
        title=challenge.title,
        description=" ".join(filter(None, text)),
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
# one reads its offers and references and strips HTML, the costliest part of a list.
_PROFILES: dict[int, tuple[tuple[Any, ...], ranker.Candidate]] = {}
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


def _profiles(qs) -> dict[int, ranker.Candidate]:  # type: ignore[no-untyped-def]
    """Profiles (without past answers) of the organisations of `qs`, from the cache when
    their version is unchanged."""
    versions = _versions(qs)
    missing = [pk for pk, v in versions.items() if _PROFILES.get(pk, ((),))[0] != v]
    if len(_PROFILES) + len(missing) > PROFILE_CACHE_SIZE:
        _PROFILES.clear()
    for start in range(0, len(missing), 500):
        chunk = missing[start : start + 500]
        for organisation in _with_offers(Organisation.objects.filter(pk__in=chunk)):
            _PROFILES[organisation.pk] = (
                versions[organisation.pk],
                candidate_profile(organisation),
            )
    return {pk: _PROFILES[pk][1] for pk in versions if pk in _PROFILES}


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


def _challenge_profiles(qs) -> dict[int, ranker.ChallengeProfile]:  # type: ignore[no-untyped-def]
    """Profiles of the challenges of `qs`, rebuilt only when a challenge changed."""
    versions = dict(qs.values_list("pk", "updated_at"))
    missing = [pk for pk, v in versions.items() if _CHALLENGES.get(pk, (None,))[0] != v]
    if len(_CHALLENGES) + len(missing) > PROFILE_CACHE_SIZE:
        _CHALLENGES.clear()
    rows = Challenge.objects.filter(pk__in=missing).prefetch_related(
        "sectors", "issuer_links__organisation__territory"
    )
    for challenge in rows.iterator(chunk_size=500):
        _CHALLENGES[challenge.pk] = (versions[challenge.pk], challenge_profile(challenge))
    return {pk: _CHALLENGES[pk][1] for pk in versions if pk in _CHALLENGES}


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

    Organisations come from the directory's facet index (matches cached per word and data
    version, visibility applied there); offers from one search per word."""
    from mediane.directory.selectors import organisation_matches

    coverage: dict[int, float] = {}
    organisations = Organisation.objects.filter(visible_q(user))
    offers = Offer.objects.filter(status=OfferStatus.PUBLISHED, organisation__in=organisations)
    for rank, word in enumerate(query_words(profile)):
        weight = 1.0 / (1 + rank / 4)
        query = word + " "  # a whole word, not a prefix being typed
        for pk in organisation_matches(user=user, query=query, limit=PER_WORD):
            coverage[pk] = coverage.get(pk, 0.0) + weight
        by_offer = search_filter_queryset(offers, query=query, kind="offer")
        owners = by_offer.order_by("-search_rank").values_list("organisation_id", flat=True)
        for pk in set(owners[:PER_WORD]):
            coverage[pk] = coverage.get(pk, 0.0) + weight
    return sorted(coverage, key=lambda pk: (-coverage[pk], pk))[:CANDIDATES]


def _candidates(
    user: Any, profile: ranker.ChallengeProfile, exclude: set[int]
) -> list[ranker.Candidate]:
    """Profiles of the candidates (past answers included), in id order."""
    qs = Organisation.objects.filter(visible_q(user)).exclude(pk__in=exclude)
    if qs[: FULL_SCAN_MAX + 1].count() > FULL_SCAN_MAX:  # stops counting past the limit
        qs = Organisation.objects.filter(pk__in=_search_candidates(user, profile)).exclude(
            pk__in=exclude
        )
    profiles = _profiles(qs)
    past = _past_answer_sectors(profiles)
    return [
        replace(profiles[pk], past_answer_sectors=tuple(past.get(pk, ())))
        for pk in sorted(profiles)
    ]


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
    ranked = [
        r
        for r in ranker.rank(profile, _candidates(user, profile, issuers), limit=limit)
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
    loaded = _with_offers(Organisation.objects.filter(pk=organisation.pk)).first()
    past = _past_answer_sectors([organisation.pk]).get(organisation.pk)
    candidate = candidate_profile(loaded or organisation, past)
    qs = (
        Challenge.objects.filter(challenges_visible_q(user), status=ChallengeStatus.OPEN)
        .exclude(issuer_links__organisation=organisation)
        .exclude(answers__organisation=organisation)
    )
    profiles = _challenge_profiles(qs)
    labels = sector_labels()
    ranked = ranker.rank_challenges(
        candidate, [profiles[pk] for pk in sorted(profiles)], limit=limit
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
