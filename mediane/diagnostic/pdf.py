# mypy: disable-error-code="import-untyped"
"""The diagnostic's PDF report (reportlab): scores, radar chart drawn with reportlab.graphics,
dimension table with the peers' medians and quartiles, progress, and the recommendations."""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from reportlab.graphics.shapes import Drawing, Line, Polygon, PolyLine, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from mediane.diagnostic import charts
from mediane.summit.documents import pdf_text

SERIES_COLOURS = {
    "radar-city": colors.HexColor("#1d4e89"),
    "radar-previous": colors.HexColor("#9e9e9e"),
    "radar-band": colors.HexColor("#b45309"),
}


def _p(text: str, style: Any) -> Paragraph:
    return Paragraph(escape(pdf_text(text)), style)


def _num(value: float | None) -> str:
    """Two decimals with the active language's separator (3,25 in French, 3.25 in English)."""
    return "—" if value is None else number_format(value, 2)


def radar_drawing(radar: charts.Radar, *, scale: float = 0.62) -> Drawing:
    """The radar as a reportlab drawing (y axis flipped from the SVG's)."""
    size = radar.size

    def pts(points: str) -> list[float]:
        out: list[float] = []
        for pair in points.split():
            x, y = pair.split(",")
            out += [float(x) * scale, (size - float(y)) * scale]
        return out

    drawing = Drawing(size * scale + 120, size * scale + 10)
    for ring in radar.grid:
        drawing.add(Polygon(pts(ring), strokeColor=colors.HexColor("#cfd8dc"), fillColor=None))
    centre = charts.CENTRE * scale
    for axis in radar.axes:
        drawing.add(
            Line(
                centre,
                centre,
                axis.x1 * scale,
                (size - axis.y1) * scale,
                strokeColor=colors.HexColor("#cfd8dc"),
            )
        )
        drawing.add(
            String(
                axis.lx * scale,
                (size - axis.ly) * scale,
                pdf_text(axis.label),
                fontSize=7,
                textAnchor=axis.anchor,
            )
        )
    for css, _label, points in radar.series:
        colour = SERIES_COLOURS.get(css, colors.black)
        coords = pts(points)
        drawing.add(PolyLine(coords + coords[:2], strokeColor=colour, strokeWidth=1.6))
    y = 10.0
    for css, label, _points in radar.series:
        colour = SERIES_COLOURS.get(css, colors.black)
        drawing.add(
            Line(
                size * scale + 5, y + 3, size * scale + 20, y + 3, strokeColor=colour, strokeWidth=2
            )
        )
        drawing.add(String(size * scale + 24, y, pdf_text(label), fontSize=7))
        y += 12
    return drawing


def render_report(context: dict[str, Any], *, user: Any = None) -> bytes:
    diagnostic = context["diagnostic"]
    result = context["result"]
    styles = getSampleStyleSheet()
    body, h1, h2 = styles["BodyText"], styles["Title"], styles["Heading2"]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=pdf_text(
            _("Diagnostic %(year)s — %(city)s")
            % {"year": diagnostic.year, "city": diagnostic.organisation.name}
        ),
        author="Médiane",
    )
    story: list[Any] = [
        _p(
            _("Diagnostic territoire intelligent %(year)d") % {"year": diagnostic.year},
            h1,
        ),
        _p(
            _("%(city)s — %(status)s — questionnaire %(version)s — tranche : %(band)s")
            % {
                "city": diagnostic.organisation.name,
                "status": diagnostic.get_status_display(),
                "version": diagnostic.version.code,
                "band": context["band_label"],
            },
            body,
        ),
        Spacer(1, 4 * mm),
        _p(
            _("Score global : %(score)s / 5") % {"score": _num(result.overall)},
            styles["Heading3"],
        ),
        radar_drawing(context["radar"]),
        Spacer(1, 4 * mm),
        _p(_("Scores par dimension"), h2),
    ]
    header = [
        _("Dimension"),
        _("Score"),
        _("Année préc."),
        _("Tranche : médiane (Q1–Q3)"),
        _("Réseau : médiane (Q1–Q3)"),
    ]

    def spread(s: Any) -> str:
        if s is None or not s.available:
            return _("moins de %(count)d villes") % {"count": context["min_peers"]}
        return f"{_num(s.median)} ({_num(s.q1)}–{_num(s.q3)})"

    # Header cells wrap inside their column (plain strings would run past the page's margin).
    head_style = ParagraphStyle("head", parent=body, fontName="Helvetica-Bold", fontSize=8)
    data = [[Paragraph(escape(pdf_text(str(h))), head_style) for h in header]] + [
        [
            Paragraph(escape(pdf_text(f"{r['dimension'].code}. {r['dimension'].name}")), body),
            _num(r["score"]) if r["score"] is not None else _("sans objet"),
            _num(r["previous"]),
            spread(r["band"]),
            spread(r["network"]),
        ]
        for r in context["rows"]
    ]
    table = Table(data, colWidths=[62 * mm, 16 * mm, 20 * mm, 38 * mm, 38 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
                ("FONTSIZE", (0, 1), (-1, -1), 8),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eceff1")),
                ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#b0bec5")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    story += [
        table,
        Spacer(1, 2 * mm),
        _p(
            _(
                "Score d'une dimension : moyenne des niveaux de ses questions applicables ; "
                "score global : moyenne des dimensions notées. Les chiffres des pairs portent "
                "sur le dernier diagnostic validé de chaque ville et ne sont jamais donnés pour "
                "moins de %(count)d villes."
            )
            % {"count": context["min_peers"]},
            styles["Italic"],
        ),
        _p(_("Recommandations pour les dimensions les plus faibles"), h2),
    ]
    for rec in context["recommendations"]:
        story.append(
            _p(
                f"{rec.dimension.code}. {rec.dimension.name} — {_num(rec.score)} / 5",
                styles["Heading3"],
            )
        )
        story.append(
            _p(
                _("Action suggérée : %(action)s") % {"action": rec.dimension.suggested_action},
                body,
            )
        )
        for label, items, attr in (
            (_("Fiches solutions"), rec.solutions, "title"),
            (_("Experts"), rec.experts, "name"),
            (_("Offres"), rec.offers, "title"),
            (_("Défis ouverts"), rec.challenges, "title"),
        ):
            if items:
                names = ", ".join(str(getattr(item, attr)) for item in items)
                story.append(
                    _p(_("%(label)s : %(names)s") % {"label": label, "names": names}, body)
                )
    if not context["recommendations"]:
        story.append(_p(_("Aucune dimension notée pour l'instant."), body))
    doc.build(story)
    return buffer.getvalue()
