from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "learningcity.organisations"
    label = "organisations"
    verbose_name = "Organisations"
