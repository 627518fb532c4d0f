"""A learner's badge applications, under /apply/."""

from django.urls import path

from .views import applications as views

urlpatterns = [
    path("", views.application_mine, name="application-mine"),
    path("badges/<str:badge_public_id>/", views.application_create, name="application-create"),
    path("<str:public_id>/withdraw/", views.application_withdraw, name="application-withdraw"),
    path("<str:public_id>/files/<int:file_id>/", views.application_file, name="application-file"),
]
