"""The public badge checker, mounted at ``/verify/`` by the root URLconf."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.check_page, name="verification-page"),
    path("api", views.check_api, name="verification-api"),
]
