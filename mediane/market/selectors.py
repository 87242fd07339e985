"""Reads of the innovation market, permission-checked: pages, API and exports call these.

Lists filter in SQL with the same policy as `mediane.market.rules` (public challenges for
everyone, drafts for their issuers' editors and the secretariat; answers for their organisation,
the cleared jury and the secretariat); single objects raise `NotFound` (an Http404) when the
user may not read them, so a hidden object and a missing one look the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.http import Http404

from mediane.core.errors import NotFound
from mediane.core.permissions import (
    can,
    has_role,
    is_authenticated,
    is_secretariat,
    require,
    user_roles,
)
from mediane.directory.sanitize import clean_text
from mediane.market.models import (
    PUBLIC_STATUSES,
    Answer,
    AnswerStatus,
    Challenge,
    ChallengeEvent,
    ChallengeIssuer,
    ChallengeQuestion,
    ChallengeStatus,
    ConflictDeclaration,
    Criterion,
    JuryMember,
    Offer,
    OfferReference,
    OfferStatus,
    Score,
)
from mediane.market.ranking import Mark, RankedAnswer, rank_answers
from mediane.market.rules import AFTER_CLOSING, juror_of
from mediane.search.selectors import search_filter_queryset


class ChallengeNotFound(NotFound, Http404):
    code = "not_found"


class AnswerNotFound(NotFound, Http404):
    code = "not_found"


class OfferNotFound(NotFound, Http404):
    code = "not_found"


def _editor_org_ids(user: Any) -> list[int]:
    return [pk for pk in user_roles(user) if has_role(user, pk, "editor")]


def challenges_visible_q(user: Any) -> Q:
    """Challenges `user` may read: public ones, plus drafts of the organisations they edit."""
    if is_secretariat(user):
        return Q()
    q = Q(status__in=PUBLIC_STATUSES)
    editable = _editor_org_ids(user)
    if editable:
        q |= Q(
            pk__in=ChallengeIssuer.objects.filter(organisation_id__in=editable).values(
                "challenge_id"
            )
        )
    return q


def _challenge_qs() -> QuerySet[Challenge]:
    return Challenge.objects.prefetch_related(
        Prefetch(
            "issuer_links",
            queryset=ChallengeIssuer.objects.select_related("organisation__territory"),
        ),
        "sectors",
    )


@dataclass(frozen=True)
class ChallengeFilters:
    """Filters of the challenge list; unknown values are ignored."""

    statuses: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()  # sector slugs
    territories: tuple[str, ...] = ()  # territory slugs (concerned or issuer's)
    issuer: int | None = None  # organisation id (lead or co-issuer)
    countries: tuple[str, ...] = ()  # issuers' countries
    accepting_answers_at: Any = None  # a datetime: only those open for answers at that moment
    query: str = ""

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> ChallengeFilters:
        def values(name: str) -> tuple[str, ...]:
            raw = params.getlist(name) if hasattr(params, "getlist") else params.get(name) or []
            raw = [raw] if isinstance(raw, str) else list(raw)
            return tuple(dict.fromkeys(clean_text(v)[:100] for v in raw if clean_text(v)))[:50]

        issuer = params.get("issuer")
        try:
            issuer_id = int(str(issuer)) if issuer not in (None, "") else None
        except ValueError:
            issuer_id = None
        return cls(
            statuses=tuple(v for v in values("status") if v in ChallengeStatus.values),
            sectors=values("sector"),
            territories=values("territory"),
            issuer=issuer_id,
            countries=tuple(v.upper() for v in values("country")),
            query=clean_text(params.get("q") or "")[:200],
        )


def challenges_list_for(user: Any, filters: ChallengeFilters | None = None) -> QuerySet[Challenge]:
    """Challenges visible to `user`, filtered, newest first (issuers and sectors prefetched)."""
    filters = filters or ChallengeFilters()
    qs = _challenge_qs().filter(challenges_visible_q(user))
    if filters.statuses:
        qs = qs.filter(status__in=filters.statuses)
    if filters.sectors:
        qs = qs.filter(sectors__slug__in=filters.sectors)
    if filters.territories:
        qs = qs.filter(
            Q(territories__slug__in=filters.territories)
            | Q(issuer_links__organisation__territory__slug__in=filters.territories)
        )
    if filters.issuer is not None:
        qs = qs.filter(issuer_links__organisation_id=filters.issuer)
    if filters.countries:
        qs = qs.filter(issuer_links__organisation__country__in=filters.countries)
    if filters.accepting_answers_at is not None:
        at = filters.accepting_answers_at
        qs = qs.filter(status=ChallengeStatus.OPEN, opens_at__lte=at, closes_at__gt=at)
    if filters.sectors or filters.territories or filters.issuer or filters.countries:
        qs = qs.filter(pk__in=qs.values("pk"))  # one row per challenge (no DISTINCT on ranks)
    if filters.query:
        # Only public challenges are indexed: a query never finds a draft.
        qs = search_filter_queryset(qs, query=filters.query, kind="challenge")
        return qs.order_by("-search_rank", "-published_at", "-pk")  # type: ignore[misc]
    return qs.order_by("-published_at", "-created_at", "-pk")


def challenges_for_organisation(user: Any, organisation_id: int) -> QuerySet[Challenge]:
    """Challenges issued or co-issued by an organisation (a territory page shows joint calls)."""
    return challenges_list_for(user, ChallengeFilters(issuer=organisation_id))


def challenges_for_territory(user: Any, territory_slug: str) -> QuerySet[Challenge]:
    """Challenges concerning a territory or issued by one of its organisations (territory page)."""
    return challenges_list_for(user, ChallengeFilters(territories=(territory_slug,)))


def challenge_get_for(user: Any, *, slug: str | None = None, pk: int | None = None) -> Challenge:
    """One challenge `user` may read, with issuers, sectors, territories, criteria prefetched."""
    qs = _challenge_qs().prefetch_related("territories", "criteria", "attachments")
    try:
        challenge = qs.get(slug=slug) if slug is not None else qs.get(pk=pk or 0)
    except (Challenge.DoesNotExist, ValueError, TypeError) as exc:
        raise ChallengeNotFound(str(_not_found())) from exc
    if not can(user, "view", challenge):
        raise ChallengeNotFound(str(_not_found()))
    return challenge


def _not_found() -> str:
    from django.utils.translation import gettext as _

    return _("Défi introuvable.")


def challenge_timeline(user: Any, challenge: Challenge) -> QuerySet[ChallengeEvent]:
    require(user, "view", challenge)
    return challenge.events.select_related("actor").order_by("at", "pk")  # type: ignore[attr-defined]


def questions_for(user: Any, challenge: Challenge) -> QuerySet[ChallengeQuestion]:
    """Published questions, the user's own, and every one for the issuers and the secretariat."""
    require(user, "view", challenge)
    qs = challenge.questions.all()  # type: ignore[attr-defined]
    if not (is_secretariat(user) or can(user, "change", challenge)):
        visible = Q(is_published=True)
        if is_authenticated(user):
            visible |= Q(asked_by=user)
        qs = qs.filter(visible)
    return qs.order_by("created_at", "pk")


