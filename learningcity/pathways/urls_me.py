"""The learner's own pathways, mounted at ``me/pathways/``."""

from django.urls import URLPattern, URLResolver, path

from .views import learner as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.my_pathways, name="my-pathways"),
    path("<str:public_id>/leave/", views.my_pathway_leave, name="my-pathway-leave"),
]
