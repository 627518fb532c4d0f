"""The city team building city-wide pathways, under ``/<city_slug>/admin/pathways/``."""

from django.urls import path

from .views import city_admin as views

urlpatterns = [
    path("", views.pathway_list, name="city-pathway-list"),
    path("new/", views.pathway_create, name="city-pathway-create"),
    path("<str:public_id>/", views.pathway_detail, name="city-pathway-detail"),
    path("<str:public_id>/edit/", views.pathway_edit, name="city-pathway-edit"),
    path("<str:public_id>/publish/", views.pathway_publish, name="city-pathway-publish"),
    path("<str:public_id>/archive/", views.pathway_archive, name="city-pathway-archive"),
    path("<str:public_id>/progress/", views.pathway_report, name="city-pathway-report"),
    path("<str:public_id>/steps/add/", views.pathway_step_add, name="city-pathway-step-add"),
    path(
        "<str:public_id>/steps/<int:step_id>/edit/",
        views.pathway_step_edit,
        name="city-pathway-step-edit",
    ),
    path(
        "<str:public_id>/steps/<int:step_id>/remove/",
        views.pathway_step_remove,
        name="city-pathway-step-remove",
    ),
    path(
        "<str:public_id>/steps/<int:step_id>/move/",
        views.pathway_step_move,
        name="city-pathway-step-move",
    ),
]