# --- Answers -----------------------------------------------------------------------------------


def _answer_qs() -> QuerySet[Answer]:
    return Answer.objects.select_related("organisation", "challenge").prefetch_related(
        "attachments"
    )


def answers_for_challenge(user: Any, challenge: Challenge) -> QuerySet[Answer]:
    """Active answers the user may read: all for the secretariat; for a juror, after closing,
    those of candidates they declared no conflict with. Refused to everyone else."""
    require(user, "view_answers", challenge)
    qs = _answer_qs().filter(challenge=challenge).exclude(status=AnswerStatus.WITHDRAWN)
    if not is_secretariat(user):
        juror = juror_of(user, challenge)
        cleared = ConflictDeclaration.objects.filter(juror=juror, has_conflict=False).values(
            "organisation_id"
        )
        qs = qs.filter(organisation_id__in=cleared)
    return qs.order_by("created_at", "pk")


def answer_candidates(user: Any, challenge: Challenge) -> list[dict[str, Any]]:
    """For a juror: every candidate organisation and their declaration (None: not declared).

    Shows names only, so the juror can declare before reading anything.
    """
    require(user, "score", challenge)
    if challenge.status not in AFTER_CLOSING:
        return []
    juror = juror_of(user, challenge)
    declared = dict(
        ConflictDeclaration.objects.filter(juror=juror).values_list(
            "organisation_id", "has_conflict"
        )
    )
    answers = (
        Answer.objects.filter(challenge=challenge)
        .exclude(status=AnswerStatus.WITHDRAWN)
        .select_related("organisation")
        .order_by("organisation__name")
    )
    return [
        {
            "organisation": a.organisation,
            "answer_id": a.pk,
            "has_conflict": declared.get(a.organisation_id),  # type: ignore[attr-defined]
        }
        for a in answers
    ]


