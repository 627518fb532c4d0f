"""``manage.py load_demo``: the demo cities, ready to explore. Safe to run again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from learningcity.demo.data import DEMO_PASSWORD
from learningcity.demo.services import demo_load


class Command(BaseCommand):
    help = (
        "Load (or refresh) the demo cities Brighton & Hove and Plymouth, with people in every role."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = demo_load()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo loaded: {len(report.cities)} cities "
                f"({', '.join(city.name for city in report.cities)}), "
                f"{report.organisations} organisations, {report.learners} learners, "
                f"{report.awards} new awards, {report.opportunities} new opportunities, "
                f"{report.bookings} new bookings."
            )
        )
        self.stdout.write("")
        self.stdout.write(
            f"Sign in with any of these — the password for all of them is: {DEMO_PASSWORD}"
        )
        width = max(len(sign_in.role) for sign_in in report.sign_ins)
        for sign_in in report.sign_ins:
            line = f"  {sign_in.role.ljust(width)}  {sign_in.email}"
            if sign_in.note:
                line += f"  ({sign_in.note})"
            self.stdout.write(line)
        self.stdout.write("")
