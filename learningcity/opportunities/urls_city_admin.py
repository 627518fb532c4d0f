"""The city team's review queue for opportunities, under ``/<city_slug>/admin/opportunities/``."""

from django.urls import path

from .views import moderation as views

urlpatterns = [
    path("", views.review_queue, name="city-admin-opportunities"),
    path("<str:public_id>/", views.review_detail, name="city-admin-opportunity-review"),
    path(
        "<str:public_id>/approve/",
        views.review_approve,
        name="city-admin-opportunity-approve",
    ),
    path(
        "<str:public_id>/send-back/",
        views.review_send_back,
        name="city-admin-opportunity-send-back",
    ),
]
