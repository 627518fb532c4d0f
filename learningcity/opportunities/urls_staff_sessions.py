"""A session's staff pages, mounted at
``/<city_slug>/organisations/<org_slug>/opportunities/sessions/<session_id>/``."""

from django.urls import path

from .views import attendance as views

urlpatterns = [
    path("attendees/", views.session_attendees, name="session-attendees"),
    path("attendees.csv", views.session_attendees_csv, name="session-attendees-csv"),
    path("check-in/", views.session_check_in, name="session-check-in"),
]
