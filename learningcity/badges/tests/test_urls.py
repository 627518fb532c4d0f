"""docs/urls.md promises these URLs never change: this pins them."""

import pytest
from django.urls import reverse

PINNED = {
    ("award-page", "a"): "/awards/a/",
    ("award-ob3", "a"): "/awards/a/credential.json",
    ("award-jwt", "a"): "/awards/a/credential.jwt",
    ("award-ob2", "a"): "/awards/a/ob2.json",
    ("award-png", "a"): "/awards/a/badge.png",
    ("award-svg", "a"): "/awards/a/badge.svg",
    ("award-ob2-png", "a"): "/awards/a/ob2-badge.png",
    ("award-ob2-svg", "a"): "/awards/a/ob2-badge.svg",
    ("badge-class-page", "b"): "/badge-classes/b/",
    ("badge-class-ob2", "b"): "/badge-classes/b/ob2.json",
    ("badge-class-image-png", "b"): "/badge-classes/b/image.png",
    ("badge-class-image-svg", "b"): "/badge-classes/b/image.svg",
    ("issuer-page", "i"): "/issuers/i/",
    ("issuer-did", "i"): "/issuers/i/did.json",
    ("issuer-jwks", "i"): "/issuers/i/jwks.json",
    ("issuer-ob2", "i"): "/issuers/i/ob2.json",
    ("issuer-ob2-revocations", "i"): "/issuers/i/ob2-revocations.json",
}


@pytest.mark.parametrize(("key", "path"), PINNED.items())
def test_a_public_url_never_changes(key, path):
    name, public_id = key
    assert reverse(name, kwargs={"public_id": public_id}) == path


def test_key_and_status_list_urls_never_change():
    assert (
        reverse("issuer-key", kwargs={"public_id": "i", "key_id": "z6Mk"}) == "/issuers/i/keys/z6Mk"
    )
    assert (
        reverse("issuer-status-list", kwargs={"public_id": "i", "list_id": "l"})
        == "/issuers/i/status/l"
    )


def test_every_pinned_url_is_in_the_documentation():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[3] / "docs" / "urls.md").read_text()
    for path in PINNED.values():
        documented = (
            path.replace("/a/", "/<award>/")
            .replace("/b/", "/<badge>/")
            .replace("/i/", "/<issuer>/")
        )
        assert documented in doc, documented
