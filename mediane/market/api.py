"""API of the innovation market: challenges, one's own answers, offers, recommendations and
invitations to answer.

Reads go through `mediane.market.selectors` (the same rows and permissions as the pages and the
exports): anonymous callers see public challenges and published offers only; a token adds what
its owner may read (their drafts, their answers). Hidden objects are 404 exactly like missing
ones; objects that may be read but not used this way (recommendations) are 403.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from mediane.api.auth import request_user, require_token
from mediane.api.errors import READ_ERRORS, WRITE_ERRORS, error_responses
from mediane.api.pagination import PageIn, PageOut, page
from mediane.core.errors import ValidationFailed
from mediane.core.permissions import can, can_see_visibility
from mediane.directory.models import Organisation, Sector
from mediane.directory.selectors import OrganisationNotFound, organisation_get_for
from mediane.market import selectors, services
from mediane.market.models import (
    Answer,
    Challenge,
    ChallengeStatus,
    IssuerRole,
    Offer,
    OfferReference,
)
from mediane.territories.models import Territory

router = Router(tags=["Marché de l'innovation"])

TOKEN_READ_ERRORS = (401, 403, 404, 422, 429)


def _absolute(path: str) -> str:
    """The page's absolute URL; "" while the page does not exist."""
    return settings.SITE_URL + path if path else ""


def _split(value: str) -> list[str]:
    return list(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))


# --- shared output schemas -----------------------------------------------------------------------


class RefOut(Schema):
    slug: str
    name: str


class IssuerOut(Schema):
    slug: str
    name: str
    role: str = Field(description="lead (émetteur principal) ou co (co-émetteur).")
    country: str


class ChallengeRefOut(Schema):
    slug: str
    title: str
    status: str


# --- challenges ----------------------------------------------------------------------------------


class ChallengeOut(Schema):
    slug: str
    title: str
    summary: str
    status: str = Field(description="draft, submitted, open, closed, evaluation, awarded…")
    status_label: str
    issuers: list[IssuerOut]
    sectors: list[RefOut]
    budget_min: int | None
    budget_max: int | None
    currency: str
    pilot_duration_months: int | None
    opens_at: datetime | None = Field(description="Ouverture (UTC).")
    closes_at: datetime | None = Field(
        description="Clôture (UTC) : les réponses sont refusées après."
    )
    time_zone: str = Field(
        description="Fuseau de l'émetteur principal, dans lequel lire les dates."
    )
    published_at: datetime | None
    accepting_answers: bool = Field(description="Vrai tant que les réponses sont acceptées.")
    is_demo: bool
    url: str

    @staticmethod
    def resolve_status_label(obj: Challenge) -> str:
        return str(obj.get_status_display())  # type: ignore[attr-defined]

    @staticmethod
    def resolve_issuers(obj: Challenge) -> list[dict[str, str]]:
        links = sorted(obj.issuer_links.all(), key=lambda link: link.role != IssuerRole.LEAD)  # type: ignore[attr-defined]
        return [
            {
                "slug": link.organisation.slug,
                "name": link.organisation.name,
                "role": link.role,
                "country": link.organisation.country,
            }
            for link in links
        ]

    @staticmethod
    def resolve_sectors(obj: Challenge) -> list[Sector]:
        return list(obj.sectors.all())

    @staticmethod
    def resolve_accepting_answers(obj: Challenge) -> bool:
        return obj.is_accepting_answers(timezone.now())

    @staticmethod
    def resolve_url(obj: Challenge) -> str:
        return _absolute(obj.get_absolute_url())


class CriterionOut(Schema):
    label: str
    description: str
    weight: int


class AttachmentOut(Schema):
    title: str
    content_type: str
    size: int


class EventOut(Schema):
    at: datetime
    from_status: str
    to_status: str
    note: str


class PilotReportOut(Schema):
    outcome: str = Field(description="Texte enrichi, HTML nettoyé.")
    contract_signed: bool
    amount: int | None
    currency: str
    lessons: str


