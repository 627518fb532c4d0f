"""A city's pathways, mounted at ``<city_slug>/pathways/``."""

from django.urls import URLPattern, URLResolver, path

from .views import public as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.pathway_list, name="pathway-list"),
    path("<str:public_id>/", views.pathway_detail, name="pathway-detail"),
    path("<str:public_id>/join/", views.pathway_join, name="pathway-join"),
]
