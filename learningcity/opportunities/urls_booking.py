"""Public booking actions, mounted at ``/<city_slug>/opportunities/`` next to ``urls_public``."""

from django.urls import path

from .views import booking as views

urlpatterns = [
    path(
        "<str:public_id>/sessions/<str:session_id>/book/",
        views.opportunity_book,
        name="opportunity-book",
    ),
    path(
        "<str:public_id>/sessions/<str:session_id>/calendar.ics",
        views.session_calendar,
        name="session-calendar",
    ),
    path("<str:public_id>/save/", views.opportunity_save, name="opportunity-save"),
]