class ChallengeDetailOut(ChallengeOut):
    problem: str = Field(description="Texte enrichi, HTML nettoyé.")
    context: str
    expected_outcomes: str
    constraints: str
    territories: list[RefOut]
    eligible_countries: list[str] = Field(description="Vide : tous les pays.")
    eligible_kinds: list[str] = Field(description="Vide : tous les types d'organisation.")
    contact_name: str
    contact_email: str
    criteria: list[CriterionOut]
    attachments: list[AttachmentOut]
    timeline: list[EventOut]
    decided_at: datetime | None
    decision_note: str
    pilot_report: PilotReportOut | None

    @staticmethod
    def resolve_territories(obj: Challenge) -> list[Territory]:
        return list(obj.territories.all())

    @staticmethod
    def resolve_criteria(obj: Challenge) -> list[Any]:
        return sorted(obj.criteria.all(), key=lambda c: (c.position, c.pk))  # type: ignore[attr-defined]

    @staticmethod
    def resolve_attachments(obj: Challenge) -> list[Any]:
        return list(obj.attachments.all())  # type: ignore[attr-defined]

    @staticmethod
    def resolve_timeline(obj: Challenge, context: dict[str, Any]) -> list[Any]:
        return list(selectors.challenge_timeline(request_user(context["request"]), obj))

    @staticmethod
    def resolve_pilot_report(obj: Challenge) -> Any:
        return getattr(obj, "pilot_report", None)


class ChallengeListIn(PageIn):
    q: str = Field("", max_length=200, description="Texte recherché (défis publics seulement).")
    status: str = Field("", max_length=200, description="États : open, closed, awarded…")
    sector: str = Field("", max_length=300, description="Identifiants de secteurs.")
    territory: str = Field(
        "", max_length=500, description="Identifiants de territoires (concernés ou des émetteurs)."
    )
    country: str = Field("", max_length=20, description="Pays des émetteurs : FR, QC ou FR,QC.")
    issuer: str = Field("", max_length=220, description="Identifiant d'une organisation émettrice.")


class ChallengeListOut(PageOut):
    results: list[ChallengeOut]


def _challenge_filters(*, user: Any, params: ChallengeListIn) -> selectors.ChallengeFilters:
    """API parameters → the list's filters; unknown values are a 422 (never a wider answer)."""
    errors: dict[str, list[str]] = {}
    statuses, countries = _split(params.status), [c.upper() for c in _split(params.country)]
    sectors, territories = _split(params.sector), _split(params.territory)
    checks = (
        ("status", statuses, set(ChallengeStatus.values), _("État inconnu : %(values)s.")),
        ("country", countries, {"FR", "QC"}, _("Pays inconnu (FR ou QC) : %(values)s.")),
        (
            "sector",
            sectors,
            set(Sector.objects.filter(slug__in=sectors).values_list("slug", flat=True)),
            _("Secteur inconnu : %(values)s."),
        ),
        (
            "territory",
            territories,
            set(Territory.objects.filter(slug__in=territories).values_list("slug", flat=True)),
            _("Territoire inconnu : %(values)s."),
        ),
    )
    for name, values, known, message in checks:
        unknown = [v for v in values if v not in known]
        if unknown:
            errors[name] = [message % {"values": ", ".join(unknown)}]
    issuer_id = None
    if params.issuer:
        try:
            issuer_id = organisation_get_for(user=user, slug=params.issuer).pk
        except OrganisationNotFound:  # a hidden organisation is as unknown as a missing one
            errors["issuer"] = [
                _("Organisation inconnue : %(values)s.") % {"values": params.issuer}
            ]
    if errors:
        raise ValidationFailed(_("Certains filtres sont inconnus."), field_errors=errors)
    return selectors.ChallengeFilters.from_params(
        {
            "status": statuses,
            "sector": sectors,
            "territory": territories,
            "country": countries,
            "issuer": issuer_id,
            "q": params.q,
        }
    )


