"""Attachments are accepted for what their bytes are, within the size limit."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from mediane.core.errors import Conflict, ValidationFailed
from mediane.core.permissions import can
from mediane.market import services
from mediane.market.attachments import clean_attachment, safe_filename

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(out, format="PNG")
    return out.getvalue()


def office(extension: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        if extension == "odt":
            archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
            archive.writestr("content.xml", "<office:document-content/>")
        else:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr(
                {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}[extension], "<x/>"
            )
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("cahier.pdf", PDF, "application/pdf"),
        ("plan.png", None, "image/png"),
        ("note.docx", office("docx"), "officedocument.wordprocessingml"),
        ("budget.xlsx", office("xlsx"), "spreadsheetml"),
        ("texte.odt", office("odt"), "opendocument.text"),
    ],
)
def test_accepted_by_content(name, data, content_type):
    checked = clean_attachment(io.BytesIO(data if data is not None else png()), name=name)
    assert content_type in checked.content_type
    assert checked.content.name == name


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("cahier.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
        ("cahier.pdf", b"%PDF-1.4 truncated, no trailer"),
        ("plan.png", PDF),
        ("note.docx", office("xlsx")),  # a spreadsheet named as a text document
        ("note.docx", b"PK\x03\x04 not really a zip"),
        ("texte.odt", office("docx")),
        ("page.html", b"<html></html>"),
        ("image.svg", b"<svg onload='alert(1)'/>"),
        ("script.pdf.exe", PDF),
        ("sans-extension", PDF),
        ("vide.pdf", b""),
    ],
)
def test_refused_when_content_does_not_match(name, data):
    with pytest.raises(ValidationFailed) as error:
        clean_attachment(io.BytesIO(data), name=name)
    assert error.value.field_errors["file"]


def test_size_limit(settings):
    settings.MARKET_ATTACHMENT_MAX_BYTES = len(PDF) - 1
    with pytest.raises(ValidationFailed) as error:
        clean_attachment(io.BytesIO(PDF), name="cahier.pdf")
    assert "trop lourd" in error.value.message


def test_safe_filename():
    assert safe_filename("../../etc/Cahier des charges é.pdf") == "Cahier-des-charges-e.pdf"
    assert safe_filename("C:\\Users\\x\\..pdf") == "pdf"
    assert safe_filename("") == "fichier"


def test_challenge_and_answer_attachments_follow_their_parent(world):
    challenge = world.draft()
    upload = SimpleUploadedFile("cahier.pdf", PDF, content_type="text/html")  # header ignored
    attachment = services.challenge_attach(
        actor=world.city_editor, challenge=challenge, file=upload, title="Cahier des charges"
    )
    assert attachment.content_type == "application/pdf" and attachment.size == len(PDF)
    assert attachment.file.read() == PDF
    assert not can(world.company_editor, "view", attachment)
    with pytest.raises(ValidationFailed):
        services.challenge_attach(
            actor=world.city_editor,
            challenge=challenge,
            file=SimpleUploadedFile("cahier.pdf", b"<html></html>"),
        )
    services.challenge_submit(actor=world.city_editor, challenge=challenge, now=world.now)
    services.challenge_publish(actor=world.secretariat, challenge=challenge, now=world.now)
    challenge.refresh_from_db()
    attachment.refresh_from_db()
    assert can(world.company_editor, "view", attachment)

    answer = world.answer(challenge)
    mine = services.answer_attach(
        actor=world.company_editor,
        answer=answer,
        file=SimpleUploadedFile("offre.pdf", PDF),
        now=world.now,
    )
    assert mine.title == "offre.pdf"
    assert can(world.company_member, "view", mine)
    assert not can(world.rival_editor, "view", mine)
    with pytest.raises(Conflict):  # locked after closing
        services.answer_attach(
            actor=world.company_editor,
            answer=answer,
            file=SimpleUploadedFile("autre.pdf", PDF),
            now=world.after_closing(challenge),
        )


def test_attachments_are_never_reachable_by_url(world, client, settings):
    """An answer's file lives in the private storage, under a random folder: not below
    MEDIA_ROOT (served publicly), and no guessable /media/ URL returns it."""
    from pathlib import Path

    answer = world.answer(world.open_challenge())
    stored = services.answer_attach(
        actor=world.company_editor,
        answer=answer,
        file=SimpleUploadedFile("offre.pdf", PDF),
        now=world.now,
    )
    path = Path(stored.file.path)
    assert path.read_bytes() == PDF
    assert Path(settings.MEDIA_ROOT) not in path.parents
    assert path.parent.name != "answerattachment"  # a random folder per file
    for guess in (stored.file.name, f"market/answerattachment/{path.name}"):
        assert client.get(f"{settings.MEDIA_URL}{guess}").status_code == 404
