# mypy: disable-error-code="import-untyped"
# (reportlab ships no type hints)
"""Printable and calendar documents of the summit: badges (PDF), a participant's agenda (PDF)
and their iCalendar feed.

Pure functions: they take model instances (the caller loads them, e.g. with
`selectors.agenda_for`) and return bytes; no request, no permission check. Times are shown in
the edition's time zone; the iCalendar feed carries UTC times.

The PDFs use reportlab's standard Helvetica in WinAnsi encoding: French and Québec text (é, è,
ç, œ, « », –, —, ’) renders as is; the rare character outside WinAnsi (ł, ř, ŝ…) is replaced by
its unaccented letter rather than printed as a black square.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from functools import partial
from itertools import groupby
from typing import Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, A6
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from mediane.summit.models import Edition, Meeting, ParticipantType, Registration
from mediane.summit.qr import qr_modules

PRODID = "-//Médiane//Sommet//FR"
DESCRIPTION_LIMIT = 500  # characters of what the other party offers, and of what they seek

MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")

# The band of a badge, by participant type: dark enough for white text.
BAND_COLOURS: dict[str, str] = {
    ParticipantType.CITY: "#1d4e89",
    ParticipantType.COMPANY: "#2e7d32",
    ParticipantType.INCUBATOR: "#6a1b9a",
    ParticipantType.EXPERT: "#b45309",
    ParticipantType.PRESS: "#c62828",
    ParticipantType.ORGANISER: "#263238",
}
DEFAULT_BAND = "#546e7a"

# Characters outside WinAnsi without an unaccented decomposition.
_FOLD = str.maketrans({"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i"})


# --- text ----------------------------------------------------------------------------------------


def pdf_text(text: str) -> str:
    """`text` as Helvetica (WinAnsi) can print it: characters outside WinAnsi lose their accent,
    or become "?" when they have no Latin letter."""
    try:
        text.encode("cp1252")
        return text
    except UnicodeEncodeError:
        pass
    out = []
    for char in text.translate(_FOLD):
        try:
            char.encode("cp1252")
            out.append(char)
        except UnicodeEncodeError:
            base = "".join(
                c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
            )
            try:
                base.encode("cp1252")
                out.append(base or "?")
            except UnicodeEncodeError:
                out.append("?")
    return "".join(out)


def _day(day: date) -> str:
    return "1er" if day.day == 1 else str(day.day)


def french_date(day: date, *, weekday: bool = False) -> str:
    """`jeudi 1er octobre 2026` (or without the weekday)."""
    text = f"{_day(day)} {MONTHS[day.month - 1]} {day.year}"
    return f"{WEEKDAYS[day.weekday()]} {text}" if weekday else text


def french_date_range(start: date, end: date) -> str:
    """`12–14 juin 2026`, `30 juin – 2 juillet 2026`, `31 décembre 2026 – 2 janvier 2027`."""
    if end <= start:
        return french_date(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{_day(start)}–{_day(end)} {MONTHS[end.month - 1]} {end.year}"
    if start.year == end.year:
        return f"{_day(start)} {MONTHS[start.month - 1]} – {french_date(end)}"
    return f"{french_date(start)} – {french_date(end)}"


def _zone(edition: Edition) -> ZoneInfo:
    return ZoneInfo(edition.time_zone or "Europe/Paris")


def _organisation_name(registration: Registration) -> str:
    organisation = registration.organisation
    return organisation.name if organisation is not None else ""


def _type_label(registration: Registration) -> str:
    return str(registration.get_participant_type_display())


def _edition_line(edition: Edition) -> str:
    parts = [french_date_range(edition.starts_on, edition.ends_on)]
    parts += [p for p in (edition.venue_name, edition.host_city) if p]
    return " · ".join(parts)


def _truncate(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _placed(meetings: Iterable[Meeting], registration: Registration) -> list[Meeting]:
    """The meetings of `registration` that have a slot, in time order."""
    mine = [
        m for m in meetings if m.slot is not None and registration.pk in (m.first_id, m.second_id)
    ]
    return sorted(mine, key=lambda m: (m.slot.starts_at, m.pk))  # type: ignore[union-attr]


# --- badges --------------------------------------------------------------------------------------

BADGE_SIZE = A6  # 105 × 148 mm, one badge a page: A6 card, or "4 pages a sheet" on A4.
QR_SIZE = 34 * mm
BAND_HEIGHT = 15 * mm
MARGIN = 7 * mm


def _draw_qr(canvas: Canvas, url: str, x: float, y: float, size: float = QR_SIZE) -> None:
    """A `size` × `size` QR code of `url` with its lower left corner at (x, y): error correction
    M (survives a scratch or a fold of the badge holder), a quiet zone of two modules.

    Drawn in module units (origin at the top left module, y downwards) as one filled path of
    the dark runs of each row, written as PDF operators: reportlab's path objects format every
    coordinate in Python, three times slower for a QR code's few hundred rectangles."""
    modules = qr_modules(url, "M")
    border = 2
    box = size / (len(modules) + 2 * border)
    operators = []
    for r, row in enumerate(modules):
        c = 0
        for dark, run in groupby(row):
            count = len(list(run))
            if dark:
                # A hair taller than the module: no seam between rows on screen.
                operators.append(f"{c} {r} {count} 1.03 re")
            c += count
    canvas.saveState()
    canvas.transform(box, 0, 0, -box, x + border * box, y + size - border * box)
    canvas.setFillColor(colors.black)
    canvas.addLiteral("\n".join(operators) + "\nf")
    canvas.restoreState()


