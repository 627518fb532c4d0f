"""``manage.py demo_urls [--json]``: the public URLs of one valid, one revoked and one expired
demo award in every format, their issuer's documents and the verification endpoint — what a
conformance run or a curious person points a verifier at."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from learningcity.badges import publishing
from learningcity.badges.models import Award
from learningcity.badges.views.public import award_urls


def _issuer_urls(award: Award) -> dict[str, str]:
    issuer = award.badge_class.organisation.issuer
    status = award.status_list
    return {
        "id": publishing.issuer_did(issuer),
        "page": publishing.issuer_page_url(issuer),
        "did_document": publishing.absolute(
            reverse("issuer-did", kwargs={"public_id": issuer.public_id})
        ),
        "jwks": publishing.jwks_url(issuer),
        "status_list": publishing.status_list_url(status),
        "ob2_profile": publishing.ob2_issuer_id(issuer),
        "ob2_revocation_list": publishing.ob2_revocation_list_id(issuer),
    }


def demo_urls() -> dict[str, Any]:
    now = timezone.now()
    live = Award.objects.filter(revoked_at__isnull=True)
    picks = {
        "valid": live.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now)).first(),
        "revoked": Award.objects.filter(revoked_at__isnull=False).first(),
        "expired": live.filter(expires_at__lte=now).first(),
    }
    missing = [name for name, award in picks.items() if award is None]
    if missing:
        raise CommandError(f"No {', '.join(missing)} award in the database: run load_demo first.")
    return {
        "awards": {
            name: {**award_urls(award), "issuer": _issuer_urls(award)}
            for name, award in picks.items()
            if award is not None
        },
        "verification_api": publishing.absolute(reverse("verification-api")),
        "verification_page": publishing.absolute(reverse("verification-page")),
    }


class Command(BaseCommand):
    help = "Print the public URLs of a valid, a revoked and an expired demo award."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        urls = demo_urls()
        if options["json"]:
            self.stdout.write(json.dumps(urls, indent=2))
            return
        for name, award in urls["awards"].items():
            self.stdout.write(self.style.MIGRATE_HEADING(f"{name} award"))
            for key, value in award.items():
                if key == "issuer":
                    for issuer_key, issuer_value in value.items():
                        self.stdout.write(f"  issuer {issuer_key:20} {issuer_value}")
                else:
                    self.stdout.write(f"  {key:27} {value}")
        self.stdout.write(f"verification API  {urls['verification_api']}")
        self.stdout.write(f"verification page {urls['verification_page']}")