@router.get(
    "/challenges",
    response={200: ChallengeListOut, **error_responses(*READ_ERRORS)},
    operation_id="challenges_list",
    summary="Lister les défis",
    description=(
        "Les défis (appels à solutions) des collectivités, filtrés par texte, état, secteur, "
        "territoire, pays et émetteur (plusieurs valeurs séparées par des virgules) ; paginés, "
        "les plus récents d'abord. Sans jeton : les défis publiés seulement ; avec un jeton, "
        "aussi les brouillons des organisations dont on est éditeur."
    ),
)
def challenges_list(request, filters: Query[ChallengeListIn]):  # type: ignore[no-untyped-def]
    user = request_user(request)
    limit, offset = filters.window()
    qs = selectors.challenges_list_for(user, _challenge_filters(user=user, params=filters))
    return page(
        count=qs.count(), limit=limit, offset=offset, results=list(qs[offset : offset + limit])
    )


@router.get(
    "/challenges/{slug}",
    response={200: ChallengeDetailOut, **error_responses(404, *READ_ERRORS)},
    operation_id="challenge_get",
    summary="Consulter un défi",
    description=(
        "Un défi lisible par l'appelant : problème, contexte, résultats attendus, contraintes, "
        "budget, dates, éligibilité, grille d'évaluation, pièces jointes, historique, décision "
        "et bilan d'expérimentation. 404 s'il n'existe pas ou n'est pas visible (brouillon)."
    ),
)
def challenge_get(request, slug: str):  # type: ignore[no-untyped-def]
    return selectors.challenge_get_for(request_user(request), slug=slug)


# --- own answers ---------------------------------------------------------------------------------


class AnswerOut(Schema):
    id: int
    challenge: ChallengeRefOut
    organisation: RefOut
    status: str = Field(description="submitted (déposée) ou withdrawn (retirée).")
    approach: str = Field(description="Texte enrichi, HTML nettoyé.")
    references: str
    team: str
    price_min: int | None
    price_max: int | None
    currency: str
    awarded: bool | None = Field(description="Décision (null tant que le défi n'est pas décidé).")
    decision_reason: str
    created_at: datetime
    updated_at: datetime
    withdrawn_at: datetime | None

    @staticmethod
    def resolve_awarded(obj: Answer) -> bool | None:
        return obj.awarded if obj.challenge.decided_at is not None else None

    @staticmethod
    def resolve_decision_reason(obj: Answer) -> str:
        return obj.decision_reason if obj.challenge.decided_at is not None else ""


class AnswerListOut(PageOut):
    results: list[AnswerOut]


@router.get(
    "/answers/mine",
    response={200: AnswerListOut, **error_responses(401, 422, 429)},
    auth=require_token,
    operation_id="answers_mine",
    summary="Mes réponses aux défis",
    description=(
        "Les réponses des organisations dont le propriétaire du jeton est membre (retirées "
        "comprises), les plus récentes d'abord, avec la décision une fois le défi décidé. "
        "Jeton obligatoire ; personne d'autre ne les lit par l'API."
    ),
)
def answers_mine(request, params: Query[PageIn]):  # type: ignore[no-untyped-def]
    limit, offset = params.window()
    qs = selectors.my_answers(request.auth)
    return page(
        count=qs.count(), limit=limit, offset=offset, results=list(qs[offset : offset + limit])
    )


# --- offers --------------------------------------------------------------------------------------


class OfferOut(Schema):
    slug: str
    title: str
    summary: str
    organisation: RefOut
    sectors: list[RefOut]
    target_kinds: list[str] = Field(description="Types d'organisation visés (collectivite…).")
    price_model: str
    price_model_label: str
    status: str = Field(description="published, ou draft pour ses membres.")
    confirmed_references: int = Field(description="Références confirmées par les villes.")
    is_demo: bool
    url: str

    @staticmethod
    def resolve_sectors(obj: Offer) -> list[Sector]:
        return list(obj.sectors.all())

    @staticmethod
    def resolve_price_model_label(obj: Offer) -> str:
        return str(obj.get_price_model_display())  # type: ignore[attr-defined]

    @staticmethod
    def resolve_confirmed_references(obj: Offer) -> int:
        return sum(1 for r in obj.references.all() if r.is_confirmed)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_url(obj: Offer) -> str:
        return _absolute(obj.get_absolute_url())


