"""The learner's backpack, mounted at ``me/backpack/`` (downloads share the mount, on their own
sub-paths)."""

from django.urls import URLPattern, URLResolver, path

from .views import backpack as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.backpack, name="backpack"),
    path("import/", views.backpack_import, name="backpack-import"),
    path("imported/<str:public_id>/", views.imported_detail, name="backpack-imported"),
    path(
        "imported/<str:public_id>/check/", views.imported_recheck, name="backpack-imported-recheck"
    ),
    path(
        "imported/<str:public_id>/remove/", views.imported_remove, name="backpack-imported-remove"
    ),
    path("imported/<str:public_id>/image", views.imported_image, name="backpack-imported-image"),
]
