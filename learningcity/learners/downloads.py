"""What a learner takes away: a PDF certificate per award, the signed OB 3.0 credential and the
baked PNG as files, a CLR 2.0 record of everything, and a one-page PDF skills CV.

The PDFs are drawn with fpdf2 in DejaVu Sans, which covers Latin, Greek and Cyrillic (names like
"Zoë Łukasz"). DejaVu has no Chinese, Japanese or Korean glyphs: when the machine has a CJK font
(Noto CJK, WenQuanYi, Droid Sans Fallback) it is added as a fallback; without one, characters no
loaded font can draw are printed as "?" rather than silently dropped, and the PDF's title keeps
the whole name. Without DejaVu at all, the core Helvetica is used and text is cut to Latin-1.
"""

from __future__ import annotations

import io
import json
import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from fpdf import FPDF
from fpdf.enums import Align, MethodReturnValue, XPos, YPos
from fpdf.errors import FPDFException
from fpdf.fonts import TTFFont

from learningcity.accounts.models import User
from learningcity.badges import images, publishing
from learningcity.badges.models import Award
from learningcity.badges.posters import _pdf_qr as pdf_qr
from learningcity.badges.services import learner_clr
from learningcity.cities.models import City
from learningcity.core import errors
from learningcity.core.errors import ServiceError
from learningcity.credentials import baking

from .models import DeclaredSkill
from .selectors import record_awards_for
from .skills import SkillsSummary, skills_summary

logger = logging.getLogger(__name__)

FONT_DIRS = ("/usr/share/fonts/truetype/dejavu/",)
# (path, collection font number) of fonts with Chinese, Japanese and Korean glyphs, from
# Debian's fonts-noto-cjk, fonts-wqy-zenhei and fonts-droid-fallback: used when present.
CJK_FALLBACK_FONTS = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
)
INK = (20, 24, 31)
SOFT = (70, 78, 90)
BRAND = (11, 92, 173)

# The CV stays on one page: at most this many skills, badges per skill and declared skills
# are listed; the rest are counted ("and 3 more").
CV_MAX_SKILLS = 10
CV_MAX_BADGES_PER_SKILL = 3
CV_MAX_DECLARED = 24


def _date(value: object) -> str:
    if value is None:
        return ""
    return date_format(timezone.localtime(value), "j F Y")  # type: ignore[arg-type]


# --- Files ----------------------------------------------------------------------------------------

_UNSAFE_IN_FILENAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def attachment_filename(name: str, extension: str, *, fallback: str = "badge") -> str:
    """A file name made from ``name``: characters that file systems or the header refuse are
    dropped, spaces are kept, non-Latin letters too (the header encodes them, RFC 6266)."""
    cleaned = _UNSAFE_IN_FILENAME.sub(" ", unicodedata.normalize("NFC", name or ""))
    cleaned = " ".join(cleaned.split()).strip(". ")[:80].strip()
    return f"{cleaned or fallback}.{extension}"


def award_credential_json(*, award: Award) -> bytes:
    """The award's signed OB 3.0 credential, exactly as signed, as a UTF-8 JSON file."""
    return json.dumps(award.ob3_credential, ensure_ascii=False, indent=2).encode("utf-8")


def award_baked_png(*, award: Award) -> bytes:
    """The badge image with the OB 3.0 credential baked in, as the public ``award-png`` URL
    serves it."""
    return baking.bake_png(
        images.badge_png(award.badge_class),
        keyword="openbadgecredential",
        text=json.dumps(award.ob3_credential, ensure_ascii=False),
    )


# --- The CLR 2.0 record ---------------------------------------------------------------------------


def _record_city(user: User) -> City:
    """The city that signs ``user``'s record: their learner profile's, else the city of the
    organisation behind their latest award (people without a profile, such as staff)."""
    profile = getattr(user, "learner_profile", None)
    if profile is not None:
        return profile.city
    award = record_awards_for(user=user).order_by("-issued_at").first()
    if award is None:
        raise ServiceError(errors.RECORD_NO_AWARDS)
    return award.badge_class.organisation.city


