from django.urls import path

from . import views

urlpatterns = [
    path("me/", views.learner_home, name="learner-home"),
    path("accounts/overview/", views.account_overview, name="account-overview"),
    path("accounts/profile/", views.profile_edit, name="profile-edit"),
    path(
        "accounts/guardian/resend/", views.guardian_consent_resend, name="guardian-consent-resend"
    ),
    path("accounts/guardian/<str:token>/", views.guardian_consent, name="guardian-consent"),
]
