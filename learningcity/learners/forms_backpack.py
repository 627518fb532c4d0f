"""The three ways to bring a badge into the backpack, each its own small form: upload a file,
paste a link, paste the badge. They only parse and check the input; the import service
verifies the badge."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from learningcity.core import errors
from learningcity.verification.forms import looks_like_a_badge_file

from .backpack import MAX_IMPORT_BYTES, MAX_IMPORT_LABEL
from .models import ImportSource

MAX_LINK_LENGTH = 2000


class ImportFileForm(forms.Form):
    source = ImportSource.FILE

    file = forms.FileField(
        label="Badge image or file",
        help_text=f"A badge image (PNG or SVG) or a badge file (JSON or JWT), up to "
        f"{MAX_IMPORT_LABEL}.",
        widget=forms.ClearableFileInput(
            attrs={"accept": ".png,.svg,.json,.jsonld,.jwt,image/png,image/svg+xml"}
        ),
        error_messages={"required": errors.BACKPACK_NOTHING_GIVEN},
    )

    def clean_file(self) -> bytes:
        upload: UploadedFile = self.cleaned_data["file"]
        name = upload.name or "The file"
        too_large = errors.BACKPACK_UPLOAD_TOO_LARGE.format(limit=MAX_IMPORT_LABEL)
        if upload.size is not None and upload.size > MAX_IMPORT_BYTES:
            raise ValidationError(too_large, code="too_large")
        data = upload.read(MAX_IMPORT_BYTES + 1)
        if len(data) > MAX_IMPORT_BYTES:
            raise ValidationError(too_large, code="too_large")
        if not data.strip():
            raise ValidationError(errors.BACKPACK_UPLOAD_EMPTY.format(name=name), code="empty")
        # The bytes decide, not the name: a PDF renamed badge.png is still a PDF.
        if not looks_like_a_badge_file(data):
            raise ValidationError(
                errors.BACKPACK_UPLOAD_WRONG_TYPE.format(name=name), code="wrong_type"
            )
        return data

    def payload(self) -> tuple[bytes, str]:
        upload = self.files.get(self.add_prefix("file"))
        return self.cleaned_data["file"], getattr(upload, "name", "") or ""


class ImportLinkForm(forms.Form):
    source = ImportSource.URL

    link = forms.CharField(
        label="Link to the badge",
        max_length=MAX_LINK_LENGTH,
        help_text="The badge's own web address, for example https://badges.example.org/…",
        widget=forms.URLInput(attrs={"autocomplete": "off", "inputmode": "url"}),
        error_messages={
            "required": errors.BACKPACK_LINK_INVALID,
            "max_length": errors.BACKPACK_LINK_INVALID,
        },
    )

    def clean_link(self) -> str:
        link = self.cleaned_data["link"].strip()
        if not link.lower().startswith(("https://", "http://")) or any(c.isspace() for c in link):
            raise ValidationError(errors.BACKPACK_LINK_INVALID, code="invalid_url")
        return link

    def payload(self) -> tuple[str, str]:
        return self.cleaned_data["link"], ""


class ImportTextForm(forms.Form):
    source = ImportSource.TEXT

    credential = forms.CharField(
        label="The badge's data",
        help_text="JSON (it starts with {) or a signed token (it starts eyJ).",
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "autocomplete": "off"}),
        error_messages={"required": errors.BACKPACK_NOTHING_GIVEN},
    )

    def clean_credential(self) -> str:
        text = self.cleaned_data["credential"]
        if len(text.encode("utf-8", "surrogatepass")) > MAX_IMPORT_BYTES:
            raise ValidationError(
                errors.BACKPACK_TEXT_TOO_LARGE.format(limit=MAX_IMPORT_LABEL), code="too_large"
            )
        return text

    def payload(self) -> tuple[str, str]:
        return self.cleaned_data["credential"], ""


#: ``way`` (the hidden field each form posts) → its form class and prefix.
IMPORT_FORMS: dict[str, type[ImportFileForm | ImportLinkForm | ImportTextForm]] = {
    "file": ImportFileForm,
    "link": ImportLinkForm,
    "text": ImportTextForm,
}