def learner_record(*, user: User) -> dict[str, object]:
    """A signed CLR 2.0 ``ClrCredential`` of every award ``user`` holds that is not revoked,
    signed by their city. Refuses (with a message) when there is nothing to put in it."""
    if not record_awards_for(user=user).exists():
        raise ServiceError(errors.RECORD_NO_AWARDS)
    return learner_clr(user=user, city=_record_city(user))


def learner_record_json(*, user: User) -> bytes:
    return json.dumps(learner_record(user=user), ensure_ascii=False, indent=2).encode("utf-8")


# --- PDF drawing ----------------------------------------------------------------------------------


def _cmap(pdf: FPDF, key: str) -> set[int]:
    """The code points a loaded TrueType font has glyphs for."""
    font = pdf.fonts[key]
    return set(font.cmap) if isinstance(font, TTFFont) else set()


class _Page:
    """An fpdf2 document with the project's fonts and a guard for glyphs no font has."""

    def __init__(self, *, orientation: str, title: str, compress: bool = True) -> None:
        self.pdf = FPDF(orientation=orientation, unit="mm", format="A4")
        self.pdf.set_title(title)
        self.pdf.set_creator("Learning City")
        self.pdf.set_compression(compress)
        self.pdf.set_auto_page_break(False)
        self.pdf.add_page()
        self.font = "Helvetica"
        self.covered: set[int] | None = None
        for folder in FONT_DIRS:
            try:
                self.pdf.add_font("DejaVu", "", folder + "DejaVuSans.ttf")
                self.pdf.add_font("DejaVu", "B", folder + "DejaVuSans-Bold.ttf")
            except (OSError, FileNotFoundError, FPDFException):
                continue
            self.font = "DejaVu"
            self.covered = _cmap(self.pdf, "dejavu")
            break
        if self.covered is not None:
            self._add_fallbacks()

    def _add_fallbacks(self) -> None:
        assert self.covered is not None
        names = []
        for index, (path, number) in enumerate(CJK_FALLBACK_FONTS):
            name = f"Fallback{index}"
            try:
                self.pdf.add_font(name, "", path, collection_font_number=number)
            except (OSError, FPDFException, ValueError, KeyError) as error:
                # A font file that is missing or that fpdf2 cannot read is simply not used.
                logger.debug("fallback font %s not used: %s", path, error)
                continue
            self.covered |= _cmap(self.pdf, name.lower())
            names.append(name)
        if names:
            self.pdf.set_fallback_fonts(names, exact_match=False)

    def text(self, value: str) -> str:
        """``value`` as the loaded fonts can draw it."""
        value = unicodedata.normalize("NFC", value or "")
        if self.covered is None:
            return value.encode("latin-1", "replace").decode("latin-1")
        return "".join(
            char if ord(char) in self.covered or char in "\n\t" else "?" for char in value
        )

    def style(self, size: float, *, bold: bool = False, colour: tuple[int, int, int] = INK) -> None:
        self.pdf.set_font(self.font, "B" if bold else "", size)
        self.pdf.set_text_color(*colour)

    def fit(self, value: str, width: float) -> str:
        """``value`` shortened with "…" until it fits on one line of ``width`` mm in the current
        font."""
        text = self.text(value)
        if self.pdf.get_string_width(text) <= width:
            return text
        ellipsis = "…" if self.covered is not None else "..."
        while text and self.pdf.get_string_width(text + ellipsis) > width:
            text = text[:-1]
        return text.rstrip() + ellipsis

    def line(
        self,
        value: str,
        *,
        width: float,
        height: float,
        align: Align = Align.L,
        x: float | None = None,
        link: str = "",
    ) -> None:
        """One line of text, shortened to fit ``width``; the cursor moves to the next line."""
        if x is not None:
            self.pdf.set_x(x)
        self.pdf.cell(
            width,
            height,
            self.fit(value, width),
            align=align,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
            link=link,
        )

    def badge_line(
        self, name: str, details: str, *, url: str, note: str, x: float, width: float, height: float
    ) -> None:
        """A badge's ``name``, its ``details`` (issuer, date) and, in full, the link where it can
        be checked (or ``note`` when there is none). The name is what gets shortened."""
        tail = f"{details} · {url or note}"
        tail_width = min(self.pdf.get_string_width(self.text(tail)) + 1, width * 0.75)
        frame = self.pdf.get_string_width(self.text("•  — "))
        head = f"• {self.fit(name, width - tail_width - frame)} — "
        self.pdf.set_x(x)
        head_width = self.pdf.get_string_width(head) + 0.3
        self.pdf.cell(head_width, height, head)
        remaining = width - head_width
        details_text = self.fit(f"{details} · ", remaining)
        details_width = self.pdf.get_string_width(details_text) + 0.3
        self.pdf.cell(details_width, height, details_text)
        self.pdf.set_text_color(*(BRAND if url else SOFT))
        self.pdf.cell(
            remaining - details_width,
            height,
            self.fit(url or note, remaining - details_width),
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
            link=url,
        )
        self.pdf.set_text_color(*INK)

    def lines(
        self, value: str, *, width: float, height: float, max_lines: int, align: Align = Align.L
    ) -> None:
        """Wrapped text of at most ``max_lines`` lines; the last one ends in "…" when cut."""
        x = self.pdf.get_x()
        wrapped = cast(
            list[str],
            self.pdf.multi_cell(
                width, height, self.text(value), dry_run=True, output=MethodReturnValue.LINES
            ),
        )
        shown = list(wrapped[:max_lines])
        if len(wrapped) > max_lines and shown:
            shown[-1] = shown[-1] + " " + " ".join(wrapped[max_lines:])
        for text in shown:
            self.line(text, width=width, height=height, x=x, align=align)

    def output(self) -> bytes:
        return bytes(self.pdf.output())


