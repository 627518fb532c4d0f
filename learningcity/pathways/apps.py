from django.apps import AppConfig


class PathwaysConfig(AppConfig):
    name = "learningcity.pathways"
    label = "pathways"
    verbose_name = "Pathways"

    def ready(self) -> None:
        # Awards made here and badges imported from elsewhere are announced by lower apps
        # (badges.signals, learners.signals); pathways listens so that a completion badge is
        # awarded the moment the last step is satisfied, whichever route the badge came by.
        from . import receivers  # noqa: F401