def _fit(
    text: str, font: str, width: float, *, size: float, smallest: float, lines: int
) -> tuple[list[str], float]:
    """The largest font size from `size` down to `smallest` at which `text` fits `width` in at
    most `lines` lines (broken between words); at `smallest`, what does not fit is cut with an
    ellipsis."""
    current = size
    while True:
        split = simpleSplit(text, font, current, width) or [""]
        if len(split) <= lines and all(stringWidth(s, font, current) <= width for s in split):
            return split, current
        if current - 1 < smallest:
            break
        current -= 1
    cut = len(split) > lines
    split = split[:lines]
    for i, line in enumerate(split):
        if (cut and i == len(split) - 1) or stringWidth(line, font, current) > width:
            while line and stringWidth(line + "…", font, current) > width:
                line = line[:-1]
            split[i] = line.rstrip() + "…"
    return split, current


def _draw_lines(
    canvas: Canvas, lines: list[str], font: str, size: float, top: float, *, leading: float
) -> float:
    """Draws `lines` centred, the first baseline `size` below `top`; returns the new top."""
    width, _height = BADGE_SIZE
    y = top - size
    canvas.setFont(font, size)
    for line in lines:
        canvas.drawCentredString(width / 2, y, line)
        y -= size * leading
    return y + size * leading - size * 0.3


