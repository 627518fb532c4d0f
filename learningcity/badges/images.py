"""A badge class's image as SVG and PNG: the uploaded image when there is one, else the design.

Uploads were made safe when they arrived (:mod:`learningcity.badges.sanitise`): an SVG is kept
as sanitised text in ``image_svg``, a PNG or JPEG as a re-encoded PNG in ``image_upload``.
Nothing here parses user markup again.
"""

from __future__ import annotations

import base64

from .design import SIZE, design_for, design_png, design_svg
from .models import BadgeClass, ImageSource


def _uploaded_png(badge_class: BadgeClass) -> bytes | None:
    if badge_class.image_source != ImageSource.UPLOADED or not badge_class.image_upload:
        return None
    if badge_class.image_svg:
        return None
    try:
        with badge_class.image_upload.open("rb") as file:
            return file.read()
    except (OSError, ValueError):
        return None


def badge_svg(badge_class: BadgeClass) -> str:
    if badge_class.image_source == ImageSource.UPLOADED and badge_class.image_svg:
        return badge_class.image_svg
    png = _uploaded_png(badge_class)
    if png is not None:
        # Our own re-encoded PNG, wrapped so the SVG URL shows the same picture.
        encoded = base64.b64encode(png).decode("ascii")
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" '
            f'width="{SIZE}" height="{SIZE}"><image width="{SIZE}" height="{SIZE}" '
            f'href="data:image/png;base64,{encoded}"/></svg>'
        )
    return design_svg(design_for(badge_class), label=badge_class.name)


def badge_png(badge_class: BadgeClass) -> bytes:
    """The uploaded PNG, or the design drawn as PNG.

    An uploaded SVG has no PNG of its own (rasterising untrusted SVG needs a renderer this
    project does not ship), so its PNG is the design. TODO(#4): rasterise sanitised SVGs.
    """
    png = _uploaded_png(badge_class)
    if png is not None:
        return png
    return design_png(design_for(badge_class))
