"""The learner's downloads, mounted at ``/me/backpack/`` beside the backpack's own pages."""

from django.urls import path

from .views import downloads as views

urlpatterns = [
    path(
        "awards/<str:public_id>/certificate.pdf",
        views.award_certificate,
        name="award-certificate",
    ),
    path(
        "awards/<str:public_id>/credential.json",
        views.award_credential,
        name="award-credential-download",
    ),
    path("awards/<str:public_id>/badge.png", views.award_badge_png, name="award-png-download"),
    path("record.json", views.learner_record, name="backpack-record"),
    path("cv.pdf", views.skills_cv, name="backpack-cv"),
]
