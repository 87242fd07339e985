"""Logo checks: the file's content (not its name) must be a PNG, JPEG or WebP image.

The image is decoded with Pillow, checked for size and dimensions, then re-encoded (PNG when it
has transparency, WebP otherwise) so that metadata (EXIF, GPS…) and any trailing payload are
dropped. SVG is refused: it can carry scripts.
"""

from __future__ import annotations

import io
import warnings
from typing import IO, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from mediane.core.errors import ValidationFailed

ALLOWED_FORMATS = {"PNG", "JPEG", "WEBP"}
MAX_SOURCE_PIXELS = 6000 * 6000  # refuse decompression bombs early
MAX_OUTPUT_SIDE = 800


def _fail(message: str) -> ValidationFailed:
    return ValidationFailed(message, code="invalid_logo", field_errors={"logo": [message]})


def _read(file: IO[bytes] | Any, limit: int) -> bytes:
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(limit + 1)
    if len(data) > limit:
        raise _fail(_("Le logo est trop lourd (%(max)s Ko au maximum).") % {"max": limit // 1024})
    if not data:
        raise _fail(_("Le fichier du logo est vide."))
    return bytes(data)


def clean_logo(file: IO[bytes] | Any, *, name: str = "logo") -> ContentFile:
    """Check `file` and return a re-encoded ContentFile, or raise ValidationFailed (French)."""
    data = _read(file, settings.LOGO_MAX_BYTES)
    if data.lstrip()[:5].lower() in (b"<?xml", b"<svg ") or b"<svg" in data[:1024].lower():
        raise _fail(_("Les logos SVG ne sont pas acceptés : envoyez un PNG, un JPEG ou un WebP."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                image_format = probe.format
                width, height = probe.size
                probe.verify()
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise _fail(
            _("Le fichier n'est pas une image lisible (PNG, JPEG ou WebP attendu).")
        ) from exc
    if image_format not in ALLOWED_FORMATS:
        raise _fail(_("Format d'image non accepté : envoyez un PNG, un JPEG ou un WebP."))
    if width * height > MAX_SOURCE_PIXELS or width < 16 or height < 16:
        raise _fail(_("Dimensions du logo non acceptées (entre 16 et 6000 pixels de côté)."))
    try:
        with Image.open(io.BytesIO(data)) as source:
            source.load()
            image = ImageOps.exif_transpose(source)
            image.thumbnail((MAX_OUTPUT_SIDE, MAX_OUTPUT_SIDE))
            output = io.BytesIO()
            has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
            if has_alpha:
                image.convert("RGBA").save(output, format="PNG", optimize=True)
                extension = "png"
            else:
                image.convert("RGB").save(output, format="WEBP", quality=88)
                extension = "webp"
    except (OSError, ValueError) as exc:
        raise _fail(_("L'image du logo est endommagée.")) from exc
    return ContentFile(output.getvalue(), name=f"{name}.{extension}")
