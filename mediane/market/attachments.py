"""Attachment checks: a file is accepted for what its bytes are, not for its name.

Accepted: PDF, PNG/JPEG/WebP/GIF images (decoded with Pillow), office documents (OOXML .docx
.xlsx .pptx and OpenDocument .odt .ods .odp, both ZIP containers whose inner manifest is read).
The extension must agree with the detected type, so a `.pdf` that is really HTML, or a `.docx`
that is a random ZIP, is refused. Size limit: `settings.MARKET_ATTACHMENT_MAX_BYTES`.
"""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from mediane.core.errors import ValidationFailed

# extension -> MIME type accepted for it
EXTENSIONS: dict[str, str] = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
    "gif": "image/gif",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
}
_IMAGE_FORMATS = {
    "PNG": "image/png",
    "JPEG": "image/jpeg",
    "WEBP": "image/webp",
    "GIF": "image/gif",
}
_OOXML_PARTS = {
    "docx": "word/document.xml",
    "xlsx": "xl/workbook.xml",
    "pptx": "ppt/presentation.xml",
}
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
MAX_ZIP_MEMBERS = 5000
MAX_ZIP_RATIO = 200  # uncompressed / compressed: refuse zip bombs


@dataclass(frozen=True)
class CheckedFile:
    content: ContentFile
    content_type: str
    size: int


def _fail(message: str) -> ValidationFailed:
    return ValidationFailed(message, code="invalid_attachment", field_errors={"file": [message]})


def safe_filename(name: str) -> str:
    """An ASCII file name without path, spaces or odd characters (keeps the extension)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    ascii_name = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    cleaned = _SAFE_NAME.sub("-", ascii_name).strip(".-")
    return cleaned[-120:] or "fichier"


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _is_pdf(data: bytes) -> bool:
    # The header may follow a few bytes of junk (tolerated by readers) but must be near the start;
    # the trailer marks a complete document.
    return b"%PDF-" in data[:1024] and b"%%EOF" in data[-2048:]


def _image_type(data: bytes) -> str | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                image_format = probe.format
                probe.verify()
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        return None
    return _IMAGE_FORMATS.get(image_format or "")


def _office_type(data: bytes, extension: str) -> str | None:
    if not data.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ZIP_MEMBERS:
                return None
            total = sum(info.file_size for info in infos)
            if total > max(len(data), 1) * MAX_ZIP_RATIO:
                return None
            names = {info.filename for info in infos}
            if extension in _OOXML_PARTS:
                if "[Content_Types].xml" in names and _OOXML_PARTS[extension] in names:
                    return EXTENSIONS[extension]
                return None
            if extension in ("odt", "ods", "odp") and "mimetype" in names:
                mimetype = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                return mimetype if mimetype == EXTENSIONS[extension] else None
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, RuntimeError):
        return None
    return None


def detect_type(data: bytes, extension: str) -> str | None:
    """The MIME type of `data` when it is what `extension` claims, else None."""
    expected = EXTENSIONS.get(extension)
    if expected is None:
        return None
    if expected == "application/pdf":
        return expected if _is_pdf(data) else None
    if expected.startswith("image/"):
        return expected if _image_type(data) == expected else None
    return _office_type(data, extension)


def clean_attachment(file: IO[bytes] | Any, *, name: str | None = None) -> CheckedFile:
    """Check `file` (size, then content against its extension) or raise ValidationFailed."""
    filename = safe_filename(name or getattr(file, "name", "") or "")
    extension = _extension(filename)
    if extension not in EXTENSIONS:
        raise _fail(
            _(
                "Type de fichier non accepté : envoyez un PDF, une image (PNG, JPEG, WebP, GIF) "
                "ou un document bureautique (docx, xlsx, pptx, odt, ods, odp)."
            )
        )
    limit = settings.MARKET_ATTACHMENT_MAX_BYTES
    if hasattr(file, "seek"):
        file.seek(0)
    data = bytes(file.read(limit + 1))
    if len(data) > limit:
        raise _fail(
            _("Le fichier est trop lourd (%(max)s Mo au maximum).")
            % {"max": round(limit / (1024 * 1024), 1)}
        )
    if not data:
        raise _fail(_("Le fichier est vide."))
    content_type = detect_type(data, extension)
    if content_type is None:
        raise _fail(
            _("Le contenu du fichier ne correspond pas à son extension (.%(ext)s).")
            % {"ext": extension}
        )
    return CheckedFile(ContentFile(data, name=filename), content_type, len(data))