# --- The certificate ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CertificateContent:
    """What a certificate says, as plain text."""

    learner_name: str
    badge_name: str
    organisation: str
    issued_on: str
    level: str
    criteria: str
    skills: tuple[str, ...]
    verify_url: str
    checker_url: str
    validity: str


def certificate_content(*, award: Award, learner: User) -> CertificateContent:
    """The text of ``award``'s certificate. Refuses a revoked award: its certificate would
    claim what its issuer has withdrawn."""
    badge_class = award.badge_class
    if award.is_revoked:
        raise ServiceError(
            errors.CERTIFICATE_REVOKED.format(organisation=badge_class.organisation.name)
        )
    if award.expires_at is None:
        validity = ""
    elif award.is_expired:
        validity = f"Expired on {_date(award.expires_at)}"
    else:
        validity = f"Valid until {_date(award.expires_at)}"
    return CertificateContent(
        learner_name=learner.display_name or award.recipient_name or learner.email,
        badge_name=badge_class.name,
        organisation=badge_class.organisation.name,
        issued_on=_date(award.issued_at),
        level=badge_class.level,
        criteria=" ".join(badge_class.criteria.split()),
        skills=tuple(
            str(skill.get("name")) for skill in badge_class.skills if isinstance(skill, dict)
        ),
        verify_url=publishing.award_url(award),
        checker_url=settings.SITE_URL + reverse("verification-page"),
        validity=validity,
    )


