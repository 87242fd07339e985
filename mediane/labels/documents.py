# mypy: disable-error-code="import-untyped"
# (reportlab ships no type hints)
"""The label's certificate (PDF, A4 landscape) — a pure function of the label and the address of
its public verification page (printed and in a QR code)."""

from __future__ import annotations

import io
from itertools import groupby

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from mediane.labels.evaluation import french_date
from mediane.labels.models import Label
from mediane.summit.documents import pdf_text
from mediane.summit.qr import qr_modules

INK = colors.HexColor("#1d3557")
ACCENT = colors.HexColor("#2a9d8f")
MUTED = colors.HexColor("#5c677d")
QR_SIZE = 38 * mm


def _qr(canvas: Canvas, url: str, x: float, y: float, size: float = QR_SIZE) -> None:
    modules = qr_modules(url, "M")
    border = 2
    box = size / (len(modules) + 2 * border)
    canvas.saveState()
    canvas.setFillColor(colors.white)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColor(colors.black)
    for r, row in enumerate(modules):
        c = 0
        for dark, run in groupby(row):
            count = len(list(run))
            if dark:
                top = y + size - (border + r + 1) * box
                canvas.rect(x + (border + c) * box, top, count * box, box * 1.03, stroke=0, fill=1)
            c += count
    canvas.restoreState()


def criteria_met(label: Label) -> list[str]:
    return [r["title"] for r in label.evaluation.results if r.get("passed")]


def certificate_pdf(label: Label, *, verify_url: str) -> bytes:
    """One page: the city, the dates of validity, the criteria met, the reference and a QR code
    of `verify_url` (the public page that confirms the label is genuine and still valid)."""
    buffer = io.BytesIO()
    size = landscape(A4)
    width, height = size
    canvas = Canvas(buffer, pagesize=size, pageCompression=1, invariant=1)
    city = label.organisation.name
    canvas.setTitle(
        pdf_text(_("Certificat — label ville numérique engagée — %(city)s") % {"city": city})
    )
    canvas.setAuthor("Médiane")

    # Frame and bands.
    canvas.setStrokeColor(INK)
    canvas.setLineWidth(2)
    canvas.rect(10 * mm, 10 * mm, width - 20 * mm, height - 20 * mm, stroke=1, fill=0)
    canvas.setFillColor(ACCENT)
    canvas.rect(10 * mm, height - 24 * mm, width - 20 * mm, 14 * mm, stroke=0, fill=1)
    canvas.setFillColor(colors.white)
    canvas.setFont("Helvetica-Bold", 13)
    canvas.drawString(
        18 * mm, height - 19 * mm, pdf_text(_("Médiane — réseau des villes médianes"))
    )
    canvas.drawRightString(width - 18 * mm, height - 19 * mm, pdf_text(_("France · Québec")))

    canvas.setFillColor(INK)
    canvas.setFont("Helvetica", 16)
    canvas.drawCentredString(width / 2, height - 42 * mm, pdf_text(_("Certificat")))
    canvas.setFont("Helvetica-Bold", 30)
    canvas.drawCentredString(
        width / 2, height - 56 * mm, pdf_text(_("Label « ville numérique engagée »"))
    )
    canvas.setFont("Helvetica", 14)
    canvas.setFillColor(MUTED)
    canvas.drawCentredString(width / 2, height - 68 * mm, pdf_text(_("décerné à")))
    canvas.setFillColor(INK)
    canvas.setFont("Helvetica-Bold", 26)
    canvas.drawCentredString(width / 2, height - 82 * mm, pdf_text(city))
    canvas.setFont("Helvetica", 13)
    canvas.drawCentredString(
        width / 2,
        height - 93 * mm,
        pdf_text(
            _("valide du %(start)s au %(end)s")
            % {"start": french_date(label.valid_from), "end": french_date(label.valid_until)}
        ),
    )

    # Criteria met.
    left = 24 * mm
    text_width = width - left - QR_SIZE - 40 * mm
    y = height - 108 * mm
    canvas.setFont("Helvetica-Bold", 12)
    canvas.drawString(left, y, pdf_text(_("Critères remplis")))
    y -= 7 * mm
    canvas.setFont("Helvetica", 11)
    for title in criteria_met(label):
        lines = simpleSplit(pdf_text(title), "Helvetica", 11, text_width)
        for index, line in enumerate(lines):
            canvas.drawString(left + 5 * mm, y, line)
            if index == 0:
                canvas.setFillColor(ACCENT)
                canvas.drawString(left, y, "•")
                canvas.setFillColor(INK)
            y -= 5.5 * mm

    # QR code and reference.
    qr_x = width - QR_SIZE - 24 * mm
    _qr(canvas, verify_url, qr_x, 30 * mm)
    canvas.setFont("Helvetica", 8)
    canvas.setFillColor(MUTED)
    canvas.drawCentredString(qr_x + QR_SIZE / 2, 25 * mm, pdf_text(_("Vérifier ce label")))
    canvas.drawString(
        left, 24 * mm, pdf_text(_("Référence %(reference)s") % {"reference": label.reference})
    )
    canvas.drawString(left, 19 * mm, pdf_text(verify_url))
    canvas.drawString(
        left,
        29 * mm,
        pdf_text(
            _("Attribué le %(date)s par le secrétariat du réseau")
            % {"date": french_date(timezone.localdate(label.awarded_at))}
        ),
    )
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
