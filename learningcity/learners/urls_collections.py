"""The learner's collections, per-badge sharing choices and public portfolio settings, mounted
at ``/me/collections/``."""

from django.urls import URLPattern, URLResolver, path

from .views import sharing as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.collection_list, name="collections"),
    path("new/", views.collection_list, name="collection-create"),
    path("portfolio/", views.portfolio_settings, name="portfolio-settings"),
    path("badges/award/<str:award_public_id>/", views.award_sharing, name="award-sharing"),
    path(
        "badges/imported/<str:imported_public_id>/",
        views.imported_sharing,
        name="imported-sharing",
    ),
    path("<str:public_id>/", views.collection_edit, name="collection-edit"),
    path("<str:public_id>/delete/", views.collection_delete, name="collection-delete"),
    path("<str:public_id>/move/", views.collection_move, name="collection-move"),
    path("<str:public_id>/badges/add/", views.collection_item_add, name="collection-item-add"),
    path(
        "<str:public_id>/badges/<int:item_id>/remove/",
        views.collection_item_remove,
        name="collection-item-remove",
    ),
    path(
        "<str:public_id>/badges/<int:item_id>/move/",
        views.collection_item_move,
        name="collection-item-move",
    ),
]
