"""The designer draws every shape and icon as SVG and PNG, keeps its text readable, and never
lets a title or colour become markup; badge images prefer an upload to the design."""

from __future__ import annotations

import io

import defusedxml.ElementTree as ET
import pytest
from django.core.files.base import ContentFile
from PIL import Image

from learningcity.badges import images
from learningcity.badges.design import (
    ICONS,
    LEVEL_COLOURS,
    SHAPES,
    Design,
    design_for,
    design_png,
    design_svg,
)
from learningcity.badges.models import ImageSource, Level
from learningcity.core.colours import contrast_ratio

from .factories import BadgeClassFactory

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize("level", list(Level))
def test_each_level_band_keeps_white_text_readable(level) -> None:
    assert contrast_ratio(LEVEL_COLOURS[level], "#ffffff") >= 4.5


def test_the_four_levels_have_distinct_colours() -> None:
    assert len({LEVEL_COLOURS[level] for level in Level}) == 4


def test_the_designer_offers_enough_shapes_and_icons() -> None:
    assert len(SHAPES) >= 5
    assert {"star", "book", "code", "music", "leaf", "heart", "spanner", "people"} <= set(ICONS)


@pytest.mark.parametrize("shape", list(SHAPES))
@pytest.mark.parametrize("icon", list(ICONS))
def test_every_shape_and_icon_draws_as_svg_and_png(shape, icon) -> None:
    design = Design(shape=shape, icon=icon, title="Teamwork", level=Level.LEAD)
    root = ET.fromstring(design_svg(design))
    assert root.tag == f"{SVG}svg"
    assert [t.text for t in root.iter(f"{SVG}text")] == ["Teamwork", "LEAD"]
    image = Image.open(io.BytesIO(design_png(design)))
    assert image.format == "PNG"
    assert image.size == (400, 400)


def test_the_title_is_escaped_not_markup() -> None:
    svg = design_svg(Design(title='<script>"x"</script>'), label='A "quoted" & <name>')
    root = ET.fromstring(svg)
    assert root.find(f"{SVG}script") is None
    assert root.attrib["aria-label"] == 'A "quoted" & <name>'
    assert '<script>"x"</script>'[:18] in [t.text for t in root.iter(f"{SVG}text")]


def test_unknown_choices_and_bad_colours_fall_back_to_defaults() -> None:
    design = Design(
        shape="pentagram", icon="skull", level="Expert", colour='red" onload="alert(1)'
    ).normalised()
    assert (design.shape, design.icon, design.level, design.colour) == (
        "circle",
        "star",
        "",
        "#0b5cad",
    )
    assert "onload" not in design_svg(Design(colour='red" onload="alert(1)'))


def test_the_title_is_cut_to_eighteen_characters() -> None:
    assert Design(title="A very long badge title indeed").normalised().title == "A very long badge "


def test_text_on_a_pale_body_turns_dark() -> None:
    assert Design(colour="#0b5cad").ink == "#ffffff"
    assert Design(colour="#ffe066").ink == "#111827"
    assert contrast_ratio("#ffe066", Design(colour="#ffe066").ink) >= 4.5


@pytest.mark.django_db
def test_the_design_comes_from_the_badge_class() -> None:
    badge_class = BadgeClassFactory(
        name="Young Curator",
        design_shape="shield",
        design_icon="book",
        design_title="",
        level=Level.ENGAGE,
        image_colour="#7a1f5c",
    )
    assert design_for(badge_class) == Design(
        shape="shield", icon="book", title="Young Curator", level="Engage", colour="#7a1f5c"
    )
    assert 'aria-label="Young Curator"' in images.badge_svg(badge_class)
    assert Image.open(io.BytesIO(images.badge_png(badge_class))).size == (400, 400)


@pytest.mark.django_db
def test_an_uploaded_svg_is_served_as_saved(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    clean = '<svg xmlns="http://www.w3.org/2000/svg"><rect width="4" height="4" /></svg>'
    badge_class = BadgeClassFactory(image_source=ImageSource.UPLOADED, image_svg=clean)
    badge_class.image_upload.save("x.svg", ContentFile(clean.encode()))
    assert images.badge_svg(badge_class) == clean
    # No PNG of an uploaded SVG yet: the design stands in.
    assert images.badge_png(badge_class).startswith(b"\x89PNG")


@pytest.mark.django_db
def test_an_uploaded_png_is_served_and_wrapped_for_svg(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    out = io.BytesIO()
    Image.new("RGBA", (40, 40), "red").save(out, format="PNG")
    badge_class = BadgeClassFactory(image_source=ImageSource.UPLOADED)
    badge_class.image_upload.save("x.png", ContentFile(out.getvalue()))
    assert images.badge_png(badge_class) == out.getvalue()
    assert "data:image/png;base64," in images.badge_svg(badge_class)


@pytest.mark.django_db
def test_a_designed_badge_ignores_a_leftover_upload(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    badge_class = BadgeClassFactory(
        image_source=ImageSource.DESIGNED, image_svg="<svg>old</svg>", name="Maker"
    )
    assert "old" not in images.badge_svg(badge_class)
