from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "learningcity.demo"
    label = "demo"
    verbose_name = "Demo cities"
