"""Summit test data: an upcoming edition with slots and tables, and registered people."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from mediane.accounts.models import User
from mediane.directory.models import Organisation
from mediane.summit import services
from mediane.summit.models import (
    Edition,
    EditionStatus,
    MeetingSlot,
    MeetingTable,
    ProgrammeSession,
    Registration,
    RegistrationStatus,
)
from tests.directory.factories import OrganisationFactory, UserFactory, member_of


def future_day(days: int = 60) -> dt.date:
    return dt.date.today() + dt.timedelta(days=days)


@dataclass
class Summit:
    edition: Edition
    secretariat: User
    host_editor: User
    people: list[Registration] = field(default_factory=list)

    def slot(self, number: int) -> MeetingSlot:
        return MeetingSlot.objects.get(edition=self.edition, number=number)


def make_edition(**changes: Any) -> Edition:
    day = future_day()
    host = OrganisationFactory(kind="collectivite", name="Ville de Shawinigan", country="QC")
    values: dict[str, Any] = {
        "slug": "sommet-test",
        "year": day.year,
        "title": "Sommet des villes médianes — test",
        "host_city": "Shawinigan",
        "country": "QC",
        "organiser": host,
        "starts_on": day,
        "ends_on": day + dt.timedelta(days=1),
        "time_zone": "America/Toronto",
        "status": EditionStatus.PUBLISHED,
        "registration_open": True,
        "approval_required": True,
        "meetings_open": True,
    }
    values.update(changes)
    return Edition.objects.create(**values)


def _after(start: dt.time, minutes: int) -> dt.time:
    return (dt.datetime.combine(dt.date(2000, 1, 1), start) + dt.timedelta(minutes=minutes)).time()


def make_summit(people: int = 6, *, slots_per_half: int = 3, tables: int = 2) -> Summit:
    """An edition with one day of meeting slots (morning and afternoon), tables and `people`
    approved participants, each representing their own start-up."""
    secretariat = UserFactory(is_secretariat=True, full_name="Secrétariat")
    edition = make_edition()
    host_editor = member_of(edition.organiser, "editor")  # type: ignore[arg-type]
    day = edition.starts_on
    services.slots_generate(
        actor=secretariat,
        edition=edition,
        day=day,
        start=dt.time(9, 0),
        end=_after(dt.time(9, 0), slots_per_half * 20),
        minutes=20,
    )
    services.slots_generate(
        actor=secretariat,
        edition=edition,
        day=day,
        start=dt.time(14, 0),
        end=_after(dt.time(14, 0), slots_per_half * 20),
        minutes=20,
    )
    services.tables_set(actor=secretariat, edition=edition, count=tables)
    summit = Summit(edition, secretariat, host_editor)
    for n in range(people):
        summit.people.append(register(summit, f"Participant {n}"))
    return summit


def register(
    summit: Summit, name: str, *, approve: bool = True, kind: str = "company"
) -> Registration:
    organisation: Organisation = OrganisationFactory(name=f"{name} SAS")
    user = member_of(organisation, "editor", UserFactory(full_name=name))
    registration = services.registration_create(
        actor=user,
        edition=summit.edition,
        participant_type=kind,
        organisation=organisation,
        offers=f"{name} propose des capteurs",
        seeks="des villes pilotes",
    )
    if approve:
        services.registration_decide(
            actor=summit.secretariat, registration=registration, approve=True
        )
        registration.refresh_from_db()
    assert registration.status == (
        RegistrationStatus.APPROVED if approve else RegistrationStatus.PENDING
    )
    return registration


def session(
    summit: Summit, start: dt.time, end: dt.time, title: str = "Plénière"
) -> ProgrammeSession:
    import zoneinfo

    zone = zoneinfo.ZoneInfo(summit.edition.time_zone)
    day = summit.edition.starts_on
    return ProgrammeSession.objects.create(
        edition=summit.edition,
        kind="plenary",
        title=title,
        starts_at=dt.datetime.combine(day, start, tzinfo=zone),
        ends_at=dt.datetime.combine(day, end, tzinfo=zone),
    )


def tables(summit: Summit) -> list[MeetingTable]:
    return list(MeetingTable.objects.filter(edition=summit.edition).order_by("number"))
