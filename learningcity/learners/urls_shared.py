"""Public pages of what learners share, mounted at ``/shared/``: the link is the permission."""

from django.urls import URLPattern, URLResolver, path

from .views import shared_public as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("collections/<str:public_id>/", views.collection_shared, name="collection-shared"),
    path("badges/<str:imported_public_id>/", views.imported_shared, name="imported-shared"),
    path("people/<str:user_public_id>/", views.portfolio, name="portfolio"),
]
