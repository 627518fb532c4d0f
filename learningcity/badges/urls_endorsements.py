"""Staff pages for endorsement requests, under /<city>/organisations/<org_slug>/badges/."""

from django.urls import path

from .views import endorsements as views

urlpatterns = [
    path(
        "<str:public_id>/endorsement/",
        views.endorsement_request_create,
        name="endorsement-request-create",
    ),
]