class ReferenceOut(Schema):
    territory: RefOut | None
    organisation: RefOut | None
    description: str
    confirmed: bool = Field(description="Vrai une fois confirmée par la ville citée.")
    confirmed_at: datetime | None

    @staticmethod
    def resolve_confirmed(obj: OfferReference) -> bool:
        return obj.is_confirmed


class OfferDetailOut(OfferOut):
    description: str = Field(description="Texte enrichi, HTML nettoyé.")
    references: list[ReferenceOut]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_references(obj: Offer, context: dict[str, Any]) -> list[OfferReference]:
        """References to an organisation the caller may not see are left out, and so are those
        the cited city has not confirmed yet, except for the offer's editors (as on its page)."""
        user = request_user(context["request"])
        can_change = can(user, "change", obj)
        return [
            r
            for r in obj.references.all()  # type: ignore[attr-defined]
            if (can_change or r.is_confirmed)
            and (
                r.organisation is None
                or can_see_visibility(user, r.organisation.visibility, r.organisation_id)
            )
        ]


class OfferListIn(PageIn):
    q: str = Field("", max_length=200, description="Texte recherché (offres publiées).")
    sector: str = Field("", max_length=300, description="Identifiants de secteurs.")
    target_kind: str = Field("", max_length=32, description="Type d'acheteur visé : collectivite…")
    organisation: str = Field("", max_length=220, description="Identifiant de l'organisation.")


class OfferListOut(PageOut):
    results: list[OfferOut]


def _offer_filters(*, user: Any, params: OfferListIn) -> selectors.OfferFilters:
    from mediane.directory.models import OrganisationKind

    errors: dict[str, list[str]] = {}
    sectors = _split(params.sector)
    known = set(Sector.objects.filter(slug__in=sectors).values_list("slug", flat=True))
    if unknown := [s for s in sectors if s not in known]:
        errors["sector"] = [_("Secteur inconnu : %(values)s.") % {"values": ", ".join(unknown)}]
    if params.target_kind and params.target_kind not in OrganisationKind.values:
        errors["target_kind"] = [
            _("Type d'organisation inconnu : %(values)s.") % {"values": params.target_kind}
        ]
    organisation_id = None
    if params.organisation:
        try:
            organisation_id = organisation_get_for(user=user, slug=params.organisation).pk
        except OrganisationNotFound:  # a hidden organisation is as unknown as a missing one
            errors["organisation"] = [
                _("Organisation inconnue : %(values)s.") % {"values": params.organisation}
            ]
    if errors:
        raise ValidationFailed(_("Certains filtres sont inconnus."), field_errors=errors)
    return selectors.OfferFilters(
        sectors=tuple(sectors),
        target_kind=params.target_kind,
        organisation=organisation_id,
        query=params.q.strip(),
    )


@router.get(
    "/offers",
    response={200: OfferListOut, **error_responses(*READ_ERRORS)},
    operation_id="offers_list",
    summary="Lister les offres",
    description=(
        "Les offres (solutions) publiées par les entreprises, filtrées par texte, secteur, type "
        "d'acheteur visé et organisation ; paginées. Avec un jeton, aussi les brouillons des "
        "organisations dont on est membre."
    ),
)
def offers_list(request, filters: Query[OfferListIn]):  # type: ignore[no-untyped-def]
    user = request_user(request)
    limit, offset = filters.window()
    qs = selectors.offers_list_for(user, _offer_filters(user=user, params=filters))
    return page(
        count=qs.count(), limit=limit, offset=offset, results=list(qs[offset : offset + limit])
    )


@router.get(
    "/offers/{slug}",
    response={200: OfferDetailOut, **error_responses(404, *READ_ERRORS)},
    operation_id="offer_get",
    summary="Consulter une offre",
    description=(
        "Une offre lisible par l'appelant, avec sa description et ses références (confirmées "
        "ou non par les villes citées). 404 si elle n'existe pas ou n'est pas visible."
    ),
)
def offer_get(request, slug: str):  # type: ignore[no-untyped-def]
    return selectors.offer_get_for(request_user(request), slug=slug)