def answer_get_for(user: Any, *, pk: int) -> Answer:
    try:
        answer = _answer_qs().get(pk=pk)
    except (Answer.DoesNotExist, ValueError, TypeError) as exc:
        raise AnswerNotFound(_answer_not_found()) from exc
    if not can(user, "view", answer):
        raise AnswerNotFound(_answer_not_found())
    return answer


def _answer_not_found() -> str:
    from django.utils.translation import gettext as _

    return _("Réponse introuvable.")


def my_answers(user: Any) -> QuerySet[Answer]:
    """Answers of every organisation the user belongs to (withdrawn ones included)."""
    org_ids = list(user_roles(user))
    return _answer_qs().filter(organisation_id__in=org_ids).order_by("-updated_at", "-pk")


def my_answer_to(user: Any, challenge: Challenge) -> Answer | None:
    """The active answer of one of the user's organisations to `challenge`, if any."""
    return (
        my_answers(user).filter(challenge=challenge).exclude(status=AnswerStatus.WITHDRAWN).first()
    )


# --- Evaluation --------------------------------------------------------------------------------


def criteria_for(user: Any, challenge: Challenge) -> QuerySet[Criterion]:
    require(user, "view", challenge)
    return challenge.criteria.order_by("position", "pk")  # type: ignore[attr-defined]


def jury_for(user: Any, challenge: Challenge) -> QuerySet[JuryMember]:
    """The jury, for its members, the issuers' editors and the secretariat."""
    if not (can(user, "change", challenge) or juror_of(user, challenge) is not None):
        raise ChallengeNotFound(_not_found())
    return challenge.jury.select_related("user").order_by("added_at", "pk")  # type: ignore[attr-defined]


def scores_for(user: Any, challenge: Challenge) -> QuerySet[Score]:
    """Marks the user may read: their own until the jury closes; every one after (or staff)."""
    qs = Score.objects.filter(answer__challenge=challenge).select_related(
        "juror__user", "criterion", "answer__organisation"
    )
    if can(user, "view_ranking", challenge):
        return qs
    juror = juror_of(user, challenge)
    if juror is None:
        raise ChallengeNotFound(_not_found())
    return qs.filter(juror=juror)


@dataclass
class RankingRow:
    answer: Answer
    result: RankedAnswer
    criterion_means: list[tuple[Criterion, float | None]] = field(default_factory=list)


def challenge_ranking(user: Any, challenge: Challenge) -> list[RankingRow]:
    """Answers best first with weighted mean, spread between jurors and per-criterion means."""
    require(user, "view_ranking", challenge)
    criteria = list(challenge.criteria.order_by("position", "pk"))  # type: ignore[attr-defined]
    weights = {c.pk: c.weight for c in criteria}
    answers = {
        a.pk: a
        for a in Answer.objects.filter(challenge=challenge)
        .exclude(status=AnswerStatus.WITHDRAWN)
        .select_related("organisation")
    }
    marks = [
        Mark(juror_id=j, answer_id=a, criterion_id=c, value=v)
        for j, a, c, v in Score.objects.filter(answer_id__in=list(answers)).values_list(
            "juror_id", "answer_id", "criterion_id", "value"
        )
    ]
    ranked = rank_answers(marks, weights, answers)
    return [
        RankingRow(
            answer=answers[r.answer_id],
            result=r,
            criterion_means=[(c, r.criterion_means.get(c.pk)) for c in criteria],
        )
        for r in ranked
    ]


