from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "learningcity.verification"
    label = "verification"
    verbose_name = "Badge verification"