# --- recommendations -----------------------------------------------------------------------------


class RecommendationsIn(Schema):
    limit: int = Field(20, ge=1, le=50, description="Nombre de recommandations (1 à 50).")


class OfferRefOut(Schema):
    slug: str
    title: str


class RecommendedOrganisationOut(Schema):
    organisation: RefOut
    kind: str
    country: str
    score: float
    reasons: list[str] = Field(description="Pourquoi cette organisation (en français).")
    offers: list[OfferRefOut] = Field(description="Ses offres publiées.")
    url: str

    @staticmethod
    def resolve_kind(obj: Any) -> str:
        return str(obj.organisation.kind)

    @staticmethod
    def resolve_country(obj: Any) -> str:
        return str(obj.organisation.country)

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return _absolute(obj.organisation.get_absolute_url())


class RecommendedOrganisationListOut(Schema):
    count: int
    results: list[RecommendedOrganisationOut]


@router.get(
    "/challenges/{slug}/recommendations",
    response={200: RecommendedOrganisationListOut, **error_responses(403, 404, 401, 422, 429)},
    auth=require_token,
    operation_id="challenge_recommendations",
    summary="Organisations à inviter à un défi",
    description=(
        "Les organisations (et leurs offres) les plus pertinentes pour un défi, de la meilleure "
        "à la moins bonne, avec les raisons. Réservé aux éditeurs des émetteurs et au "
        "secrétariat (403 sinon) ; 404 si le défi n'est pas visible. Jeton obligatoire."
    ),
)
def challenge_recommendations(request, slug: str, params: Query[RecommendationsIn]):  # type: ignore[no-untyped-def]
    challenge = selectors.challenge_get_for(request.auth, slug=slug)
    found = selectors.challenge_recommendations_for(request.auth, challenge, limit=params.limit)
    return {"count": len(found), "results": found}


class RecommendedChallengeOut(Schema):
    challenge: ChallengeOut
    score: float
    reasons: list[str] = Field(description="Pourquoi ce défi (en français).")


class RecommendedChallengeListOut(Schema):
    count: int
    results: list[RecommendedChallengeOut]


@router.get(
    "/organisations/{slug}/recommended-challenges",
    response={200: RecommendedChallengeListOut, **error_responses(403, 404, 401, 422, 429)},
    auth=require_token,
    operation_id="organisation_recommended_challenges",
    summary="Défis recommandés à une organisation",
    description=(
        "Les défis ouverts auxquels une organisation pourrait répondre, du plus au moins "
        "pertinent, avec les raisons (ni ceux qu'elle émet, ni ceux auxquels elle a répondu). "
        "Réservé à ses membres et au secrétariat (403 sinon). Jeton obligatoire."
    ),
)
def organisation_recommended_challenges(request, slug: str, params: Query[RecommendationsIn]):  # type: ignore[no-untyped-def]
    organisation: Organisation = organisation_get_for(user=request.auth, slug=slug)
    found = selectors.organisation_recommended_challenges_for(
        request.auth, organisation, limit=params.limit
    )
    return {"count": len(found), "results": found}


# --- Invitations to answer ----------------------------------------------------------------------


class InvitationOut(Schema):
    challenge: RefOut
    organisation: RefOut
    message: str
    invited_at: datetime
    notified_at: datetime | None = Field(
        description="Quand l'organisation a été prévenue (vide tant que le défi est soumis)."
    )

    @staticmethod
    def resolve_challenge(obj: Any) -> dict[str, str]:
        return {"slug": obj.challenge.slug, "name": obj.challenge.title}

    @staticmethod
    def resolve_organisation(obj: Any) -> dict[str, str]:
        return {"slug": obj.organisation.slug, "name": obj.organisation.name}


class InvitationListOut(Schema):
    count: int
    results: list[InvitationOut]


class InvitationIn(Schema):
    message: str = Field("", max_length=1000, description="Message facultatif (1 000 caractères).")


