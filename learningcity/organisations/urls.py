"""Organisation pages of one city, mounted at ``/<city_slug>/organisations/``."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.directory, name="organisation-list"),
    # Before "<slug:org_slug>/"; no organisation gets the slug "register" (see services.py).
    path("register/", views.register, name="organisation-register"),
    path("<slug:org_slug>/", views.detail, name="organisation-detail"),
    path("<slug:org_slug>/dashboard/", views.dashboard, name="organisation-dashboard"),
    path("<slug:org_slug>/edit/", views.edit, name="organisation-edit"),
    path("<slug:org_slug>/staff/", views.staff, name="organisation-staff"),
    path("<slug:org_slug>/staff/invite/", views.invite, name="organisation-invite"),
    path(
        "<slug:org_slug>/staff/invitations/<int:invitation_id>/revoke/",
        views.invite_revoke,
        name="organisation-invite-revoke",
    ),
    path(
        "<slug:org_slug>/staff/<str:member_id>/role/",
        views.staff_role,
        name="organisation-staff-role",
    ),
    path(
        "<slug:org_slug>/staff/<str:member_id>/remove/",
        views.staff_remove,
        name="organisation-staff-remove",
    ),
]
