"""The guardian's view of an under-13's account, mounted at ``guardian/``."""

from django.urls import URLPattern, URLResolver, path

from .views import guardian as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("<str:token>/", views.guardian_view, name="guardian-view"),
    path("<str:token>/close/", views.guardian_close, name="guardian-close"),
]
