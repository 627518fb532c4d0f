"""The city team's endorsement queue, under /<city>/admin/endorsements/."""

from django.urls import path

from .views import endorsements as views

urlpatterns = [
    path("", views.city_admin_endorsements, name="city-admin-endorsements"),
    path(
        "<str:public_id>/endorse/",
        views.city_admin_endorsement_endorse,
        name="city-admin-endorsement-endorse",
    ),
    path(
        "<str:public_id>/decline/",
        views.city_admin_endorsement_decline,
        name="city-admin-endorsement-decline",
    ),
]
