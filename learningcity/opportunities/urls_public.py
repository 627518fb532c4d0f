"""Public discovery pages, mounted at ``<city_slug>/opportunities/``."""

from django.urls import path

from .views import discovery

urlpatterns = [
    path("", discovery.opportunity_list, name="opportunity-list"),
    path("<str:public_id>/", discovery.opportunity_detail, name="opportunity-detail"),
    path(
        "<str:public_id>/calendar.ics",
        discovery.opportunity_calendar,
        name="opportunity-calendar",
    ),
]
