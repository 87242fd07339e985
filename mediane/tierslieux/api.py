"""API of tierslieux: resources of the tiers-lieux, their free slots, and one's own bookings.
Read-only; reads go through `mediane.tierslieux.selectors` (the same rows as the pages)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from mediane.api.auth import request_user
from mediane.api.errors import READ_ERRORS, error_responses
from mediane.api.pagination import PageIn, PageOut, page
from mediane.core.errors import ValidationFailed
from mediane.tierslieux import selectors
from mediane.tierslieux.models import Booking, Resource, ResourceKind

router = Router(tags=["Tiers-lieux"])


class OpeningOut(Schema):
    weekday: int = Field(description="0 = lundi … 6 = dimanche.")
    opens: str = Field(description="Heure locale HH:MM.")
    closes: str


class ResourceOut(Schema):
    slug: str
    name: str
    kind: str = Field(description="desk, meeting_room, machine, kitchen, workshop ou other.")
    organisation: str
    organisation_slug: str
    capacity: int = Field(description="Nombre d'unités réservables en même temps.")
    slot_minutes: int
    min_minutes: int
    max_minutes: int
    who_may_book: str = Field(description="authenticated, network, members ou partners.")
    training_required: bool
    price_member: Decimal = Field(description="Prix par heure pour les membres du tiers-lieu.")
    price_partner: Decimal = Field(description="Prix par heure pour les tiers-lieux jumelés.")
    price_other: Decimal
    currency: str
    time_zone: str
    is_active: bool
    url: str

    @staticmethod
    def resolve_organisation(obj: Resource) -> str:
        return obj.organisation.name

    @staticmethod
    def resolve_organisation_slug(obj: Resource) -> str:
        return obj.organisation.slug

    @staticmethod
    def resolve_url(obj: Resource) -> str:
        return settings.SITE_URL + obj.get_absolute_url()


class ResourceDetailOut(ResourceOut):
    description: str
    rules: str
    opening_hours: list[OpeningOut]

    @staticmethod
    def resolve_opening_hours(obj: Resource) -> list[dict[str, object]]:
        return [
            {"weekday": row.weekday, "opens": f"{row.opens:%H:%M}", "closes": f"{row.closes:%H:%M}"}
            for row in obj.opening_hours.all()  # type: ignore[attr-defined]
        ]


class ResourcePageOut(PageOut):
    results: list[ResourceOut]


class ResourceFilters(PageIn):
    kind: str = Field("", description="Type de ressource (vide : tous).")


class SlotOut(Schema):
    starts_at: datetime
    ends_at: datetime
    free_units: int


class AvailabilityOut(Schema):
    resource: str
    time_zone: str
    slots: list[SlotOut]


class AvailabilityIn(Schema):
    start: date | None = Field(
        None, description="Premier jour (heure locale ; défaut : aujourd'hui)."
    )
    end: date | None = Field(None, description="Dernier jour inclus (31 jours au plus).")


class BookingOut(Schema):
    id: int
    resource: str
    resource_name: str
    organisation: str
    unit: int
    starts_at: datetime
    ends_at: datetime
    status: str
    tariff: str
    price: Decimal
    currency: str
    note: str

    @staticmethod
    def resolve_resource(obj: Booking) -> str:
        return obj.resource.slug

    @staticmethod
    def resolve_resource_name(obj: Booking) -> str:
        return obj.resource.name

    @staticmethod
    def resolve_organisation(obj: Booking) -> str:
        return obj.resource.organisation.name


class BookingsMineIn(PageIn):
    past: bool = Field(False, description="Vrai : les réservations passées et annulées.")


class BookingPageOut(PageOut):
    results: list[BookingOut]


@router.get(
    "/tierslieux/resources",
    response={200: ResourcePageOut, **error_responses(*READ_ERRORS)},
    operation_id="resources_list",
    summary="Lister les ressources des tiers-lieux",
    description=(
        "Espaces et équipements réservables des tiers-lieux que l'on peut voir (selon leur "
        "visibilité), avec leurs règles et leurs prix par heure ; avec un jeton, aussi les "
        "ressources non réservables des tiers-lieux que l'on gère. Filtre `kind`."
    ),
)
def resources_list(request, filters: Query[ResourceFilters]):  # type: ignore[no-untyped-def]
    if filters.kind and filters.kind not in ResourceKind.values:
        raise ValidationFailed(
            _("Type de ressource inconnu."),
            field_errors={
                "kind": [
                    _("Valeurs possibles : %(values)s.")
                    % {"values": ", ".join(ResourceKind.values)}
                ]
            },
        )
    limit, offset = filters.window()
    queryset = selectors.resources_for(request_user(request), kind=filters.kind)
    return page(
        count=queryset.count(),
        limit=limit,
        offset=offset,
        results=list(queryset[offset : offset + limit]),
    )


@router.get(
    "/tierslieux/resources/{slug}",
    response={200: ResourceDetailOut, **error_responses(404, *READ_ERRORS)},
    operation_id="resource_get",
    summary="Consulter une ressource",
    description=(
        "Une ressource avec sa description, son règlement et ses horaires d'ouverture (heure "
        "locale du tiers-lieu). 404 si elle n'existe pas ou n'est pas visible."
    ),
)
def resource_get(request, slug: str):  # type: ignore[no-untyped-def]
    return selectors.resource_get_for(request_user(request), slug=slug)


@router.get(
    "/tierslieux/resources/{slug}/availability",
    response={200: AvailabilityOut, **error_responses(404, *READ_ERRORS)},
    operation_id="resource_availability",
    summary="Créneaux libres d'une ressource",
    description=(
        "Les créneaux libres (à venir) entre deux jours inclus, 31 jours au plus, avec le nombre "
        "d'unités encore libres. Heures en UTC ; les jours sont ceux du fuseau du tiers-lieu. "
        "422 si la fin précède le début."
    ),
)
def resource_availability(request, slug: str, filters: Query[AvailabilityIn]):  # type: ignore[no-untyped-def]
    user = request_user(request)
    resource = selectors.resource_get_for(user, slug=slug)
    start = filters.start or timezone.now().astimezone(resource.zone).date()
    end = filters.end or start + timedelta(days=6)
    if end < start:
        raise ValidationFailed(
            _("La fin doit suivre le début."), field_errors={"end": [_("Doit suivre le début.")]}
        )
    return {
        "resource": resource.slug,
        "time_zone": resource.time_zone,
        "slots": selectors.availability(user, resource, start, end),
    }


@router.get(
    "/tierslieux/bookings/mine",
    response={200: BookingPageOut, **error_responses(*READ_ERRORS)},
    operation_id="bookings_mine",
    summary="Mes réservations",
    description=(
        "Les réservations du propriétaire du jeton : à venir (confirmées, les plus proches "
        "d'abord), ou avec `past=true` les passées et annulées (les plus récentes d'abord) ; "
        "paginées (`limit`, `offset`). Heures en UTC. Sans jeton : liste vide."
    ),
)
def bookings_mine(request, filters: Query[BookingsMineIn]):  # type: ignore[no-untyped-def]
    limit, offset = filters.window()
    queryset = selectors.bookings_mine(request_user(request), upcoming=not filters.past)
    return page(
        count=queryset.count(),
        limit=limit,
        offset=offset,
        results=list(queryset[offset : offset + limit]),
    )
