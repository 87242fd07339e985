import io

import pytest
from PIL import Image

from mediane.core.errors import ValidationFailed
from mediane.directory.logos import clean_logo


def image_bytes(fmt="PNG", size=(64, 48), mode="RGB", **save):
    buffer = io.BytesIO()
    Image.new(mode, size, (200, 80, 40)).save(buffer, format=fmt, **save)
    return buffer.getvalue()


def test_png_is_accepted_and_reencoded():
    result = clean_logo(io.BytesIO(image_bytes("PNG")), name="lourdes")
    assert result.name == "lourdes.webp"
    with Image.open(io.BytesIO(result.read())) as image:
        assert image.format == "WEBP"
        assert image.size == (64, 48)


def test_transparent_png_stays_png():
    result = clean_logo(io.BytesIO(image_bytes("PNG", mode="RGBA")))
    assert result.name.endswith(".png")


def test_jpeg_metadata_is_dropped_and_large_images_are_shrunk():
    exif = Image.Exif()
    exif[0x010F] = "Appareil secret"
    data = image_bytes("JPEG", size=(1600, 1200), exif=exif.tobytes())
    result = clean_logo(io.BytesIO(data))
    content = result.read()
    assert b"Appareil secret" not in content
    with Image.open(io.BytesIO(content)) as image:
        assert max(image.size) == 800


def test_text_file_renamed_png_is_refused():
    with pytest.raises(ValidationFailed) as error:
        clean_logo(io.BytesIO(b"ceci n'est pas une image" * 10), name="faux.png")
    assert "image lisible" in error.value.message
    assert error.value.field_errors["logo"]


def test_svg_is_refused():
    svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    with pytest.raises(ValidationFailed, match="SVG"):
        clean_logo(io.BytesIO(svg))


def test_gif_is_refused():
    with pytest.raises(ValidationFailed, match="Format"):
        clean_logo(io.BytesIO(image_bytes("GIF")))


def test_oversized_file_is_refused(settings):
    settings.LOGO_MAX_BYTES = 1000
    with pytest.raises(ValidationFailed, match="trop lourd"):
        clean_logo(io.BytesIO(image_bytes("PNG", size=(400, 400)) + b"\0" * 2000))


def test_truncated_image_is_refused():
    data = image_bytes("PNG", size=(200, 200))
    with pytest.raises(ValidationFailed):
        clean_logo(io.BytesIO(data[: len(data) // 2]))


def test_empty_file_is_refused():
    with pytest.raises(ValidationFailed, match="vide"):
        clean_logo(io.BytesIO(b""))
