"""Where learners claim badges, under /claim/. ``/claim/<code>/`` is printed on posters as a QR
code: never change it."""

from django.urls import path

from .views import claims as views

urlpatterns = [
    path("", views.claim_enter, name="claim-enter"),
    path("award/<str:token>/", views.claim_award, name="claim-award"),
    path("<str:code>/", views.claim_code, name="claim-code"),
]
