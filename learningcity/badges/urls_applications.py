"""Staff pages for badge applications, under /<city>/organisations/<org_slug>/badges/."""

from django.urls import path

from .views import applications as views

urlpatterns = [
    path("applications/", views.application_list, name="application-list"),
    path("applications/<str:public_id>/", views.application_detail, name="application-detail"),
    path(
        "applications/<str:public_id>/approve/",
        views.application_approve,
        name="application-approve",
    ),
    path(
        "applications/<str:public_id>/reject/", views.application_reject, name="application-reject"
    ),
]
