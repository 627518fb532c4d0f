"""``me/next/``: the learner's “What next” suggestions and their switches."""

from django.urls import URLPattern, URLResolver, path

from .views import next as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.what_next, name="what-next"),
]
