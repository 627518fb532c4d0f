"""Giving badges, under /<city>/organisations/<org_slug>/badges/."""

from django.urls import path

from .views import issuing as views

urlpatterns = [
    path("award/", views.award_create, name="award-create"),
    path("awards/", views.award_list, name="award-list"),
    path("awards/export.csv", views.award_export, name="award-export"),
    path("awards/<str:public_id>/revoke/", views.award_revoke_page, name="award-revoke"),
    path("bulk/", views.bulk_issue_upload, name="bulk-issue-upload"),
    path("bulk/<str:public_id>/", views.bulk_issue_preview, name="bulk-issue-preview"),
    path("bulk/<str:public_id>/confirm/", views.bulk_issue_confirm, name="bulk-issue-confirm"),
    path("bulk/<str:public_id>/progress/", views.bulk_issue_progress, name="bulk-issue-progress"),
    path("bulk/<str:public_id>/status.json", views.bulk_issue_status, name="bulk-issue-status"),
]
