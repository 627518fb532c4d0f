"""The badge checker's form: a link, pasted text or a file — exactly one.

The API uses the same form, so the page and the API accept and refuse the same things with the
same messages; each refusal carries a ``code`` the API reports.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

MAX_BYTES = 2_000_000
MAX_LINK_LENGTH = 2000
FILE_EXTENSIONS = (".png", ".svg", ".json", ".jsonld", ".jwt", ".jws", ".txt")

# Messages shown to people (tests assert on them), each with its API error code.
NOTHING_GIVEN = "Give us a link to the badge, paste the badge, or choose a badge file."
MORE_THAN_ONE = "Give us just one thing to check: a link, pasted text or a file."
LINK_INVALID = "Enter the badge's web address, starting with https:// (or http://)."
TOO_LARGE = (
    "The {what} is larger than 2 MB. Badge images and files are much smaller than that: check "
    "you chose the right one."
)
WRONG_FILE_TYPE = (
    "Choose a badge image (PNG or SVG) or a badge file (JSON or JWT). {name} isn't one of those."
)
EMPTY_FILE = "The file {name} is empty."

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_JWS_CHARACTERS = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")


def looks_like_a_badge_file(data: bytes) -> bool:
    """Whether the bytes start like a PNG, an SVG, JSON or a compact JWS. The checker reads
    them properly; this only catches the wrong file chosen by mistake (a PDF, a Word file)."""
    if data.startswith(_PNG_SIGNATURE):
        return True
    start = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"{"):
        return True
    if start.startswith(b"<"):
        return b"<svg" in data[:65536]
    token = start.split(b"\n", 1)[0].strip()
    return token.count(b".") == 2 and set(token) <= _JWS_CHARACTERS


class BadgeCheckForm(forms.Form):
    # Every field is optional on its own (one of the three is needed); saying so is noise.
    show_optional_marker = False

    link = forms.CharField(
        label="Link to the badge",
        required=False,
        max_length=MAX_LINK_LENGTH,
        help_text="The badge's own web address, for example https://badges.example.org/…",
        widget=forms.URLInput(attrs={"autocomplete": "off", "inputmode": "url"}),
        error_messages={"max_length": LINK_INVALID},
    )
    credential = forms.CharField(
        label="Or paste the badge",
        required=False,
        strip=True,
        help_text="The badge's data: JSON (it starts with {) or a signed token (it starts eyJ).",
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
    )
    file = forms.FileField(
        label="Or upload the badge",
        required=False,
        help_text="A badge image (PNG or SVG) or a badge file (JSON or JWT), up to 2 MB.",
        widget=forms.ClearableFileInput(
            attrs={"accept": ".png,.svg,.json,.jsonld,.jwt,image/png,image/svg+xml"}
        ),
    )

    def clean_link(self) -> str:
        link = (self.cleaned_data.get("link") or "").strip()
        if link and (not link.lower().startswith(("https://", "http://")) or " " in link):
            raise ValidationError(LINK_INVALID, code="invalid_url")
        return link

    def clean_credential(self) -> str:
        text = self.cleaned_data.get("credential") or ""
        if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
            raise ValidationError(TOO_LARGE.format(what="pasted text"), code="too_large")
        return text

    def clean_file(self) -> bytes | None:
        upload: UploadedFile | None = self.cleaned_data.get("file")
        if upload is None:
            return None
        name = upload.name or "The file"
        if upload.size is not None and upload.size > MAX_BYTES:
            raise ValidationError(TOO_LARGE.format(what="file"), code="too_large")
        if not name.lower().endswith(FILE_EXTENSIONS):
            raise ValidationError(WRONG_FILE_TYPE.format(name=name), code="wrong_file_type")
        data = upload.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise ValidationError(TOO_LARGE.format(what="file"), code="too_large")
        if not data.strip():
            raise ValidationError(EMPTY_FILE.format(name=name), code="empty_file")
        if not looks_like_a_badge_file(data):
            raise ValidationError(WRONG_FILE_TYPE.format(name=name), code="wrong_file_type")
        return data

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        given = [name for name in ("link", "credential", "file") if cleaned.get(name)]
        if not given:
            raise ValidationError(NOTHING_GIVEN, code="missing_input")
        if len(given) > 1:
            raise ValidationError(MORE_THAN_ONE, code="too_many_inputs")
        return cleaned

    def source(self) -> bytes | str:
        """What to check. Only after ``is_valid()``."""
        for name in ("file", "credential", "link"):
            value = self.cleaned_data.get(name)
            if value:
                return value  # type: ignore[no-any-return]
        raise ValueError("the form has no source; call is_valid() first")

    def first_error(self) -> tuple[str, str]:
        """``(code, message)`` of the first error, for the API."""
        for errors in self.errors.as_data().values():
            for error in errors:
                message = error.messages[0] if error.messages else str(error)
                return (error.code or "invalid", message)
        return ("invalid", NOTHING_GIVEN)