# --- Offers ------------------------------------------------------------------------------------


def offers_visible_q(user: Any) -> Q:
    if is_secretariat(user):
        return Q()
    q = Q(status=OfferStatus.PUBLISHED)
    org_ids = list(user_roles(user))
    if org_ids:
        q |= Q(organisation_id__in=org_ids)
    return q


@dataclass(frozen=True)
class OfferFilters:
    sectors: tuple[str, ...] = ()
    target_kind: str = ""
    organisation: int | None = None
    query: str = ""


def offers_list_for(user: Any, filters: OfferFilters | None = None) -> QuerySet[Offer]:
    filters = filters or OfferFilters()
    qs = (
        Offer.objects.filter(offers_visible_q(user))
        .select_related("organisation")
        .prefetch_related("sectors", "references")
    )
    if filters.sectors:
        qs = qs.filter(pk__in=Offer.objects.filter(sectors__slug__in=filters.sectors).values("pk"))
    if filters.organisation is not None:
        qs = qs.filter(organisation_id=filters.organisation)
    if filters.target_kind:
        # JSON containment is not portable to SQLite: match the quoted value in the JSON text.
        qs = qs.annotate(_kinds=Cast("target_kinds", TextField())).filter(
            _kinds__contains=f'"{filters.target_kind}"'
        )
    if filters.query:
        qs = search_filter_queryset(qs, query=filters.query, kind="offer")
        return qs.order_by("-search_rank", "title", "pk")  # type: ignore[misc]
    return qs.order_by("title", "pk")


def offer_get_for(user: Any, *, slug: str) -> Offer:
    try:
        offer = (
            Offer.objects.select_related("organisation")
            .prefetch_related("sectors", "references__territory", "references__organisation")
            .get(slug=slug)
        )
    except Offer.DoesNotExist as exc:
        raise OfferNotFound(_offer_not_found()) from exc
    if not can(user, "view", offer):
        raise OfferNotFound(_offer_not_found())
    return offer


def _offer_not_found() -> str:
    from django.utils.translation import gettext as _

    return _("Offre introuvable.")


def offer_references_to_confirm(user: Any) -> QuerySet[OfferReference]:
    """References naming a collectivité the user edits (or its territory), not yet confirmed."""
    from mediane.directory.models import Organisation, OrganisationKind

    cities = Organisation.objects.filter(
        pk__in=_editor_org_ids(user), kind=OrganisationKind.COLLECTIVITE
    )
    return (
        OfferReference.objects.filter(confirmed_at__isnull=True)
        .filter(
            Q(organisation__in=cities)
            | Q(territory_id__in=cities.exclude(territory=None).values("territory_id"))
        )
        .select_related("offer__organisation", "territory", "organisation")
        .order_by("pk")
    )


# --- Recommendations (API, pages) ----------------------------------------------------------------
# Who may read the matching results: the organisations to invite to a challenge are for its
# issuers' editors and the secretariat; the challenges recommended to an organisation are for its
# members and the secretariat. The ranking itself is `mediane.market.matching_adapter`.


def challenge_recommendations_for(user: Any, challenge: Challenge, *, limit: int = 20) -> list[Any]:
    """Organisations to invite to `challenge` (`OrganisationRecommendation`s, best first).

    The caller has read `challenge` with `challenge_get_for` (a hidden one is a 404); a reader
    who is neither an issuer's editor nor the secretariat gets PermissionDenied (a 403).
    """
    from mediane.market.matching_adapter import recommend_organisations

    require(user, "change", challenge)
    return recommend_organisations(challenge=challenge, limit=limit, user=user)


