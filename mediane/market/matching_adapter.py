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
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mediane.core.permissions import visible_q
from mediane.directory.models import Organisation
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


def _organisation_qs(user: Any):  # type: ignore[no-untyped-def]
    offers = Offer.objects.filter(status=OfferStatus.PUBLISHED).prefetch_related(
        "references__territory", "references__organisation__territory"
    )
    return (
        Organisation.objects.filter(visible_q(user))
        .select_related("territory")
        .prefetch_related("sectors", Prefetch("offers", queryset=offers, to_attr="published"))
    )


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
    """Organisation ids matching the most of the challenge's words (own text or offers)."""
    coverage: dict[int, float] = {}
    organisations = Organisation.objects.filter(visible_q(user))
    offers = Offer.objects.filter(status=OfferStatus.PUBLISHED, organisation__in=organisations)
    for rank, word in enumerate(query_words(profile)):
        weight = 1.0 / (1 + rank / 4)
        query = word + " "  # a whole word, not a prefix being typed
        found = search_filter_queryset(organisations, query=query, kind="organisation")
        for pk in found.order_by("-search_rank").values_list("pk", flat=True)[:PER_WORD]:
            coverage[pk] = coverage.get(pk, 0.0) + weight
        by_offer = search_filter_queryset(offers, query=query, kind="offer")
        owners = by_offer.order_by("-search_rank").values_list("organisation_id", flat=True)
        for pk in set(owners[:PER_WORD]):
            coverage[pk] = coverage.get(pk, 0.0) + weight
    return sorted(coverage, key=lambda pk: (-coverage[pk], pk))[:CANDIDATES]


def _candidates(
    user: Any, profile: ranker.ChallengeProfile, exclude: set[int]
) -> list[Organisation]:
    qs = _organisation_qs(user).exclude(pk__in=exclude)
    if qs.count() > FULL_SCAN_MAX:
        qs = qs.filter(pk__in=_search_candidates(user, profile))
    return list(qs.order_by("pk"))


# --- Reasons -------------------------------------------------------------------------------------


def _sector_names(slugs: Iterable[str]) -> str:
    from mediane.directory.models import Sector

    names = dict(Sector.objects.filter(slug__in=list(slugs)).values_list("slug", "name"))
    return ", ".join(names.get(slug, slug) for slug in slugs)


def describe(reason: ranker.Reason) -> str:
    """A French sentence (translated through gettext) for one reason of the ranker."""
    p = reason.params
    if reason.code == "terms":
        return _("Mots en commun : %(terms)s") % {"terms": ", ".join(p["terms"])}
    if reason.code == "synonyms":
        pairs = ", ".join(f"{a} ≈ {b}" for a, b in p["pairs"])
        return _("Termes apparentés : %(pairs)s") % {"pairs": pairs}
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
    organisations = _candidates(user, profile, issuers)
    past = _past_answer_sectors(o.pk for o in organisations)
    by_id = {o.pk: o for o in organisations}
    ranked = ranker.rank(
        profile,
        [candidate_profile(o, past.get(o.pk)) for o in organisations],
        limit=limit,
    )
    return [
        OrganisationRecommendation(
            organisation=by_id[r.candidate.id],
            score=r.score,
            reasons=[describe(reason) for reason in r.reasons],
            offers=list(getattr(by_id[r.candidate.id], "published", [])),
            features=dict(r.features),
        )
        for r in ranked
        if r.score > 0
    ]


def recommend_challenges(
    *, organisation: Organisation, limit: int = 20, user: Any = None
) -> list[ChallengeRecommendation]:
    """Open challenges `organisation` could answer, best first, with the reasons; only
    challenges `user` may see, not those it issued nor those it already answered."""
    limit = max(1, min(int(limit), 200))
    organisation = _organisation_qs(None).filter(pk=organisation.pk).first() or organisation
    past = _past_answer_sectors([organisation.pk]).get(organisation.pk)
    candidate = candidate_profile(organisation, past)
    challenges = list(
        Challenge.objects.filter(challenges_visible_q(user), status=ChallengeStatus.OPEN)
        .exclude(issuer_links__organisation=organisation)
        .exclude(answers__organisation=organisation)
        .prefetch_related("sectors", "issuer_links__organisation__territory")
        .order_by("pk")
    )
    by_id = {c.pk: c for c in challenges}
    ranked = ranker.rank_challenges(
        candidate, [challenge_profile(c) for c in challenges], limit=limit
    )
    return [
        ChallengeRecommendation(
            challenge=by_id[profile.id],
            score=r.score,
            reasons=[describe(reason) for reason in r.reasons],
            features=dict(r.features),
        )
        for profile, r in ranked
        if r.score > 0
    ]


__all__ = [
    "ChallengeRecommendation",
    "OrganisationRecommendation",
    "describe",
    "recommend_challenges",
    "recommend_organisations",
]
