"""Designing badge classes, under /<city>/organisations/<org_slug>/badges/."""

from django.urls import path

from .views import design as views

urlpatterns = [
    path("", views.badge_class_list_page, name="badge-class-list"),
    path("new/", views.badge_class_create_page, name="badge-class-create"),
    path("design/preview.svg", views.badge_class_preview, name="badge-class-preview"),
    path("<str:public_id>/edit/", views.badge_class_edit_page, name="badge-class-edit"),
    path("<str:public_id>/publish/", views.badge_class_publish_view, name="badge-class-publish"),
    path("<str:public_id>/archive/", views.badge_class_archive_view, name="badge-class-archive"),
]