def organisation_recommended_challenges_for(
    user: Any, organisation: Any, *, limit: int = 20
) -> list[Any]:
    """Open challenges `organisation` could answer (`ChallengeRecommendation`s, best first).

    For its members and the secretariat; PermissionDenied (a 403) for anyone else.
    """
    from django.core.exceptions import PermissionDenied

    from mediane.market.matching_adapter import recommend_challenges

    if not (is_secretariat(user) or has_role(user, organisation.pk, "member")):
        raise PermissionDenied("view_recommendations")
    return recommend_challenges(organisation=organisation, limit=limit, user=user)


# --- Evaluation and offer pages ------------------------------------------------------------------
# Reads the jury, scoring, ranking and offer pages need on top of the selectors above; each one
# checks the same rules (a hidden challenge stays a 404, a refused action a 403).


def jury_candidates(user: Any, challenge: Challenge) -> dict[str, list[Any]]:
    """People who may be seated: members of the issuing organisations (`issuers`), then
    experts (users with an expert profile), neither already in the jury. For the issuers'
    editors. Experts sharing a sector with the challenge come first, in `experts_in_sectors`
    (by how many sectors they share), the others in `other_experts`; `experts` is both."""
    from mediane.accounts.models import User

    require(user, "change", challenge)
    seated = challenge.jury.values("user_id")  # type: ignore[attr-defined]
    active = User.objects.filter(is_active=True).exclude(pk__in=seated)
    issuers = (
        active.filter(memberships__organisation_id__in=issuer_ids_of(challenge))
        .distinct()
        .order_by("full_name", "email")
    )
    sectors = list(challenge.sectors.values_list("pk", flat=True))  # type: ignore[attr-defined]
    experts = list(
        active.filter(expert_profile__isnull=False)
        .exclude(pk__in=issuers.values("pk"))
        .select_related("expert_profile")
        .annotate(
            shared_sectors=Count(
                "expert_profile__sectors",
                filter=Q(expert_profile__sectors__in=sectors),
                distinct=True,
            )
        )
        .order_by("-shared_sectors", "expert_profile__name", "pk")
    )
    in_sectors = [u for u in experts if u.shared_sectors]
    others = [u for u in experts if not u.shared_sectors]
    return {
        "issuers": list(issuers),
        "experts": experts,
        "experts_in_sectors": in_sectors,
        "other_experts": others,
    }


def issuer_ids_of(challenge: Challenge) -> list[int]:
    from mediane.market.rules import issuer_ids

    return sorted(issuer_ids(challenge))


@dataclass
class JurorAnswer:
    """An answer a juror may score, with how many criteria they have marked."""

    answer: Answer
    marked: int
    criteria: int

    @property
    def done(self) -> bool:
        return self.criteria > 0 and self.marked >= self.criteria


@dataclass
class JurorWork:
    """A juror's page: candidates to declare, answers cleared for scoring, progress."""

    candidates: list[dict[str, Any]]
    answers: list[JurorAnswer]

    @property
    def undeclared(self) -> int:
        return sum(1 for c in self.candidates if c["has_conflict"] is None)

    @property
    def scored(self) -> int:
        return sum(1 for a in self.answers if a.done)


def juror_work_for(user: Any, challenge: Challenge) -> JurorWork:
    """For a juror: candidates and their declarations, the answers they may read, their own
    marks counted per answer (never another juror's)."""
    from django.db.models import Count

    candidates = answer_candidates(user, challenge)  # requires "score"
    if challenge.status not in AFTER_CLOSING:
        return JurorWork(candidates=[], answers=[])
    juror = juror_of(user, challenge)
    answers = list(answers_for_challenge(user, challenge).order_by("organisation__name", "pk"))
    criteria = challenge.criteria.count()  # type: ignore[attr-defined]
    marked = dict(
        Score.objects.filter(juror=juror, answer__in=[a.pk for a in answers])
        .values("answer_id")
        .annotate(n=Count("pk"))
        .values_list("answer_id", "n")
    )
    return JurorWork(
        candidates=candidates,
        answers=[JurorAnswer(a, marked.get(a.pk, 0), criteria) for a in answers],
    )


def own_scores_for(user: Any, answer: Answer) -> dict[int, Score]:
    """The user's own marks of `answer`, by criterion id (a juror's scoring form)."""
    juror = juror_of(user, answer.challenge)
    if juror is None:
        raise ChallengeNotFound(_not_found())
    return {s.criterion_id: s for s in Score.objects.filter(juror=juror, answer=answer)}  # type: ignore[attr-defined]