@router.get(
    "/challenges/{slug}/invitations",
    response={200: InvitationListOut, **error_responses(403, 404, 401, 422, 429)},
    auth=require_token,
    operation_id="challenge_invitations",
    summary="Organisations invitées à répondre à un défi",
    description=(
        "Les invitations à répondre d'un défi, les plus récentes d'abord. Réservé aux éditeurs "
        "des émetteurs et au secrétariat (403 sinon) ; 404 si le défi n'est pas visible."
    ),
)
def challenge_invitations(request, slug: str):  # type: ignore[no-untyped-def]
    challenge = selectors.challenge_get_for(request.auth, slug=slug)
    found = sorted(
        selectors.challenge_invitations_for(request.auth, challenge).values(),
        key=lambda invitation: (invitation.invited_at, invitation.pk),
        reverse=True,
    )
    for invitation in found:
        invitation.challenge = challenge
    return {"count": len(found), "results": found}


@router.put(
    "/challenges/{slug}/invitations/{organisation}",
    response={200: InvitationOut, 201: InvitationOut, **error_responses(*WRITE_ERRORS)},
    auth=require_token,
    operation_id="challenge_invite",
    summary="Inviter une organisation à répondre",
    description=(
        "Invite une organisation à répondre au défi (201), avec un message facultatif ; "
        "sans effet si elle l'est déjà (200, l'invitation existante). Défi soumis ou ouvert, "
        "avant sa clôture (409 sinon) ; organisation éligible, non émettrice (422). Ses "
        "éditeurs sont prévenus (à la publication pour un défi soumis). Réservé aux éditeurs "
        "des émetteurs et au secrétariat."
    ),
)
def challenge_invite(request, slug: str, organisation: str, payload: InvitationIn):  # type: ignore[no-untyped-def]
    from mediane.market.models import ChallengeInvitation

    challenge = selectors.challenge_get_for(request.auth, slug=slug)
    invited = organisation_get_for(user=request.auth, slug=organisation)
    existed = ChallengeInvitation.objects.filter(challenge=challenge, organisation=invited).exists()
    invitation = services.challenge_invite(
        actor=request.auth, challenge=challenge, organisation=invited, message=payload.message
    )
    return Status(200 if existed else 201, invitation)


@router.delete(
    "/challenges/{slug}/invitations/{organisation}",
    response={204: None, **error_responses(*WRITE_ERRORS)},
    auth=require_token,
    operation_id="challenge_invitation_withdraw",
    summary="Retirer une invitation à répondre",
    description=(
        "Retire l'invitation d'une organisation tant que le défi n'est pas clos (409 sinon ; "
        "404 s'il n'y en a pas). Si elle avait été prévenue, ses éditeurs le sont du retrait. "
        "Réservé aux éditeurs des émetteurs et au secrétariat. Réponse 204 sans corps."
    ),
)
def challenge_invitation_withdraw(request, slug: str, organisation: str):  # type: ignore[no-untyped-def]
    challenge = selectors.challenge_get_for(request.auth, slug=slug)
    invited = organisation_get_for(user=request.auth, slug=organisation)
    services.invitation_withdraw(actor=request.auth, challenge=challenge, organisation=invited)
    return Status(204, None)


@router.get(
    "/organisations/{slug}/invitations",
    response={200: InvitationListOut, **error_responses(403, 404, 401, 422, 429)},
    auth=require_token,
    operation_id="organisation_invitations",
    summary="Invitations reçues par une organisation",
    description=(
        "Les invitations à répondre à des défis encore ouverts qu'une organisation a reçues, "
        "par date de clôture. Réservé à ses membres et au secrétariat (403 sinon)."
    ),
)
def organisation_invitations(request, slug: str):  # type: ignore[no-untyped-def]
    organisation: Organisation = organisation_get_for(user=request.auth, slug=slug)
    found = selectors.organisation_invitations_for(request.auth, organisation)
    for invitation in found:
        invitation.organisation = organisation
    return {"count": len(found), "results": found}
