from django.apps import AppConfig


class OpportunitiesConfig(AppConfig):
    name = "learningcity.opportunities"
    label = "opportunities"
    verbose_name = "Opportunities"
