"""API of support: one's requests, a request, the offers made to one's expert profile.

Read-only. Without a token the lists are empty and a request is a 404. Reads go through
`mediane.support.selectors` (the same rows as the pages): a request the token's owner may not
read is a 404 exactly like a missing one.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from ninja import Field, Query, Router, Schema

from mediane.api.auth import request_user
from mediane.api.errors import READ_ERRORS, error_responses
from mediane.api.pagination import PageIn, PageOut, paginate
from mediane.core.permissions import can
from mediane.support import selectors
from mediane.support.models import OfferStatus, SupportOffer, SupportRequest
from mediane.support.rules import agent_q

router = Router(tags=["Accompagnement"])


class RefOut(Schema):
    slug: str
    name: str


class OfferOut(Schema):
    expert: RefOut
    status: str = Field(description="offered, declined, taken ou withdrawn.")
    score: float = Field(description="Score d'orientation (compétences × territoire).")
    reasons: list[str] = Field(description="Pourquoi cet expert (en français).")
    offered_at: datetime


class SupportRequestOut(Schema):
    id: int
    subject: str
    description: str
    status: str = Field(description="new, routed, taken, closed ou cancelled.")
    status_label: str
    organisation: RefOut
    territory: RefOut
    language: str = Field(description="fr ou en.")
    urgency: str = Field(description="normal ou high.")
    skills: list[str]
    filed_at: datetime = Field(description="Dépôt (UTC).")
    last_activity_at: datetime = Field(description="Dernières nouvelles (UTC).")
    expert: RefOut | None = Field(description="L'expert en charge, une fois la demande prise.")
    taken_at: datetime | None
    closed_at: datetime | None
    satisfaction: int | None = Field(description="Satisfaction du demandeur, de 1 à 5.")
    url: str

    @staticmethod
    def resolve_status_label(obj: SupportRequest) -> str:
        return str(obj.get_status_display())  # type: ignore[attr-defined]

    @staticmethod
    def resolve_skills(obj: SupportRequest) -> list[str]:
        return [skill.name for skill in obj.skills.all()]

    @staticmethod
    def resolve_url(obj: SupportRequest) -> str:
        return settings.SITE_URL + obj.get_absolute_url()


class SupportRequestDetailOut(SupportRequestOut):
    offers: list[OfferOut] = Field(
        description="Experts sollicités ; pour un expert, sa seule proposition."
    )

    @staticmethod
    def resolve_offers(obj: SupportRequest) -> list[SupportOffer]:
        return list(getattr(obj, "offers_out", []))


class SupportRequestListOut(PageOut):
    results: list[SupportRequestOut]


class InboxOfferOut(Schema):
    request: SupportRequestOut
    expert: RefOut
    status: str = Field(description="offered, declined, taken ou withdrawn.")
    score: float
    reasons: list[str]
    offered_at: datetime


class InboxListOut(PageOut):
    results: list[InboxOfferOut]


@router.get(
    "/support/requests/mine",
    response={200: SupportRequestListOut, **error_responses(*READ_ERRORS)},
    operation_id="support_requests_mine",
    summary="Mes demandes d'accompagnement",
    description=(
        "Les demandes d'accompagnement des organisations dont le propriétaire du jeton est "
        "membre, les plus récentes d'abord. Liste vide sans jeton."
    ),
)
def support_requests_mine(request, params: Query[PageIn]):  # type: ignore[no-untyped-def]
    qs = selectors.requests_mine(request_user(request)).prefetch_related("skills")
    return paginate(qs, params)


@router.get(
    "/support/requests/{request_id}",
    response={200: SupportRequestDetailOut, **error_responses(401, 404, 422, 429)},
    operation_id="support_request_get",
    summary="Une demande d'accompagnement",
    description=(
        "Une demande lisible par le propriétaire du jeton : celles de ses organisations, celles "
        "proposées à son profil d'expert (tant que la proposition est en cours ou acceptée), "
        "toutes pour le secrétariat ; 404 sinon (et sans jeton)."
    ),
)
def support_request_get(request, request_id: int):  # type: ignore[no-untyped-def]
    user = request_user(request)
    item = selectors.request_get_for(user, pk=request_id)
    offers = item.offers.select_related("expert")  # type: ignore[attr-defined]
    if not (can(user, "manage", item) or can(user, "close", item)):
        offers = offers.filter(agent_q(user))
    item.offers_out = list(offers)  # type: ignore[attr-defined]
    return item


@router.get(
    "/support/offers/mine",
    response={200: InboxListOut, **error_responses(*READ_ERRORS)},
    operation_id="support_offers_mine",
    summary="Demandes proposées à mon profil d'expert",
    description=(
        "Les propositions faites aux experts pour qui agit le propriétaire du jeton (son profil, "
        "ou le cabinet dont il est éditeur ou administrateur) en attente de réponse ou "
        "acceptées, les plus récentes d'abord. Liste vide sans jeton."
    ),
)
def support_offers_mine(request, params: Query[PageIn]):  # type: ignore[no-untyped-def]
    qs = (
        selectors.offers_inbox(request_user(request))
        .filter(status__in=[OfferStatus.OFFERED, OfferStatus.TAKEN])
        .prefetch_related("request__skills")
    )
    return paginate(qs, params)
