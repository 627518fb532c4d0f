"""Hostile uploads: each attack SVG is neutralised (the attack is gone, the drawing stays), and
raster images that are too big in bytes or pixels are refused before they are decoded."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from learningcity.badges.sanitise import (
    RASTER_MAX_BYTES,
    SVG_MAX_BYTES,
    SVG_MAX_ELEMENTS,
    badge_image_clean,
    raster_sanitise,
    svg_sanitise,
)
from learningcity.core import errors
from learningcity.core.errors import ServiceError

BENIGN = '<circle cx="50" cy="50" r="40" fill="#0b5cad"/>'


def svg(body: str, *, head: str = "", attrs: str = "") -> bytes:
    return (
        f'{head}<svg xmlns="http://www.w3.org/2000/svg" '
        f'xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 100 100"{attrs}>'
        f"{body}{BENIGN}</svg>"
    ).encode()


def assert_benign_content_stays(clean: str) -> None:
    assert '<circle cx="50" cy="50" r="40" fill="#0b5cad" />' in clean
    assert clean.startswith('<svg xmlns="http://www.w3.org/2000/svg"')


def test_a_script_element_is_removed() -> None:
    clean = svg_sanitise(svg("<script>alert(document.cookie)</script>"))
    assert "script" not in clean
    assert "alert" not in clean
    assert_benign_content_stays(clean)


def test_an_onload_handler_is_removed() -> None:
    clean = svg_sanitise(
        svg('<rect width="10" height="10" onclick="steal()"/>', attrs=' onload="alert(1)"')
    )
    assert "onload" not in clean
    assert "onclick" not in clean
    assert "alert" not in clean and "steal" not in clean
    assert '<rect width="10" height="10" />' in clean
    assert_benign_content_stays(clean)


def test_a_javascript_href_is_removed() -> None:
    clean = svg_sanitise(
        svg(
            '<a href="javascript:alert(1)"><text x="5" y="5">Click</text></a>'
            '<use xlink:href="javascript:alert(2)"/>'
        )
    )
    assert "javascript" not in clean
    assert "<a" not in clean
    assert_benign_content_stays(clean)


def test_foreign_object_is_removed_with_its_html() -> None:
    clean = svg_sanitise(
        svg(
            '<foreignObject width="100" height="100">'
            '<body xmlns="http://www.w3.org/1999/xhtml"><iframe src="https://evil.example"/>'
            "</body></foreignObject>"
        )
    )
    assert "foreignObject" not in clean
    assert "iframe" not in clean and "evil" not in clean
    assert_benign_content_stays(clean)


def test_an_external_image_is_removed() -> None:
    clean = svg_sanitise(
        svg(
            '<image href="https://tracker.example/pixel.png" width="10" height="10"/>'
            '<image xlink:href="data:image/svg+xml;base64,PHN2Zz4=" width="10" height="10"/>'
        )
    )
    assert "<image" not in clean
    assert "tracker.example" not in clean
    assert "data:" not in clean
    assert_benign_content_stays(clean)


def test_a_use_pointing_to_a_remote_file_is_dropped_but_a_local_one_stays() -> None:
    clean = svg_sanitise(
        svg(
            '<defs><circle id="dot" r="3"/></defs>'
            '<use xlink:href="https://evil.example/sprites.svg#x"/>'
            '<use href="other.svg#y"/>'
            '<use xlink:href="#dot" x="10" y="10"/>'
        )
    )
    assert "evil.example" not in clean
    assert "other.svg" not in clean
    assert 'xlink:href="#dot"' in clean
    assert_benign_content_stays(clean)


def test_xml_entities_are_refused_billion_laughs() -> None:
    head = (
        '<?xml version="1.0"?><!DOCTYPE svg ['
        '<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    )
    with pytest.raises(ServiceError) as refused:
        svg_sanitise(svg("<text>&lol3;</text>", head=head))
    assert refused.value.message == errors.BADGE_SVG_ENTITIES


def test_an_external_dtd_is_refused() -> None:
    head = '<!DOCTYPE svg SYSTEM "https://evil.example/svg.dtd">'
    with pytest.raises(ServiceError) as refused:
        svg_sanitise(svg("", head=head))
    assert refused.value.message == errors.BADGE_SVG_ENTITIES


def test_an_external_entity_reading_a_local_file_is_refused() -> None:
    head = '<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    with pytest.raises(ServiceError) as refused:
        svg_sanitise(svg("<text>&xxe;</text>", head=head))
    assert refused.value.message == errors.BADGE_SVG_ENTITIES


def test_css_url_and_import_are_removed_but_local_gradients_stay() -> None:
    clean = svg_sanitise(
        svg(
            "<style>@import url(https://evil.example/x.css);</style>"
            "<style>rect { fill: url(https://evil.example/track) }</style>"
            "<style>.ok { fill: #ff0000 }</style>"
            '<linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient>'
            '<rect width="5" height="5" fill="url(#g)" '
            'style="background: url(https://evil.example/bg)"/>'
            '<rect width="6" height="6" filter="url(https://evil.example/f)"/>'
        )
    )
    assert "evil.example" not in clean
    assert "@import" not in clean
    assert "<style>.ok { fill: #ff0000 }</style>" in clean
    assert 'fill="url(#g)"' in clean
    assert_benign_content_stays(clean)


def test_css_escapes_that_hide_url_are_removed() -> None:
    clean = svg_sanitise(svg("<style>rect { fill: u\\72l(https://evil.example/x) }</style>"))
    assert "evil" not in clean
    assert_benign_content_stays(clean)


def test_processing_instructions_and_comments_are_removed() -> None:
    clean = svg_sanitise(
        svg(
            '<?xml-stylesheet href="https://evil.example/x.css"?><!-- secret -->',
        )
    )
    assert "xml-stylesheet" not in clean
    assert "secret" not in clean
    assert_benign_content_stays(clean)


def test_text_is_kept_and_escaped() -> None:
    clean = svg_sanitise(svg('<text x="5" y="20">Tom &amp; Jerry &lt;3</text>'))
    assert "Tom &amp; Jerry &lt;3" in clean


def test_a_file_that_is_not_svg_is_refused() -> None:
    for data in (b"<html><body>hi</body></html>", b"<svg not closed"):
        with pytest.raises(ServiceError) as refused:
            svg_sanitise(data)
        assert refused.value.message == errors.BADGE_SVG_NOT_SVG


def test_an_oversized_svg_is_refused() -> None:
    padding = "<!--" + "x" * SVG_MAX_BYTES + "-->"
    with pytest.raises(ServiceError) as refused:
        svg_sanitise(svg(padding))
    assert refused.value.message == errors.BADGE_IMAGE_TOO_LARGE.format(limit_kb=512)


def test_an_svg_with_too_many_elements_is_refused() -> None:
    with pytest.raises(ServiceError) as refused:
        svg_sanitise(svg("<g/>" * (SVG_MAX_ELEMENTS + 1)))
    assert refused.value.message == errors.BADGE_SVG_TOO_COMPLEX.format(limit=SVG_MAX_ELEMENTS)


# --- Raster images --------------------------------------------------------------------------------


def png(size: tuple[int, int] = (64, 64), **info: str) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, "#0b5cad")
    from PIL import PngImagePlugin

    meta = PngImagePlugin.PngInfo()
    for key, value in info.items():
        meta.add_text(key, value)
    image.save(out, format="PNG", pnginfo=meta)
    return out.getvalue()


def png_claiming_size(width: int, height: int) -> bytes:
    """A tiny valid PNG whose header claims ``width`` × ``height``: a decompression bomb's
    signature, without needing gigabytes to build one."""
    data = bytearray(png((1, 1)))
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr) & 0xFFFFFFFF)
    return bytes(data)


def test_a_png_is_re_encoded_without_its_metadata() -> None:
    clean = raster_sanitise(png(Comment="GPS 50.82,-0.14"))
    assert clean.startswith(b"\x89PNG")
    assert b"GPS" not in clean
    assert Image.open(io.BytesIO(clean)).size == (64, 64)


def test_a_jpeg_becomes_a_png() -> None:
    out = io.BytesIO()
    Image.new("RGB", (32, 32), "red").save(out, format="JPEG")
    clean = raster_sanitise(out.getvalue())
    assert Image.open(io.BytesIO(clean)).format == "PNG"


def test_a_decompression_bomb_png_is_refused_before_decoding() -> None:
    bomb = png_claiming_size(50_000, 50_000)
    assert len(bomb) < 200
    with pytest.raises(ServiceError) as refused:
        raster_sanitise(bomb)
    assert refused.value.message.startswith("The image is")
    assert "4096 × 4096" in refused.value.message


def test_an_image_just_over_the_side_limit_is_refused() -> None:
    with pytest.raises(ServiceError) as refused:
        raster_sanitise(png_claiming_size(4097, 10))
    assert refused.value.message == errors.BADGE_IMAGE_TOO_MANY_PIXELS.format(
        width=4097, height=10, limit=4096
    )


def test_an_oversized_file_is_refused() -> None:
    with pytest.raises(ServiceError) as refused:
        raster_sanitise(png() + b"\0" * RASTER_MAX_BYTES)
    assert refused.value.message == errors.BADGE_IMAGE_TOO_LARGE.format(limit_kb=2048)


def test_other_formats_and_damaged_files_are_refused() -> None:
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, format="GIF")
    with pytest.raises(ServiceError) as refused:
        raster_sanitise(out.getvalue())
    assert refused.value.message == errors.BADGE_IMAGE_FORMAT
    with pytest.raises(ServiceError) as refused:
        raster_sanitise(b"not an image at all")
    assert refused.value.message == errors.BADGE_IMAGE_FORMAT
    with pytest.raises(ServiceError) as refused:
        raster_sanitise(png()[:60])
    assert refused.value.message == errors.BADGE_IMAGE_UNREADABLE


def test_uploads_are_told_apart_by_name_and_content() -> None:
    assert badge_image_clean(name="badge.svg", data=svg("")).svg
    assert badge_image_clean(name="upload", data=svg("")).svg
    assert badge_image_clean(name="badge.png", data=png()).png.startswith(b"\x89PNG")


# --- Criteria in Markdown -------------------------------------------------------------------------


def test_criteria_markdown_keeps_formatting_and_marks_links() -> None:
    from learningcity.core.templatetags.markdown import markdown_render

    html = markdown_render(
        "Do **four** sessions:\n\n- plan\n- lead\n\n[Guide](https://a.example/g)"
    )
    assert "<strong>four</strong>" in html
    assert "<li>plan</li>" in html
    assert '<a href="https://a.example/g" rel="nofollow noopener">Guide</a>' in html


def test_criteria_markdown_drops_html_and_dangerous_links() -> None:
    from django.template import Context, Template

    html = Template("{% load markdown %}{{ text|markdown }}").render(
        Context(
            {
                "text": '<script>alert(1)</script><img src=x onerror="alert(2)">'
                "[x](javascript:alert(3)) <iframe src=https://evil.example></iframe>"
            }
        )
    )
    assert "alert" not in html
    assert "<img" not in html and "<iframe" not in html and "javascript" not in html
