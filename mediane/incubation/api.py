"""API of incubation (« Jumelages »): twinning agreements and the caller's soft-landing requests.

Read-only. Every route reads through `mediane.incubation.selectors`: a proposed agreement is
404 for whoever is not on either side, personal contacts are given to network members only, and
the stays under an agreement and the requests are given to the organisations concerned.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Field, Query, Router, Schema

from mediane.api.auth import request_user
from mediane.api.errors import READ_ERRORS, error_responses
from mediane.api.pagination import PageIn, PageOut, paginate
from mediane.core.permissions import can, is_authenticated
from mediane.incubation import selectors
from mediane.incubation.models import AgreementStatus, Need, SoftLandingRequest, TwinningAgreement

router = Router(tags=["Jumelages"])


class SideOut(Schema):
    slug: str
    name: str
    kind: str
    country: str


class ContactOut(Schema):
    name: str
    email: str


class AgreementOut(Schema):
    id: int
    title: str
    status: str = Field(description="proposed, signed ou ended.")
    first: SideOut = Field(description="La structure qui a proposé l'accord.")
    second: SideOut = Field(description="La structure partenaire, qui l'a signé.")
    start: date
    end: date | None = None
    in_force: bool = Field(description="Signé et en cours aujourd'hui.")
    url: str


class StayOut(Schema):
    id: int
    startup: str
    home: str
    host: str
    start: date
    end: date
    status: str
    needs: list[str]


class AgreementDetailOut(AgreementOut):
    scope: str
    programme: str
    signed_at: datetime | None = None
    contacts: list[ContactOut] | None = Field(
        None, description="Contacts de chaque côté : membres du réseau seulement."
    )
    stays: list[StayOut] | None = Field(
        None, description="Demandes et séjours : membres des deux structures et secrétariat."
    )


class AgreementsIn(PageIn):
    status: str = Field("", description="proposed, signed ou ended ; vide : tous.")
    organisation: int | None = Field(None, description="Identifiant d'une des deux structures.")


class AgreementsOut(PageOut):
    results: list[AgreementOut]


class OutcomeOut(Schema):
    organisation: str
    contacts_made: int
    contracts_signed: int
    contracts_amount: float | None = None
    currency: str
    jobs_created: int


class RequestOut(StayOut):
    agreement: int
    requested_start: date
    requested_end: date
    proposed_start: date | None = None
    proposed_end: date | None = None
    role: list[str] = Field(description="startup, home et/ou host : la part de l'appelant.")
    outcomes: list[OutcomeOut]
    url: str


class RequestsOut(PageOut):
    results: list[RequestOut]


def _side(org: Any) -> dict[str, Any]:
    return {"slug": org.slug, "name": org.name, "kind": org.kind, "country": org.country}


def _agreement(agreement: TwinningAgreement, today: date) -> dict[str, Any]:
    return {
        "id": agreement.pk,
        "title": agreement.title,
        "status": agreement.status,
        "first": _side(agreement.first),
        "second": _side(agreement.second),
        "start": agreement.start,
        "end": agreement.end,
        "in_force": agreement.in_force_on(today),
        "url": agreement.get_absolute_url(),
    }


def _stay(request: SoftLandingRequest) -> dict[str, Any]:
    return {
        "id": request.pk,
        "startup": request.startup.name,
        "home": request.home.name,
        "host": request.host.name,
        "start": request.start,
        "end": request.end,
        "status": request.status,
        "needs": [n for n in request.needs if n in Need.values],
    }


def _request(user: Any, r: SoftLandingRequest, roles: list[str]) -> dict[str, Any]:
    row = _stay(r)
    row.update(
        agreement=r.agreement_id,  # type: ignore[attr-defined]
        requested_start=r.requested_start,
        requested_end=r.requested_end,
        proposed_start=r.proposed_start,
        proposed_end=r.proposed_end,
        role=roles,
        outcomes=[
            {
                "organisation": o.organisation.name,
                "contacts_made": o.contacts_made,
                "contracts_signed": o.contracts_signed,
                "contracts_amount": float(o.contracts_amount)
                if o.contracts_amount is not None
                else None,
                "currency": o.currency,
                "jobs_created": o.jobs_created,
            }
            for o in selectors.outcomes_for(user, r)
        ],
        url=r.get_absolute_url(),
    )
    return row


@router.get(
    "/twinning-agreements",
    response={200: AgreementsOut, **error_responses(*READ_ERRORS)},
    operation_id="twinning_agreements_list",
    summary="Lister les accords de jumelage d'incubateurs",
    description=(
        "Les accords signés ou terminés (publics) ; avec un jeton, aussi les accords proposés "
        "des organisations de l'appelant. Filtres : état, organisation ; paginés (`limit`, "
        "`offset`)."
    ),
)
def twinning_agreements_list(request, params: Query[AgreementsIn]):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    status = params.status if params.status in AgreementStatus.values else ""
    qs = selectors.agreements_list_for(
        request_user(request), status=status, organisation=params.organisation
    )
    today = timezone.localdate()
    return paginate(qs, params, lambda a: _agreement(a, today))


@router.get(
    "/twinning-agreements/{agreement_id}",
    response={200: AgreementDetailOut, **error_responses(404, *READ_ERRORS)},
    operation_id="twinning_agreement_get",
    summary="Consulter un accord de jumelage",
    description=(
        "Périmètre et programme ; les contacts pour les membres du réseau ; les demandes et "
        "séjours pour les membres des deux structures et le secrétariat. 404 si l'accord "
        "n'existe pas ou n'est pas lisible."
    ),
)
def twinning_agreement_get(request, agreement_id: int):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    user = request_user(request)
    agreement = selectors.agreement_get_for(user=user, pk=agreement_id)
    data = _agreement(agreement, timezone.localdate())
    data.update(scope=agreement.scope, programme=agreement.programme, signed_at=agreement.signed_at)
    if can(user, "view_contacts", agreement):
        data["contacts"] = [
            {"name": person.full_name, "email": person.email}
            for person in (agreement.first_contact, agreement.second_contact)
            if person is not None
        ]
    if can(user, "view_stays", agreement):
        data["stays"] = [_stay(r) for r in selectors.stays_of_agreement(user, agreement)]
    return data


@router.get(
    "/soft-landing-requests/mine",
    response={200: RequestsOut, **error_responses(*READ_ERRORS)},
    operation_id="soft_landing_requests_mine",
    summary="Mes demandes d'accueil et séjours",
    description=(
        "Les demandes d'atterrissage en douceur des organisations de l'appelant, qu'elles soient "
        "la start-up, son incubateur d'origine ou l'incubateur d'accueil, avec les résultats "
        "enregistrés ; paginées (`limit`, `offset`), par date de début. Liste vide sans jeton."
    ),
)
def soft_landing_requests_mine(request, params: Query[PageIn]):  # type: ignore[no-untyped-def]
    user = request_user(request)
    if not is_authenticated(user):
        return paginate([], params)
    mine = selectors.requests_mine(user)
    by_id: dict[int, tuple[SoftLandingRequest, list[str]]] = {}
    for role in ("startup", "home", "host"):
        for r in mine[role]:
            by_id.setdefault(r.pk, (r, []))[1].append(role)
    ordered = sorted(by_id.values(), key=lambda item: (item[0].start, item[0].pk))
    return paginate(ordered, params, lambda item: _request(user, *item))
