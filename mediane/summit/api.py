"""API of the summit: editions with their programme, and one's own agenda.

Reads go through `mediane.summit.selectors`: anonymous callers see published editions; a draft
is 404 unless the token's owner organises it. The agenda needs a token and gives the owner's
own published meetings only.
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from mediane.api.auth import request_user, require_token
from mediane.api.errors import READ_ERRORS, error_responses
from mediane.summit import selectors
from mediane.summit.models import Edition, Meeting, ProgrammeSession

router = Router(tags=["Sommet"])


class SpeakerOut(Schema):
    name: str
    role: str
    organisation: str | None = None

    @staticmethod
    def resolve_organisation(obj) -> str | None:  # type: ignore[no-untyped-def]
        return obj.organisation.name if obj.organisation_id else None


class SessionOut(Schema):
    id: int
    kind: str = Field(description="plenary, panel, duo, demo, workshop, visit ou social.")
    title: str
    description: str
    room: str | None = None
    starts_at: datetime
    ends_at: datetime
    speakers: list[SpeakerOut]

    @staticmethod
    def resolve_room(obj: ProgrammeSession) -> str | None:
        return obj.room.name if obj.room is not None else None

    @staticmethod
    def resolve_speakers(obj: ProgrammeSession) -> list[object]:
        return list(obj.speakers.all())  # type: ignore[attr-defined]


class EditionOut(Schema):
    slug: str
    year: int
    title: str
    host_city: str
    country: str
    starts_on: date
    ends_on: date
    time_zone: str
    venue_name: str
    theme: str
    participants_count: int | None = Field(None, description="Chiffre publié (éditions passées).")
    figures: str
    registration_open: bool
    meetings_open: bool
    url: str

    @staticmethod
    def resolve_url(obj: Edition) -> str:
        return settings.SITE_URL + obj.get_absolute_url()


class EditionDetailOut(EditionOut):
    description: str
    programme: list[SessionOut]
    exhibitors: list[str]

    @staticmethod
    def resolve_programme(obj: Edition) -> list[ProgrammeSession]:
        return selectors.programme(obj)

    @staticmethod
    def resolve_exhibitors(obj: Edition) -> list[str]:
        return [
            e.organisation.name
            for e in obj.exhibitors.select_related("organisation")  # type: ignore[attr-defined]
        ]


class AgendaItemOut(Schema):
    starts_at: datetime
    ends_at: datetime
    table: int | None
    room: str | None
    with_name: str = Field(description="La personne rencontrée.")
    with_organisation: str | None
    requested: bool = Field(description="Vrai pour une demande acceptée (rendez-vous garanti).")


class AgendaOut(Schema):
    edition: str
    published: bool
    meetings: list[AgendaItemOut]


@router.get(
    "/summit/editions",
    response={200: list[EditionOut], **error_responses(*READ_ERRORS)},
    operation_id="summit_editions",
    summary="Lister les éditions du sommet",
    description=(
        "Les éditions publiées du sommet annuel, passées (avec leurs chiffres) et à venir, les "
        "plus récentes d'abord. Avec un jeton, aussi les brouillons que l'on organise."
    ),
)
def summit_editions(request):  # type: ignore[no-untyped-def]
    return selectors.editions_for(request_user(request))


@router.get(
    "/summit/editions/{slug}",
    response={200: EditionDetailOut, **error_responses(404, *READ_ERRORS)},
    operation_id="summit_edition_get",
    summary="Consulter une édition du sommet",
    description=(
        "Une édition avec son programme (sessions, salles, intervenants, heures en UTC) et ses "
        "exposants. 404 si elle n'existe pas ou n'est pas visible (brouillon)."
    ),
)
def summit_edition_get(request, slug: str):  # type: ignore[no-untyped-def]
    return selectors.edition_get_for(request_user(request), slug=slug)


@router.get(
    "/summit/editions/{slug}/agenda",
    response={200: AgendaOut, **error_responses(401, 404, 422, 429)},
    auth=require_token,
    operation_id="summit_agenda",
    summary="Mon agenda de rendez-vous",
    description=(
        "Les rendez-vous d'affaires publiés du propriétaire du jeton pour cette édition, dans "
        "l'ordre : heure, table, personne rencontrée. Vide tant que le planning n'est pas publié. "
        "404 si l'on n'est pas inscrit."
    ),
)
def summit_agenda(request, slug: str):  # type: ignore[no-untyped-def]
    from mediane.summit.selectors import RegistrationNotFound

    edition = selectors.edition_get_for(request.auth, slug=slug)
    registration = selectors.my_registration(request.auth, edition)
    if registration is None:
        raise RegistrationNotFound(_("Vous n'êtes pas inscrit à cette édition."))
    meetings: list[Meeting] = selectors.agenda_for(registration)
    items = []
    for m in meetings:
        other = m.other(registration.pk)
        items.append(
            {
                "starts_at": m.slot.starts_at,  # type: ignore[union-attr]
                "ends_at": m.slot.ends_at,  # type: ignore[union-attr]
                "table": m.table.number if m.table else None,
                "room": m.table.room.name if m.table and m.table.room else None,
                "with_name": other.display_name,
                "with_organisation": other.organisation.name if other.organisation else None,
                "requested": m.priority == "required",
            }
        )
    return {
        "edition": edition.slug,
        "published": edition.published_run_id is not None,  # type: ignore[attr-defined]
        "meetings": items,
    }