def _draw_badge(canvas: Canvas, registration: Registration, url: str) -> None:
    width, height = BADGE_SIZE
    inner = width - 2 * MARGIN
    edition = registration.edition
    band = colors.HexColor(BAND_COLOURS.get(registration.participant_type, DEFAULT_BAND))

    # The type's colour: a thin strip at the top, the labelled band at the bottom.
    canvas.setFillColor(band)
    canvas.rect(0, height - 4 * mm, width, 4 * mm, stroke=0, fill=1)
    canvas.rect(0, 0, width, BAND_HEIGHT, stroke=0, fill=1)
    label = pdf_text(_type_label(registration).upper())
    lines, size = _fit(label, "Helvetica-Bold", inner, size=14, smallest=8, lines=1)
    canvas.setFillColor(colors.white)
    canvas.setFont("Helvetica-Bold", size)
    canvas.drawCentredString(width / 2, (BAND_HEIGHT - size * 0.7) / 2, lines[0])

    # The edition.
    canvas.setFillColor(colors.HexColor("#37474f"))
    top = height - 4 * mm - 5 * mm
    lines, size = _fit(
        pdf_text(edition.title), "Helvetica-Bold", inner, size=11, smallest=8, lines=2
    )
    top = _draw_lines(canvas, lines, "Helvetica-Bold", size, top, leading=1.2)
    lines, size = _fit(
        pdf_text(_edition_line(edition)), "Helvetica", inner, size=8.5, smallest=7, lines=1
    )
    top = _draw_lines(canvas, lines, "Helvetica", size, top - 1.5 * mm, leading=1.2)
    canvas.setStrokeColor(band)
    canvas.setLineWidth(0.8)
    top -= 4 * mm
    canvas.line(width / 2 - 12 * mm, top, width / 2 + 12 * mm, top)

    # The person.
    canvas.setFillColor(colors.black)
    lines, size = _fit(
        pdf_text(registration.display_name), "Helvetica-Bold", inner, size=28, smallest=15, lines=2
    )
    top = _draw_lines(canvas, lines, "Helvetica-Bold", size, top - 6 * mm, leading=1.08)
    if registration.job_title:
        canvas.setFillColor(colors.HexColor("#37474f"))
        lines, size = _fit(
            pdf_text(registration.job_title), "Helvetica", inner, size=11, smallest=8, lines=2
        )
        top = _draw_lines(canvas, lines, "Helvetica", size, top - 3.5 * mm, leading=1.2)
    organisation = _organisation_name(registration)
    if organisation:
        canvas.setFillColor(colors.black)
        lines, size = _fit(
            pdf_text(organisation), "Helvetica-Bold", inner, size=12.5, smallest=8, lines=2
        )
        _draw_lines(canvas, lines, "Helvetica-Bold", size, top - 3 * mm, leading=1.2)

    # The check-in QR code, above the band.
    _draw_qr(canvas, url, (width - QR_SIZE) / 2, BAND_HEIGHT + 4 * mm)


