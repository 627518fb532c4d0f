"""Staff pages for an organisation's opportunities, under
``/<city_slug>/organisations/<org_slug>/opportunities/``.

Session pages (attendees, check-in) live under ``…/opportunities/sessions/<session_id>/``
(``urls_staff_sessions.py``), which the root URLconf includes before this file.
"""

from django.urls import path

from .views import publishing as views

urlpatterns = [
    path("", views.opportunity_staff_list, name="opportunity-staff-list"),
    path("new/", views.opportunity_staff_create, name="opportunity-staff-create"),
    path("<str:public_id>/", views.opportunity_staff_detail, name="opportunity-staff-detail"),
    path("<str:public_id>/edit/", views.opportunity_staff_edit, name="opportunity-staff-edit"),
    path(
        "<str:public_id>/sessions/add/",
        views.opportunity_staff_sessions_add,
        name="opportunity-staff-sessions-add",
    ),
    path(
        "<str:public_id>/sessions/<str:session_id>/cancel/",
        views.opportunity_staff_session_cancel,
        name="opportunity-staff-session-cancel",
    ),
    path(
        "<str:public_id>/submit/", views.opportunity_staff_submit, name="opportunity-staff-submit"
    ),
    path(
        "<str:public_id>/archive/",
        views.opportunity_staff_archive,
        name="opportunity-staff-archive",
    ),
]
