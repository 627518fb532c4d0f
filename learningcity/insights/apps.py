from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "learningcity.insights"
    label = "insights"
    verbose_name = "Insights"