def ranking_marks_for(user: Any, challenge: Challenge) -> dict[int, list[dict[str, Any]]]:
    """Every juror's marks per answer, for the ranking page once the jury is closed:
    {answer_id: [{"juror": JuryMember, "marks": {criterion_id: Score}}]}."""
    require(user, "view_ranking", challenge)
    grouped: dict[int, dict[int, dict[str, Any]]] = {}
    for score in scores_for(user, challenge).order_by("juror__added_at", "juror_id"):
        per_answer = grouped.setdefault(score.answer_id, {})  # type: ignore[attr-defined]
        entry = per_answer.setdefault(score.juror_id, {"juror": score.juror, "marks": {}})  # type: ignore[attr-defined]
        entry["marks"][score.criterion_id] = score  # type: ignore[attr-defined]
    return {answer_id: list(by_juror.values()) for answer_id, by_juror in grouped.items()}


@dataclass(frozen=True)
class OfferSearchFilters:
    """Filters of the offer list page (`offres/`); unknown values are ignored."""

    query: str = ""
    sectors: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()  # organisation kinds of the buyers aimed at
    price_models: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()  # the offering organisation's country

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> OfferSearchFilters:
        from mediane.directory.models import OrganisationKind
        from mediane.market.models import PriceModel
        from mediane.territories.models import Country

        def values(name: str) -> tuple[str, ...]:
            raw = params.getlist(name) if hasattr(params, "getlist") else params.get(name) or []
            raw = [raw] if isinstance(raw, str) else list(raw)
            return tuple(dict.fromkeys(clean_text(v)[:100] for v in raw if clean_text(v)))[:50]

        return cls(
            query=clean_text(params.get("q") or "")[:200],
            sectors=values("sector"),
            targets=tuple(v for v in values("target") if v in OrganisationKind.values),
            price_models=tuple(v for v in values("price_model") if v in PriceModel.values),
            countries=tuple(v for v in values("country") if v in Country.values),
        )

    @property
    def is_empty(self) -> bool:
        return not (
            self.query or self.sectors or self.targets or self.price_models or self.countries
        )

    def selected(self, name: str) -> tuple[str, ...]:
        return {
            "sector": self.sectors,
            "target": self.targets,
            "price_model": self.price_models,
            "country": self.countries,
        }.get(name, ())


@dataclass
class OfferFacet:
    name: str
    label: str
    options: list[dict[str, Any]]


@dataclass
class OfferSearchPage:
    page: Any  # django.core.paginator.Page of Offer
    total: int
    filters: OfferSearchFilters
    facets: list[OfferFacet]


