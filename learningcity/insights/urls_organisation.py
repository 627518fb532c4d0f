"""An organisation's own dashboards, under ``/<city_slug>/organisations/<org_slug>/insights/``."""

from django.urls import path

from . import views, views_report

urlpatterns = [
    path("", views.organisation_overview, name="insights-organisation-overview"),
    path("breakdowns/", views.organisation_breakdowns, name="insights-organisation-breakdowns"),
    path("equity/", views.organisation_equity, name="insights-organisation-equity"),
    path("progression/", views.organisation_progression, name="insights-organisation-progression"),
    path("definitions/", views.organisation_definitions, name="insights-organisation-definitions"),
    path("report.pdf", views_report.organisation_report, name="insights-organisation-report"),
]
