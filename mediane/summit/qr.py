"""QR codes of the badges: the module matrix from segno (a maintained, pure-Python QR encoder
that follows ISO/IEC 18004, mask chosen by the standard's penalty rules)."""

from __future__ import annotations

import segno


def qr_modules(text: str, level: str = "M") -> list[list[bool]]:
    """The QR code of `text` as rows of modules (True = dark), without the quiet zone."""
    code = segno.make(text, error=level.lower(), micro=False, boost_error=False)
    return [[bool(module) for module in row] for row in code.matrix]
