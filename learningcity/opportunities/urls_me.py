"""The learner's own booking pages, mounted at ``/me/``."""

from django.urls import path

from .views import booking as views

urlpatterns = [
    path("bookings/", views.learner_bookings, name="learner-bookings"),
    path("bookings/<str:booking_id>/cancel/", views.booking_cancel, name="booking-cancel"),
    path("saved/", views.learner_saved, name="learner-saved"),
    path("check-in-code/", views.learner_check_in_code, name="learner-check-in-code"),
    path("calendar/reset/", views.learner_calendar_reset, name="learner-calendar-reset"),
    path("calendar/<str:token>.ics", views.learner_calendar, name="learner-calendar"),
]