def award_certificate_pdf(*, award: Award, learner: User, compress: bool = True) -> bytes:
    """An A4 landscape certificate for ``award``, with a QR code to its permanent page where
    anyone can check it. Refuses a revoked award (``ServiceError``)."""
    content = certificate_content(award=award, learner=learner)
    page = _Page(
        orientation="L",
        title=f"Certificate: {content.badge_name}, earned by {content.learner_name}",
        compress=compress,
    )
    pdf = page.pdf
    width_mm, margin = 297.0, 18.0
    inner = width_mm - 2 * margin
    pdf.set_margins(margin, margin, margin)

    pdf.set_draw_color(*BRAND)
    pdf.set_line_width(1.2)
    pdf.rect(9, 9, width_mm - 18, 192)
    pdf.set_line_width(0.3)
    pdf.rect(12, 12, width_mm - 24, 186)

    pdf.set_y(20)
    page.style(11, bold=True, colour=BRAND)
    page.line("LEARNING CITY", width=inner, height=6, align=Align.C)
    page.style(26, bold=True)
    page.line("Certificate of achievement", width=inner, height=12, align=Align.C)
    pdf.ln(2)
    page.style(13, colour=SOFT)
    page.line("This is to certify that", width=inner, height=7, align=Align.C)
    page.style(28, bold=True)
    page.line(content.learner_name, width=inner, height=13, align=Align.C)
    page.style(13, colour=SOFT)
    page.line("has earned the badge", width=inner, height=7, align=Align.C)
    page.style(21, bold=True, colour=BRAND)
    page.lines(content.badge_name, width=inner, height=10, max_lines=2, align=Align.C)
    page.style(13, colour=SOFT)
    issued = f"from {content.organisation}, on {content.issued_on}"
    if content.level:
        issued += f" · Level: {content.level}"
    page.line(issued, width=inner, height=7, align=Align.C)

    top = max(pdf.get_y() + 10, 100.0)
    qr_side = 46.0
    qr_x = width_mm - margin - qr_side
    image_side = 34.0
    try:
        pdf.image(io.BytesIO(images.badge_png(award.badge_class)), x=margin, y=top, w=image_side)
    except (OSError, ValueError, FPDFException) as error:
        # A picture that cannot be drawn leaves its space empty: the certificate still counts.
        logger.warning("badge image left off certificate of award %s: %s", award.pk, error)
    text_x = margin + image_side + 6
    text_width = qr_x - 6 - text_x
    pdf.set_xy(text_x, top)
    page.style(11, bold=True)
    page.line("What it means", width=text_width, height=6, x=text_x)
    page.style(10, colour=INK)
    pdf.set_x(text_x)
    page.lines(content.criteria, width=text_width, height=5, max_lines=4)
    if content.skills:
        pdf.ln(1.5)
        page.style(11, bold=True)
        page.line("Skills", width=text_width, height=6, x=text_x)
        page.style(10, colour=INK)
        pdf.set_x(text_x)
        page.lines(", ".join(content.skills), width=text_width, height=5, max_lines=2)
    if content.validity:
        pdf.ln(1.5)
        page.style(10, bold=True)
        page.line(content.validity, width=text_width, height=5, x=text_x)

    pdf_qr(pdf, content.verify_url, x=qr_x, y=top - 4, side=qr_side)
    pdf.set_xy(qr_x - 4, top - 4 + qr_side)
    page.style(8.5, colour=SOFT)
    page.line("Scan to check it's real", width=qr_side + 8, height=4, align=Align.C, x=qr_x - 4)

    pdf.set_y(176)
    page.style(9.5, colour=SOFT)
    page.line(
        "Verify at this badge's permanent page, where it is checked against its issuer's "
        "signature and revocation list:",
        width=inner,
        height=5,
        align=Align.C,
    )
    page.style(10, bold=True, colour=BRAND)
    page.line(content.verify_url, width=inner, height=5, align=Align.C, link=content.verify_url)
    page.style(8.5, colour=SOFT)
    page.line(
        f"Or check the badge file with any Open Badges verifier, such as {content.checker_url}",
        width=inner,
        height=5,
        align=Align.C,
    )
    return page.output()


# --- The skills CV --------------------------------------------------------------------------------


def _cv_declared_text(declared: Sequence[DeclaredSkill]) -> str:
    shown = [f"{skill.name} ({skill.get_level_display()})" for skill in declared[:CV_MAX_DECLARED]]
    text = ", ".join(shown)
    if len(declared) > CV_MAX_DECLARED:
        text += f", and {len(declared) - CV_MAX_DECLARED} more"
    return text


