from django.urls import path  # noqa: F401

# Filled in by the organisations work: organisation-list, organisation-detail, ...
urlpatterns: list = []
