"""The printable claim poster, as a PNG the size of A4 at 150 dpi (1240 × 1754 pixels) or as an
A4 PDF, with the badge's name, the organisation, a large QR code to the claim page and the typed
code for people without a camera. Pure drawing: it takes strings and returns bytes."""

from __future__ import annotations

import io
import textwrap

import segno
from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos
from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1240, 1754  # A4 at 150 dpi
MARGIN = 100
INK = (20, 24, 31)
SOFT = (70, 78, 90)


def _font(size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    try:
        return ImageFont.truetype(name, size)
    except OSError:
        for folder in ("/usr/share/fonts/truetype/dejavu/",):
            try:
                return ImageFont.truetype(folder + name, size)
            except OSError:
                pass
        return ImageFont.load_default(size=size)


def _centred(draw: ImageDraw.ImageDraw, y: int, text: str, font: object, fill: tuple) -> int:
    """Draw ``text`` centred at height ``y``; return the y below it."""
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)  # type: ignore[arg-type]
    draw.text(((WIDTH - (right - left)) / 2, y), text, font=font, fill=fill)  # type: ignore[arg-type]
    return int(y + (bottom - top) + 24)


def claim_qr_image(claim_url: str, *, side: int = 760) -> Image.Image:
    """The QR code for ``claim_url``, at most ``side`` pixels square, with the 4-module quiet
    zone. A whole number of pixels per module keeps every module the same size for scanners."""
    qr = segno.make(claim_url, error="m")
    modules = qr.symbol_size(border=4)[0]
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=max(1, side // modules), border=4)
    buffer.seek(0)
    return Image.open(buffer).convert("RGB")


def claim_poster_png(
    *, badge_name: str, organisation_name: str, claim_url: str, display_code: str, site: str
) -> bytes:
    """The poster as PNG bytes. ``site`` is the host people type (``example.org``)."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    y = MARGIN
    y = _centred(draw, y, "Claim your badge", _font(56, bold=True), SOFT)
    for line in textwrap.wrap(badge_name, width=22)[:3]:
        y = _centred(draw, y, line, _font(84, bold=True), INK)
    for line in textwrap.wrap(f"from {organisation_name}", width=40)[:2]:
        y = _centred(draw, y, line, _font(44), SOFT)

    qr_image = claim_qr_image(claim_url)
    image.paste(qr_image, ((WIDTH - qr_image.width) // 2, y + 20))
    y += qr_image.height + 60

    y = _centred(draw, y, "Scan with your phone's camera, or type this code:", _font(38), SOFT)
    y = _centred(draw, y, display_code, _font(150, bold=True), INK)
    _centred(
        draw,
        min(y + 20, HEIGHT - 120),
        f"No camera? Go to {site}/claim and type the code.",
        _font(36),
        SOFT,
    )

    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(150, 150))
    return out.getvalue()


# --- PDF ------------------------------------------------------------------------------------------

PDF_FONT_DIRS = ("/usr/share/fonts/truetype/dejavu/",)
PDF_WIDTH, PDF_HEIGHT, PDF_MARGIN = 210.0, 297.0, 18.0  # A4 in millimetres
PDF_QR_SIDE = 112.0  # mm: scans from a few metres away


def _pdf_text_font(pdf: FPDF) -> str:
    """DejaVu Sans when the system has it (any script a badge name may use), else Helvetica,
    whose core font covers Latin-1 only (see :func:`_latin1`)."""
    for folder in PDF_FONT_DIRS:
        try:
            pdf.add_font("DejaVu", "", folder + "DejaVuSans.ttf")
            pdf.add_font("DejaVu", "B", folder + "DejaVuSans-Bold.ttf")
        except (OSError, FileNotFoundError):
            continue
        return "DejaVu"
    return "Helvetica"


def _latin1(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


def _pdf_qr(pdf: FPDF, claim_url: str, *, x: float, y: float, side: float) -> None:
    """Draw the QR code as vector squares: sharp at any print size. Each run of dark modules
    in a row is one rectangle, so the page stays small."""
    qr = segno.make(claim_url, error="m")
    border = 4
    rows = list(qr.matrix_iter(scale=1, border=border))
    module = side / len(rows)
    pdf.set_fill_color(*INK)
    for row_index, row in enumerate(rows):
        start = None
        for column, dark in enumerate([*row, 0]):
            if dark and start is None:
                start = column
            elif not dark and start is not None:
                pdf.rect(
                    x + start * module,
                    y + row_index * module,
                    (column - start) * module,
                    module,
                    style="F",
                )
                start = None


def claim_poster_pdf(
    *,
    badge_name: str,
    organisation_name: str,
    claim_url: str,
    display_code: str,
    site: str,
    expires: str = "",
    compress: bool = True,
) -> bytes:
    """The poster as an A4 PDF. ``expires`` is the code's end, as people read it ("5 December
    2026, 18:00"), or empty for a code without one. The code and the URL are ASCII, so they are
    set in the core Helvetica and stay searchable as plain text in the page."""
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_title(f"Claim poster: {badge_name}")
    pdf.set_subject(f"Claim code {display_code}")
    pdf.set_creator("Learning City")
    pdf.set_compression(compress)
    pdf.set_auto_page_break(False)
    pdf.set_margins(PDF_MARGIN, PDF_MARGIN, PDF_MARGIN)
    pdf.add_page()
    font = _pdf_text_font(pdf)

    def text(value: str) -> str:
        return value if font == "DejaVu" else _latin1(value)

    width = PDF_WIDTH - 2 * PDF_MARGIN

    def line(value: str, *, size: float, bold: bool = False, colour=SOFT, face: str = "") -> None:
        pdf.set_font(face or font, "B" if bold else "", size)
        pdf.set_text_color(*colour)
        pdf.multi_cell(
            width,
            size * 0.42,
            value if face else text(value),
            align=Align.C,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
            max_line_height=size * 0.42,
        )

    pdf.set_y(PDF_MARGIN)
    line("Claim your badge", size=18, bold=True)
    pdf.ln(2)
    line(textwrap.shorten(badge_name, width=90, placeholder="…"), size=30, bold=True, colour=INK)
    pdf.ln(1)
    line(f"from {textwrap.shorten(organisation_name, width=80, placeholder='…')}", size=15)

    qr_top = max(pdf.get_y() + 6, 70.0)
    _pdf_qr(pdf, claim_url, x=(PDF_WIDTH - PDF_QR_SIDE) / 2, y=qr_top, side=PDF_QR_SIDE)
    pdf.set_y(qr_top + PDF_QR_SIDE + 4)

    line("Scan with your phone's camera, or type this code:", size=14)
    pdf.ln(3)
    line(display_code, size=58, bold=True, colour=INK, face="Helvetica")
    pdf.ln(4)
    line(f"No camera? Go to {site}/claim and type the code.", size=13)
    pdf.ln(1)
    line(claim_url, size=10, face="Helvetica")
    if expires:
        pdf.ln(3)
        line(f"This code works until {expires}.", size=12, bold=True, colour=INK)
    return bytes(pdf.output())