def badge_pdf(
    registrations: Sequence[Registration], *, checkin_url: Callable[[Registration], str]
) -> bytes:
    """One A6 badge a page for each registration, in the given order: edition and dates, the
    person's name, job title and organisation, the participant type on a coloured band, and a
    QR code of `checkin_url(registration)` (the organisers' check-in page of that badge)."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=BADGE_SIZE, pageCompression=1, invariant=1)
    editions = {r.edition.title for r in registrations}
    canvas.setTitle(pdf_text("Badges — " + ", ".join(sorted(editions))))
    canvas.setAuthor("Médiane")
    for registration in registrations:
        _draw_badge(canvas, registration, checkin_url(registration))
        canvas.showPage()
    if not registrations:
        canvas.showPage()  # a valid, empty page rather than a file without pages
    canvas.save()
    return buffer.getvalue()


# --- agenda (PDF) ---------------------------------------------------------------------------------


class _NumberedCanvas(Canvas):
    """Draws "Page n / total" (and a reminder of whose agenda it is) once every page is known."""

    def __init__(self, *args: Any, footer: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 (reportlab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            width, _height = self._pagesize
            self.setFont("Helvetica", 8)
            self.setFillColor(colors.HexColor("#607d8b"))
            self.drawString(15 * mm, 10 * mm, self._footer)
            self.drawRightString(width - 15 * mm, 10 * mm, f"Page {number} / {total}")
            super().showPage()
        super().save()


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(pdf_text(text)).replace("\n", "<br/>"), style)


def agenda_pdf(registration: Registration, meetings: Sequence[Meeting]) -> bytes:
    """A participant's agenda on A4: the edition, the person, then one row per meeting grouped
    by day (time, table and room, the other party, an empty column for notes); "Page n / total"
    at the foot of each page. Meetings without a slot are left out."""
    edition = registration.edition
    zone = _zone(edition)
    styles = getSampleStyleSheet()
    title = ParagraphStyle("title", parent=styles["Title"], fontSize=16, leading=20, spaceAfter=2)
    centred = ParagraphStyle("centred", parent=styles["Normal"], alignment=TA_CENTER)
    person = ParagraphStyle("person", parent=styles["Heading2"], spaceBefore=10, spaceAfter=0)
    normal = ParagraphStyle("cell", parent=styles["Normal"], fontSize=9, leading=11)
    strong = ParagraphStyle("strong", parent=normal, fontName="Helvetica-Bold")
    small = ParagraphStyle("small", parent=normal, fontSize=8, leading=10, textColor="#546e7a")
    day_style = ParagraphStyle("day", parent=styles["Heading3"], spaceBefore=0, spaceAfter=0)

    name = registration.display_name
    organisation = _organisation_name(registration)
    story: list[Any] = [
        _p(edition.title, title),
        _p(_edition_line(edition), centred),
        _p(name, person),
        _p(" — ".join(p for p in (registration.job_title, organisation) if p), normal),
        Spacer(1, 2 * mm),
        _p(f"Mes rendez-vous d'affaires — heures locales ({edition.time_zone})", small),
    ]
    placed = _placed(meetings, registration)
    if not placed:
        story.append(Spacer(1, 6 * mm))
        story.append(_p("Aucun rendez-vous publié pour l'instant.", normal))

    page_width, _page_height = A4
    widths = [24 * mm, 30 * mm, 70 * mm]
    widths.append(page_width - 30 * mm - sum(widths))
    header = [_p(h, strong) for h in ("Horaire", "Lieu", "Avec", "Notes")]
    # Each day is one table: its first row (the day) and the column titles repeat on the next
    # page when the day runs over, and a page never ends with them alone.
    style = TableStyle(
        [
            ("SPAN", (0, 0), (-1, 0)),
            ("LEFTPADDING", (0, 0), (0, 0), 0),
            ("TOPPADDING", (0, 0), (-1, 0), 10),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 1), (-1, 1), colors.HexColor("#eceff1")),
            ("LINEBELOW", (0, 1), (-1, 1), 0.8, colors.HexColor("#90a4ae")),
            ("LINEBELOW", (0, 2), (-1, -1), 0.4, colors.HexColor("#cfd8dc")),
            ("LINEBEFORE", (3, 1), (3, -1), 0.4, colors.HexColor("#cfd8dc")),
            ("TOPPADDING", (0, 1), (-1, -1), 4),
            ("BOTTOMPADDING", (0, 1), (-1, -1), 4),
        ]
    )

    def local_day(meeting: Meeting) -> date:
        return meeting.slot.starts_at.astimezone(zone).date()  # type: ignore[union-attr]

    for day, day_meetings in groupby(placed, key=local_day):
        heading = _p(french_date(day, weekday=True).capitalize(), day_style)
        rows: list[list[Any]] = [[heading, "", "", ""], header]
        for meeting in day_meetings:
            slot = meeting.slot
            assert slot is not None
            start, end = slot.starts_at.astimezone(zone), slot.ends_at.astimezone(zone)
            table = meeting.table
            place = [_p(str(table) if table is not None else "Table à préciser", normal)]
            if table is not None and table.room is not None:
                place.append(_p(table.room.name, small))
            other = meeting.other(registration.pk)
            who = [_p(other.display_name, strong)]
            who += [_p(text, normal) for text in (other.job_title,) if text]
            who += [_p(text, small) for text in (_organisation_name(other),) if text]
            notes = Spacer(1, 14 * mm)  # room to write
            rows.append([_p(f"{start:%H:%M}–{end:%H:%M}", normal), place, who, notes])
        story.append(Table(rows, colWidths=widths, repeatRows=2, style=style))

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=20 * mm,
        title=pdf_text(f"Agenda — {name} — {edition.title}"),
        author="Médiane",
        invariant=1,
    )
    footer = pdf_text(f"{edition.title} — {name}")
    document.build(story, canvasmaker=partial(_NumberedCanvas, footer=footer))
    return buffer.getvalue()


# --- agenda (iCalendar) ---------------------------------------------------------------------------


def meeting_uid(edition: Edition, first_id: int, second_id: int) -> str:
    """The UID of a pair's meeting: stable across scheduler runs (the rows change at each run,
    the pair does not), so calendar apps move the event instead of adding another."""
    low, high = sorted((first_id, second_id))
    return f"summit-{edition.slug}-{low}-{high}@mediane"


def meeting_sequence(meeting: Meeting, edition: Edition) -> int:
    """SEQUENCE of a meeting's event: it grows whenever the meeting may have changed — a manual
    move (`moved_at`) or a new publication, whose rows (new run) are not marked as moved."""
    stamps = [moment for moment in (meeting.moved_at, edition.schedule_published_at) if moment]
    return int(max(stamps).timestamp()) if stamps else 0


def _location(table_label: str, room: str, edition: Edition) -> str:
    return " — ".join(p for p in (table_label, room, edition.venue_name or edition.host_city) if p)


def _meeting_description(other: Registration) -> str:
    who = " — ".join(
        p for p in (other.display_name, other.job_title, _organisation_name(other)) if p
    )
    lines = [f"{who} ({_type_label(other)})"]
    if other.offers.strip():
        lines.append("Apporte : " + _truncate(other.offers, DESCRIPTION_LIMIT))
    if other.seeks.strip():
        lines.append("Cherche : " + _truncate(other.seeks, DESCRIPTION_LIMIT))
    return "\n".join(lines)


def agenda_ics(
    registration: Registration,
    meetings: Sequence[Meeting],
    *,
    url: str = "",
    now: datetime | None = None,
) -> bytes:
    """The participant's iCalendar feed: one event per placed meeting and per programme session
    they attend (`registration.attended_sessions`), with UTC times. `url` (the agenda page) is
    attached to the meetings; `now` is the DTSTAMP (default: the current time)."""
    edition = registration.edition
    stamp = (now or datetime.now(UTC)).astimezone(UTC)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    name = (
        edition.title if edition.title.lower().startswith("sommet") else f"Sommet {edition.title}"
    )
    calendar.add("x-wr-calname", f"{name} — mes rendez-vous")
    calendar.add("x-wr-timezone", edition.time_zone)

    for meeting in _placed(meetings, registration):
        slot = meeting.slot
        assert slot is not None
        other = meeting.other(registration.pk)
        organisation = _organisation_name(other)
        event = Event()
        event.add("uid", meeting_uid(edition, meeting.first_id, meeting.second_id))
        event.add("dtstamp", stamp)
        event.add("dtstart", slot.starts_at.astimezone(UTC))
        event.add("dtend", slot.ends_at.astimezone(UTC))
        event.add("sequence", meeting_sequence(meeting, edition))
        summary = f"Rendez-vous avec {other.display_name}"
        event.add("summary", f"{summary} ({organisation})" if organisation else summary)
        table = meeting.table
        event.add(
            "location",
            _location(
                str(table) if table is not None else "",
                table.room.name if table is not None and table.room is not None else "",
                edition,
            ),
        )
        event.add("description", _meeting_description(other))
        if url:
            event.add("url", url)
        event.add("status", "CONFIRMED")
        calendar.add_component(event)

    sessions = sorted(registration.attended_sessions.all(), key=lambda s: (s.starts_at, s.pk))
    for session in sessions:
        event = Event()
        event.add("uid", f"summit-session-{session.pk}@mediane")
        event.add("dtstamp", stamp)
        event.add("dtstart", session.starts_at.astimezone(UTC))
        event.add("dtend", session.ends_at.astimezone(UTC))
        event.add("summary", session.title)
        event.add("location", _location("", session.room.name if session.room else "", edition))
        kind = str(session.get_kind_display())
        description = f"{kind}\n{_truncate(session.description, DESCRIPTION_LIMIT)}".strip()
        event.add("description", description)
        event.add("status", "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical()