def offers_search(
    user: Any, filters: OfferSearchFilters, *, page: Any = 1, per_page: int = 24
) -> OfferSearchPage:
    """Offers visible to `user`, filtered, one page, with facet counts over the results.

    A fixed number of queries whatever the number of offers (counts come from one list of
    values; the sectors of the page are prefetched).
    """
    from django.core.paginator import Paginator
    from django.utils.translation import gettext as _

    from mediane.directory.models import OrganisationKind, Sector
    from mediane.market.models import PriceModel
    from mediane.territories.models import Country

    qs = offers_list_for(
        user, OfferFilters(sectors=filters.sectors, query=filters.query)
    ).prefetch_related("sectors")
    if filters.price_models:
        qs = qs.filter(price_model__in=filters.price_models)
    if filters.countries:
        qs = qs.filter(organisation__country__in=filters.countries)
    rows = list(qs.values_list("pk", "price_model", "organisation__country", "target_kinds"))
    if filters.targets:  # JSON lists: filtered here, portable to SQLite and PostgreSQL
        wanted = set(filters.targets)
        rows = [r for r in rows if wanted & set(r[3] or [])]
    ids = [r[0] for r in rows]
    counts: dict[str, dict[str, int]] = {"price_model": {}, "country": {}, "target": {}}
    for _pk, price_model, country, kinds in rows:
        counts["price_model"][price_model] = counts["price_model"].get(price_model, 0) + 1
        counts["country"][country] = counts["country"].get(country, 0) + 1
        for kind in set(kinds or []):
            counts["target"][kind] = counts["target"].get(kind, 0) + 1
    sector_counts: dict[int, int] = {}
    for sector_id in Offer.sectors.through.objects.filter(offer_id__in=ids).values_list(
        "sector_id", flat=True
    ):
        sector_counts[sector_id] = sector_counts.get(sector_id, 0) + 1
    sectors = Sector.objects.filter(
        Q(pk__in=list(sector_counts)) | Q(slug__in=filters.sectors)
    ).order_by("position", "name")

    def options(name: str, choices: list[tuple[str, Any]]) -> list[dict[str, Any]]:
        chosen = filters.selected(name)
        return [
            {"value": v, "label": label, "count": counts[name].get(v, 0), "selected": v in chosen}
            for v, label in choices
            if counts[name].get(v) or v in chosen
        ]

    facets = [
        OfferFacet(
            "sector",
            _("Secteur"),
            [
                {
                    "value": s.slug,
                    "label": s.name,
                    "count": sector_counts.get(s.pk, 0),
                    "selected": s.slug in filters.sectors,
                }
                for s in sectors
            ],
        ),
        OfferFacet("target", _("Acheteurs visés"), options("target", OrganisationKind.choices)),
        OfferFacet("price_model", _("Modèle de prix"), options("price_model", PriceModel.choices)),
        OfferFacet("country", _("Pays de l'entreprise"), options("country", Country.choices)),
    ]
    order = {pk: i for i, pk in enumerate(ids)}
    paginator = Paginator(ids, per_page)
    page_obj = paginator.get_page(page)
    offers = {
        o.pk: o
        for o in Offer.objects.filter(pk__in=list(page_obj.object_list))
        .select_related("organisation")
        .prefetch_related("sectors", "references")
    }
    for offer in offers.values():  # shown on the cards: only what the cities confirmed counts
        offer.confirmed_references = sum(1 for r in offer.references.all() if r.is_confirmed)  # type: ignore[attr-defined]
    page_obj.object_list = sorted(offers.values(), key=lambda o: order[o.pk])  # type: ignore[arg-type, attr-defined]
    return OfferSearchPage(page=page_obj, total=len(ids), filters=filters, facets=facets)


def offer_organisations_for(user: Any) -> list[Any]:
    """Organisations for which `user` may publish an offer (editor, not a collectivité)."""
    from mediane.directory.models import Organisation, OrganisationKind

    return list(
        Organisation.objects.filter(pk__in=_editor_org_ids(user))
        .exclude(kind=OrganisationKind.COLLECTIVITE)
        .order_by("name")
    )


# --- Invitations to answer (recommendation pages) ------------------------------------------------


def challenge_invitations_for(user: Any, challenge: Challenge) -> dict[int, Any]:
    """The invitations of `challenge` by invited organisation id (issuers' editors, secretariat)."""
    from mediane.market.models import ChallengeInvitation

    require(user, "invite", challenge)
    rows = ChallengeInvitation.objects.filter(challenge=challenge)
    return {invitation.organisation_id: invitation for invitation in rows}


def organisation_invitations_for(user: Any, organisation: Any) -> list[Any]:
    """Invitations `organisation` received to challenges still open that `user` may read; for
    its members and the secretariat (PermissionDenied, a 403, otherwise)."""
    from django.core.exceptions import PermissionDenied

    from mediane.market.models import ChallengeInvitation

    if not (is_secretariat(user) or has_role(user, organisation.pk, "member")):
        raise PermissionDenied("view_invitations")
    visible = Challenge.objects.filter(challenges_visible_q(user), status=ChallengeStatus.OPEN)
    return list(
        ChallengeInvitation.objects.filter(organisation=organisation, challenge__in=visible)
        .select_related("challenge")
        .prefetch_related("challenge__issuer_links__organisation")
        .order_by("challenge__closes_at", "pk")
    )
