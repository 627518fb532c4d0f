"""The city team's dashboards, under ``/<city_slug>/admin/insights/``."""

from django.urls import path

from . import views, views_report

urlpatterns = [
    path("", views.city_overview, name="insights-city-overview"),
    path("breakdowns/", views.city_breakdowns, name="insights-city-breakdowns"),
    path("equity/", views.city_equity, name="insights-city-equity"),
    path("opportunity-deserts/", views.city_deserts, name="insights-city-deserts"),
    path("progression/", views.city_progression, name="insights-city-progression"),
    path("definitions/", views.city_definitions, name="insights-city-definitions"),
    path("report.pdf", views_report.city_report, name="insights-city-report"),
]
