"""An organisation's staff building its pathways, under
``/<city_slug>/organisations/<org_slug>/pathways/``."""

from django.urls import path

from .views import staff as views

urlpatterns = [
    path("", views.pathway_list, name="staff-pathway-list"),
    path("new/", views.pathway_create, name="staff-pathway-create"),
    path("<str:public_id>/", views.pathway_detail, name="staff-pathway-detail"),
    path("<str:public_id>/edit/", views.pathway_edit, name="staff-pathway-edit"),
    path("<str:public_id>/publish/", views.pathway_publish, name="staff-pathway-publish"),
    path("<str:public_id>/archive/", views.pathway_archive, name="staff-pathway-archive"),
    path("<str:public_id>/progress/", views.pathway_report, name="staff-pathway-report"),
    path("<str:public_id>/steps/add/", views.pathway_step_add, name="staff-pathway-step-add"),
    path(
        "<str:public_id>/steps/<int:step_id>/edit/",
        views.pathway_step_edit,
        name="staff-pathway-step-edit",
    ),
    path(
        "<str:public_id>/steps/<int:step_id>/remove/",
        views.pathway_step_remove,
        name="staff-pathway-step-remove",
    ),
    path(
        "<str:public_id>/steps/<int:step_id>/move/",
        views.pathway_step_move,
        name="staff-pathway-step-move",
    ),
]
