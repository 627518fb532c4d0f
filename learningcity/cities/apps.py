from django.apps import AppConfig


class CitiesConfig(AppConfig):
    name = "learningcity.cities"
    label = "cities"
    verbose_name = "Cities and places"
