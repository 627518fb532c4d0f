from django.apps import AppConfig


class BadgesConfig(AppConfig):
    name = "learningcity.badges"
    label = "badges"
    verbose_name = "Badges"
