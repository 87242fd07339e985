"""Badges (PDF), the personal agenda (PDF) and its iCalendar feed: read back with pypdf and
icalendar, against the meetings they were made from."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from pypdf import PdfReader
from reportlab.lib import colors
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase.pdfmetrics import stringWidth

from mediane.accounts.models import User
from mediane.directory.models import Organisation
from mediane.summit import documents
from mediane.summit.models import (
    Edition,
    EditionStatus,
    Meeting,
    MeetingSlot,
    MeetingTable,
    ParticipantType,
    ProgrammeSession,
    Registration,
    RegistrationStatus,
    Room,
    RunStatus,
    ScheduleRun,
)
from mediane.summit.qr import qr_modules
from mediane.summit.selectors import agenda_for

UTC = dt.UTC
TORONTO = ZoneInfo("America/Toronto")
_serial = itertools.count(1)


# --- data: built with the ORM, independent of the other summit test helpers --------------------


@dataclass
class World:
    edition: Edition
    me: Registration
    run: ScheduleRun
    others: list[Registration] = field(default_factory=list)
    slots: list[MeetingSlot] = field(default_factory=list)
    tables: list[MeetingTable] = field(default_factory=list)


def _edition(**changes) -> Edition:
    values = {
        # Daylight saving time ends in Québec on Sunday 1 November 2026: the edition spans it.
        "slug": "siivim-2026",
        "year": 2026,
        "title": "SIIViM 2026 — Trois-Rivières",
        "host_city": "Trois-Rivières",
        "country": "QC",
        "starts_on": dt.date(2026, 10, 30),
        "ends_on": dt.date(2026, 11, 2),
        "time_zone": "America/Toronto",
        "venue_name": "Amphithéâtre Cogeco",
        "status": EditionStatus.PUBLISHED,
    }
    values.update(changes)
    return Edition.objects.create(**values)


def _person(
    edition: Edition,
    name: str,
    organisation: str = "",
    *,
    kind: str = ParticipantType.COMPANY,
    job_title: str = "",
    offers: str = "",
    seeks: str = "",
) -> Registration:
    n = next(_serial)
    user = User.objects.create_user(f"personne{n}@example.org", full_name=name)
    org = None
    if organisation:
        org = Organisation.objects.create(
            name=organisation, slug=f"organisation-{n}", kind="startup", country="QC"
        )
    return Registration.objects.create(
        edition=edition,
        user=user,
        organisation=org,
        participant_type=kind,
        job_title=job_title,
        offers=offers,
        seeks=seeks,
        status=RegistrationStatus.APPROVED,
    )


def _slot(edition: Edition, number: int, day: dt.date, start: dt.time, minutes: int = 20):
    starts_at = dt.datetime.combine(day, start, tzinfo=TORONTO)
    return MeetingSlot.objects.create(
        edition=edition,
        number=number,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=minutes),
        half_day="am" if start.hour < 12 else "pm",
    )


def _publish(edition: Edition, run: ScheduleRun, when: dt.datetime) -> None:
    run.published_at = when
    run.save()
    edition.published_run = run
    edition.schedule_published_at = when
    edition.save()


def _meet(
    world: World, other: Registration, slot: MeetingSlot | None, table=None, run=None, swap=False
):
    first, second = (other, world.me) if swap else (world.me, other)
    return Meeting.objects.create(
        run=run or world.run,
        edition=world.edition,
        first=first,
        second=second,
        priority="required",
        slot=slot,
        table=table,
    )


@pytest.fixture
def world(db) -> World:
    """An edition at Trois-Rivières across the end of daylight saving time; "me", a city's
    delegate, meets a start-up on Friday and an expert (whose organisation's name needs escaping
    in PDF markup) on Monday, both at 09:20 local time."""
    edition = _edition()
    me = _person(
        edition,
        "Gaëtan Côté-Lévesque",
        "Ville de Trois-Rivières",
        kind=ParticipantType.CITY,
        job_title="Conseiller « cœur de ville »",
    )
    run = ScheduleRun.objects.create(edition=edition, status=RunStatus.DONE)
    world = World(edition, me, run)
    room = Room.objects.create(edition=edition, name="Salle Laviolette")
    world.tables = [
        MeetingTable.objects.create(edition=edition, number=3, room=room),
        MeetingTable.objects.create(edition=edition, number=7),
    ]
    world.slots = [
        _slot(edition, 1, dt.date(2026, 10, 30), dt.time(9, 20)),  # EDT, UTC−4
        _slot(edition, 2, dt.date(2026, 11, 2), dt.time(9, 20)),  # EST, UTC−5
        _slot(edition, 3, dt.date(2026, 11, 2), dt.time(14, 0)),
    ]
    world.others = [
        _person(
            edition,
            "Hélène Bélanger",
            "Œuvres numériques inc.",
            job_title="Directrice générale",
            offers="Capteurs de qualité de l'air pour les écoles",
            seeks="Une ville pilote en Mauricie",
        ),
        _person(
            edition,
            "Noël Lefèvre",
            "R&D <Lab> Énergie",
            kind=ParticipantType.EXPERT,
            job_title="Ingénieur énergéticien",
        ),
    ]
    _meet(world, world.others[0], world.slots[0], world.tables[0])
    _meet(world, world.others[1], world.slots[1], world.tables[1])
    _publish(edition, run, dt.datetime(2026, 10, 1, 12, 0, tzinfo=UTC))
    return world


def pdf_pages(data: bytes) -> list[str]:
    """The text of each page, whitespace collapsed (lines wrap where the layout wants)."""
    assert data.startswith(b"%PDF")
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


def ics_events(data: bytes) -> tuple[Calendar, list]:
    calendar = Calendar.from_ical(data)
    return calendar, list(calendar.walk("VEVENT"))


# --- text ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (dt.date(2026, 6, 12), dt.date(2026, 6, 14), "12–14 juin 2026"),
        (dt.date(2026, 6, 12), dt.date(2026, 6, 12), "12 juin 2026"),
        (dt.date(2026, 6, 30), dt.date(2026, 7, 2), "30 juin – 2 juillet 2026"),
        (dt.date(2026, 12, 31), dt.date(2027, 1, 2), "31 décembre 2026 – 2 janvier 2027"),
        (dt.date(2026, 10, 1), dt.date(2026, 10, 3), "1er–3 octobre 2026"),
        (dt.date(2026, 7, 31), dt.date(2026, 8, 1), "31 juillet – 1er août 2026"),
    ],
)
def test_french_date_range(start, end, expected):
    assert documents.french_date_range(start, end) == expected


def test_pdf_text_keeps_french_and_folds_what_helvetica_cannot_print():
    french = "Œuvre « cœur » — l’école à Québec, ça va"
    assert documents.pdf_text(french) == french
    assert documents.pdf_text("Łukasz Dvořák Şahin") == "Lukasz Dvorák Sahin"
    assert documents.pdf_text("東京") == "??"


# --- QR codes --------------------------------------------------------------------------------


@pytest.mark.parametrize("level", ["L", "M", "Q", "H"])
def test_qr_modules_are_a_square_qr_matrix_with_its_finder_patterns(level):
    import segno

    text = "https://mediane.example.org/sommet/s/organisation/accueil/" + "x" * 32 + "/"
    modules = qr_modules(text, level)
    size = len(modules)
    assert all(len(row) == size for row in modules)
    version = segno.make(text, error=level.lower(), micro=False, boost_error=False).version
    assert size == 17 + 4 * version
    finder = [[r in (0, 6) or c in (0, 6) or (2 <= r <= 4 and 2 <= c <= 4) for c in range(7)]
              for r in range(7)]  # fmt: skip
    for top, left in ((0, 0), (0, size - 7), (size - 7, 0)):
        assert [row[left : left + 7] for row in modules[top : top + 7]] == finder
    # More error correction, more modules (or a larger version) for the same text.
    assert size >= len(qr_modules(text, "L"))


# --- badges --------------------------------------------------------------------------------------


def test_badges_one_page_each_with_the_person_and_the_edition(world):
    press = _person(world.edition, "Łukasz Dvořák", "", kind=ParticipantType.PRESS)
    people = [world.me, world.others[0], press]
    pages = pdf_pages(documents.badge_pdf(people, checkin_url=lambda r: f"https://x/{r.pk}"))

    assert len(pages) == 3
    me, helene, lukasz = pages
    for text in pages:
        assert "SIIViM 2026 — Trois-Rivières" in text
        assert "30 octobre – 2 novembre 2026" in text
        assert "Amphithéâtre Cogeco" in text
    assert "Gaëtan Côté-Lévesque" in me
    assert "Conseiller « cœur de ville »" in me
    assert "Ville de Trois-Rivières" in me
    assert "DÉLÉGATION D'UNE VILLE" in me
    assert "Hélène Bélanger" in helene
    assert "Œuvres numériques inc." in helene
    assert "ENTREPRISE" in helene
    assert "Lukasz Dvorák" in lukasz  # no black squares for ł and ř
    assert "PRESSE" in lukasz


def test_badge_band_has_the_colour_of_the_participant_type(world):
    data = documents.badge_pdf([world.me, world.others[1]], checkin_url=lambda r: "https://x/")
    streams = [
        page.get_contents().get_data().decode("latin-1")
        for page in PdfReader(io.BytesIO(data)).pages
    ]

    def fill(kind: str) -> str:
        return fp_str(*colors.HexColor(documents.BAND_COLOURS[kind]).rgb()) + " rg"

    assert fill(ParticipantType.CITY) in streams[0]
    assert fill(ParticipantType.EXPERT) not in streams[0]
    assert fill(ParticipantType.EXPERT) in streams[1]
    assert len(set(documents.BAND_COLOURS.values())) == len(ParticipantType.values)
    assert set(documents.BAND_COLOURS) == set(ParticipantType.values)


def test_badge_qr_code_carries_the_checkin_url(world, monkeypatch):
    encoded: list[str] = []

    def spy(text: str, level: str = "M"):
        encoded.append(text)
        return qr_modules(text, level)

    monkeypatch.setattr(documents, "qr_modules", spy)
    people = [world.me, *world.others]
    documents.badge_pdf(
        people, checkin_url=lambda r: f"https://mediane.test/accueil/{r.badge_token}/"
    )
    assert encoded == [f"https://mediane.test/accueil/{r.badge_token}/" for r in people]


def test_badges_of_nobody_is_still_a_pdf():
    assert len(pdf_pages(documents.badge_pdf([], checkin_url=str))) == 1


def test_long_names_shrink_or_wrap_but_stay_on_the_badge():
    def fit(text):
        lines, size = documents._fit(text, "Helvetica-Bold", 250, size=28, smallest=15, lines=2)
        assert all(stringWidth(line, "Helvetica-Bold", size) <= 250 for line in lines)
        return lines, size

    assert fit("Jo Li") == (["Jo Li"], 28)
    lines, size = fit("Marie-Ève Tremblay-Bouchard de la Rochefoucauld-Saint-Hyacinthe")
    assert len(lines) == 2 and 15 <= size < 28
    assert " ".join(lines) == "Marie-Ève Tremblay-Bouchard de la Rochefoucauld-Saint-Hyacinthe"
    lines, size = fit("Wolfeschlegelsteinhausenbergerdorffwelchevoralternwarengewissenhaft")
    assert size == 15 and lines[-1].endswith("…")  # one word too long: cut
    lines, size = fit(" ".join(["Tremblay"] * 40))
    assert size == 15 and len(lines) == 2 and lines[-1].endswith("…")


# --- agenda (PDF) --------------------------------------------------------------------------------


def test_agenda_pdf_lists_the_meetings_by_day_in_the_editions_time(world):
    pages = pdf_pages(documents.agenda_pdf(world.me, agenda_for(world.me)))

    assert len(pages) == 1
    text = pages[0]
    for expected in (
        "SIIViM 2026 — Trois-Rivières",
        "30 octobre – 2 novembre 2026",
        "Gaëtan Côté-Lévesque",
        "Conseiller « cœur de ville » — Ville de Trois-Rivières",
        "heures locales (America/Toronto)",
        "Horaire Lieu Avec Notes",
        "Hélène Bélanger Directrice générale Œuvres numériques inc.",
        "Table 3 Salle Laviolette",
        "Noël Lefèvre Ingénieur énergéticien R&D <Lab> Énergie",
        "Table 7",
        "Page 1 / 1",
    ):
        assert expected in text, expected
    # Both meetings at 09:20 local time, either side of the change of hour; by day, in order.
    friday = text.index("Vendredi 30 octobre 2026")
    monday = text.index("Lundi 2 novembre 2026")
    assert friday < text.index("09:20–09:40 Table 3") < monday < text.index("09:20–09:40 Table 7")


def test_agenda_pdf_paginates_with_page_numbers(world):
    edition = world.edition
    for n in range(36):
        day = dt.date(2026, 10, 30) + dt.timedelta(days=n // 18)
        start = (dt.datetime(2026, 1, 1, 8, 0) + dt.timedelta(minutes=20 * (n % 18))).time()
        slot = _slot(edition, 10 + n, day, start)
        other = _person(edition, f"Personne {n:02d}", f"Entreprise {n:02d}", job_title="Cheffe")
        _meet(world, other, slot, world.tables[1])
    meetings = agenda_for(world.me)
    assert len(meetings) == 38

    pages = pdf_pages(documents.agenda_pdf(world.me, meetings))

    total = len(pages)
    assert total >= 3
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} / {total}" in text
        assert "Horaire Lieu Avec Notes" in text  # the column titles repeat
    everything = " ".join(pages)
    for n in range(36):
        assert f"Personne {n:02d}" in everything
    assert "13:40–14:00" in everything


def test_agenda_pdf_without_meetings(world):
    pages = pdf_pages(documents.agenda_pdf(world.others[0], []))
    assert "Aucun rendez-vous publié pour l'instant." in pages[0]
    assert "Hélène Bélanger" in pages[0]


# --- agenda (iCalendar) ------------------------------------------------------------------------


def test_ics_has_one_event_per_meeting_in_utc(world):
    now = dt.datetime(2026, 10, 20, 8, 0, tzinfo=UTC)
    data = documents.agenda_ics(
        world.me, agenda_for(world.me), url="https://mediane.test/sommet/agenda/", now=now
    )
    calendar, events = ics_events(data)

    assert str(calendar["prodid"]) == "-//Médiane//Sommet//FR"
    assert str(calendar["version"]) == "2.0"
    assert str(calendar["x-wr-calname"]) == "Sommet SIIViM 2026 — Trois-Rivières — mes rendez-vous"
    assert str(calendar["x-wr-timezone"]) == "America/Toronto"
    assert len(events) == 2
    first, second = sorted(events, key=lambda e: e.decoded("dtstart"))
    me, helene, noel = world.me.pk, world.others[0].pk, world.others[1].pk
    # 09:20 in Trois-Rivières: 13:20 UTC before the end of daylight saving time, 14:20 after.
    assert first.decoded("dtstart") == dt.datetime(2026, 10, 30, 13, 20, tzinfo=UTC)
    assert first.decoded("dtend") == dt.datetime(2026, 10, 30, 13, 40, tzinfo=UTC)
    assert second.decoded("dtstart") == dt.datetime(2026, 11, 2, 14, 20, tzinfo=UTC)
    assert second.decoded("dtend") == dt.datetime(2026, 11, 2, 14, 40, tzinfo=UTC)
    assert b"DTSTART:20261030T132000Z" in data
    assert str(first["uid"]) == f"summit-siivim-2026-{min(me, helene)}-{max(me, helene)}@mediane"
    assert str(second["uid"]) == f"summit-siivim-2026-{min(me, noel)}-{max(me, noel)}@mediane"
    assert str(first["summary"]) == "Rendez-vous avec Hélène Bélanger (Œuvres numériques inc.)"
    assert str(second["summary"]) == "Rendez-vous avec Noël Lefèvre (R&D <Lab> Énergie)"
    assert str(first["location"]) == "Table 3 — Salle Laviolette — Amphithéâtre Cogeco"
    assert str(second["location"]) == "Table 7 — Amphithéâtre Cogeco"
    assert str(first["description"]).split("\n") == [
        "Hélène Bélanger — Directrice générale — Œuvres numériques inc. (Entreprise)",
        "Apporte : Capteurs de qualité de l'air pour les écoles",
        "Cherche : Une ville pilote en Mauricie",
    ]
    for event in events:
        assert str(event["status"]) == "CONFIRMED"
        assert str(event["url"]) == "https://mediane.test/sommet/agenda/"
        assert event.decoded("dtstamp") == now
        assert int(event["sequence"]) == int(world.edition.schedule_published_at.timestamp())


def test_ics_the_other_side_sees_the_same_event(world):
    helene = world.others[0]
    mine = {
        str(e["uid"]) for e in ics_events(documents.agenda_ics(world.me, agenda_for(world.me)))[1]
    }
    _calendar, theirs = ics_events(documents.agenda_ics(helene, agenda_for(helene)))
    assert len(theirs) == 1
    assert str(theirs[0]["uid"]) in mine
    assert (
        str(theirs[0]["summary"])
        == "Rendez-vous avec Gaëtan Côté-Lévesque (Ville de Trois-Rivières)"
    )


def test_ics_moved_meeting_keeps_its_uid_and_gets_a_higher_sequence(world):
    def event_with_helene():
        events = ics_events(documents.agenda_ics(world.me, agenda_for(world.me)))[1]
        (event,) = [e for e in events if "Hélène" in str(e["summary"])]
        return event

    before = event_with_helene()
    meeting = Meeting.objects.get(run=world.run, second=world.others[0])
    meeting.slot = world.slots[2]
    meeting.moved_at = dt.datetime(2026, 10, 15, 9, 30, tzinfo=UTC)
    meeting.save()
    after = event_with_helene()

    assert str(after["uid"]) == str(before["uid"])
    assert int(after["sequence"]) > int(before["sequence"])
    assert int(after["sequence"]) == int(meeting.moved_at.timestamp())
    assert after.decoded("dtstart") == dt.datetime(2026, 11, 2, 19, 0, tzinfo=UTC)  # 14:00 EST


def test_ics_new_published_run_keeps_the_uids_and_raises_the_sequence(world):
    before = {
        str(e["uid"]): int(e["sequence"])
        for e in ics_events(documents.agenda_ics(world.me, agenda_for(world.me)))[1]
    }
    # The organisers compute and publish a new run: new meeting rows, new times, none "moved",
    # and the pairs' sides the other way round.
    run = ScheduleRun.objects.create(edition=world.edition, status=RunStatus.DONE)
    _meet(world, world.others[1], world.slots[0], world.tables[0], run=run, swap=True)
    _meet(world, world.others[0], world.slots[2], world.tables[1], run=run, swap=True)
    _publish(world.edition, run, dt.datetime(2026, 10, 10, 12, 0, tzinfo=UTC))

    after = {
        str(e["uid"]): int(e["sequence"])
        for e in ics_events(documents.agenda_ics(world.me, agenda_for(world.me)))[1]
    }
    assert set(after) == set(before)
    assert all(after[uid] > before[uid] for uid in before)


def test_ics_adds_the_programme_sessions_attended(world):
    edition = world.edition
    room = Room.objects.get(edition=edition, name="Salle Laviolette")
    plenary = ProgrammeSession.objects.create(
        edition=edition,
        kind="plenary",
        title="Ouverture : les villes médianes et l’IA",
        description="Allocution « d’accueil » du maire.",
        room=room,
        starts_at=dt.datetime(2026, 10, 30, 8, 30, tzinfo=TORONTO),
        ends_at=dt.datetime(2026, 10, 30, 9, 0, tzinfo=TORONTO),
    )
    ProgrammeSession.objects.create(  # not attended
        edition=edition,
        kind="visit",
        title="Visite de la Cité de l'énergie",
        starts_at=dt.datetime(2026, 10, 31, 14, 0, tzinfo=TORONTO),
        ends_at=dt.datetime(2026, 10, 31, 16, 0, tzinfo=TORONTO),
    )
    world.me.attended_sessions.add(plenary)

    _calendar, events = ics_events(documents.agenda_ics(world.me, agenda_for(world.me)))

    assert len(events) == 3
    (session,) = [e for e in events if str(e["uid"]) == f"summit-session-{plenary.pk}@mediane"]
    assert str(session["summary"]) == "Ouverture : les villes médianes et l’IA"
    assert session.decoded("dtstart") == dt.datetime(2026, 10, 30, 12, 30, tzinfo=UTC)
    assert session.decoded("dtend") == dt.datetime(2026, 10, 30, 13, 0, tzinfo=UTC)
    assert str(session["location"]) == "Salle Laviolette — Amphithéâtre Cogeco"
    assert str(session["description"]) == "Plénière\nAllocution « d’accueil » du maire."


def test_ics_description_is_cut_and_unplaced_meetings_are_left_out(world):
    other = _person(world.edition, "Long Discours", "Bavard SA", offers="é" * 2000, seeks="c" * 900)
    _meet(world, other, world.slots[2], world.tables[0])
    unplaced = _person(world.edition, "Sans Créneau", "Nulle Part")
    _meet(world, unplaced, None)
    meetings = list(Meeting.objects.filter(run=world.run).select_related("slot", "table__room"))
    assert len(meetings) == 4

    _calendar, events = ics_events(documents.agenda_ics(world.me, meetings))

    assert len(events) == 3
    assert not any("Sans Créneau" in str(e["summary"]) for e in events)
    (event,) = [e for e in events if "Long Discours" in str(e["summary"])]
    who, offers, seeks = str(event["description"]).split("\n")
    assert who == "Long Discours — Bavard SA (Entreprise)"
    assert offers == "Apporte : " + "é" * 499 + "…"
    assert seeks == "Cherche : " + "c" * 499 + "…"


def test_ics_empty_agenda_is_a_valid_calendar(world):
    calendar, events = ics_events(documents.agenda_ics(world.others[0], []))
    assert events == []
    assert str(calendar["x-wr-calname"]).endswith("— mes rendez-vous")
