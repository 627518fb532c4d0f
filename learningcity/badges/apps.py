from django.apps import AppConfig


class BadgesConfig(AppConfig):
    name = "learningcity.badges"
    label = "badges"
    verbose_name = "Badges"

    def ready(self) -> None:
        # allauth tells the rest of the site that an address was verified only through its
        # email_confirmed signal: it is allauth's integration seam, so the one receiver lives in
        # receivers.py and does nothing but call a service.
        from . import receivers  # noqa: F401