def skills_cv_pdf(
    *, user: User, summary: SkillsSummary | None = None, compress: bool = True
) -> bytes:
    """A one-page A4 CV of ``user``'s skills: the verified ones, each with the badges that show
    it (issuer, date, where to check it), then, in a section of its own, the skills they
    declare. Long lists are cut and counted ("and 3 more") so the CV never runs to a second
    page. Refuses (``ServiceError``) when there is nothing to show."""
    summary = summary or skills_summary(user=user)
    if summary.is_empty:
        raise ServiceError(errors.CV_NO_SKILLS)
    name = user.display_name or user.email.split("@")[0]
    profile = getattr(user, "learner_profile", None)
    city = profile.city.name if profile is not None else ""

    page = _Page(orientation="P", title=f"Skills CV of {name}", compress=compress)
    pdf = page.pdf
    margin, page_height = 16.0, 297.0
    width = 210.0 - 2 * margin
    footer_top = page_height - margin - 10
    pdf.set_margins(margin, margin, margin)
    pdf.set_y(margin)

    page.style(22, bold=True)
    page.line(name, width=width, height=10)
    page.style(11, colour=SOFT)
    page.line(
        f"Skills CV{f' · {city}' if city else ''} · {_date(timezone.now())}",
        width=width,
        height=6,
    )
    pdf.ln(4)

    # Keep room for the declared skills section (heading, note and up to four lines) and the
    # footer: the verified list stops early rather than pushing them off the page.
    declared_room = (6 + 5 + 4 * 5 + 4) if summary.declared else 0
    verified_bottom = footer_top - declared_room - 6

    page.style(14, bold=True, colour=BRAND)
    page.line("Verified skills", width=width, height=8)
    page.style(9, colour=SOFT)
    if summary.verified:
        page.line(
            "Each skill is shown by signed Open Badges; follow a link to check a badge.",
            width=width,
            height=5,
        )
    else:
        page.line("No badges with skills yet.", width=width, height=5)
    pdf.ln(1)

    skills = summary.verified[:CV_MAX_SKILLS]
    shown = 0
    for skill in skills:
        badges = skill.badges[:CV_MAX_BADGES_PER_SKILL]
        more_badges = skill.count - len(badges)
        block = 6.5 + 4.5 * (len(badges) + (1 if more_badges else 0)) + 1.5
        if pdf.get_y() + block > verified_bottom - 5:
            break
        noun = "badge" if skill.count == 1 else "badges"
        heading = f"{skill.name} · {skill.count} {noun}"
        if skill.highest_level:
            heading += f" · highest level: {skill.highest_level}"
        page.style(11, bold=True)
        page.line(heading, width=width, height=6.5)
        page.style(8.5, colour=INK)
        for badge in badges:
            details = ", ".join(part for part in (badge.issuer, _date(badge.issued_at)) if part)
            page.badge_line(
                badge.name,
                details or "issuer not given",
                url=badge.verify_url,
                note="imported from elsewhere, checked when it came in",
                x=margin + 4,
                width=width - 4,
                height=4.5,
            )
        if more_badges:
            page.style(8.5, colour=SOFT)
            page.line(f"• and {more_badges} more", width=width - 4, height=4.5, x=margin + 4)
        pdf.ln(1.5)
        shown += 1
    if len(summary.verified) > shown:
        page.style(9.5, bold=True, colour=SOFT)
        page.line(
            f"and {len(summary.verified) - shown} more verified skills in the full record",
            width=width,
            height=5,
        )

    if summary.declared:
        pdf.ln(4)
        page.style(14, bold=True, colour=BRAND)
        page.line("Skills I say I have", width=width, height=6)
        page.style(9, colour=SOFT)
        page.line("Not shown by a badge: in my own words.", width=width, height=5)
        page.style(10, colour=INK)
        pdf.set_x(margin)
        room = int((footer_top - 4 - pdf.get_y()) // 5)
        page.lines(
            _cv_declared_text(summary.declared), width=width, height=5, max_lines=max(1, room)
        )

    pdf.set_y(footer_top)
    page.style(8, colour=SOFT)
    checker = settings.SITE_URL + reverse("verification-page")
    page.line(
        f"Made with Learning City on {_date(timezone.now())}. Verified skills come only from "
        "badges that are valid today.",
        width=width,
        height=4.5,
    )
    page.line(f"Check any badge at {checker}", width=width, height=4.5)
    body = page.output()
    assert pdf.page_no() == 1, "the skills CV must stay on one page"
    return body
