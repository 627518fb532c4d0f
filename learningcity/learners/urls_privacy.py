"""The learner's privacy pages, mounted at ``me/privacy/``."""

from django.urls import URLPattern, URLResolver, path

from .views import privacy as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.privacy_settings, name="privacy-settings"),
    path("export/", views.privacy_export, name="privacy-export"),
    path("delete/", views.privacy_delete, name="privacy-delete"),
    path("deleted/", views.privacy_goodbye, name="privacy-goodbye"),
]
