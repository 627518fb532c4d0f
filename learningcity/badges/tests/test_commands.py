import json
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_demo_urls_prints_a_valid_a_revoked_and_an_expired_award_in_every_format(client, capsys):
    call_command("load_demo")
    capsys.readouterr()
    call_command("demo_urls", "--json")
    urls = json.loads(capsys.readouterr().out)

    assert set(urls["awards"]) == {"valid", "revoked", "expired"}
    formats = {"page", "ob3_json", "ob3_jwt", "ob2_json", "png", "svg", "ob2_png", "ob2_svg"}
    for award in urls["awards"].values():
        assert formats <= set(award)
        assert {"id", "did_document", "jwks", "status_list", "ob2_profile"} <= set(award["issuer"])
    assert urls["verification_api"].endswith(reverse("verification-api"))

    assert client.get(path(urls["awards"]["revoked"]["ob2_json"])).status_code == 410
    assert client.get(path(urls["awards"]["valid"]["ob2_json"])).status_code == 200
    expired = client.get(path(urls["awards"]["expired"]["ob3_json"])).json()
    assert "validUntil" in expired


def path(url: str) -> str:
    return urlsplit(url).path


def test_demo_urls_says_what_to_do_on_an_empty_database():
    with pytest.raises(CommandError, match="run load_demo first"):
        call_command("demo_urls")
