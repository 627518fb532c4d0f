"""Root URLs. Site-wide pages first; everything under ``/<city-slug>/`` belongs to one city."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from learningcity.core import views as core_views

urlpatterns = [
    path("", include("learningcity.cities.urls_site")),
    path("healthz", core_views.healthz, name="healthz"),
    path("django-admin/", admin.site.urls),
    path("", include("learningcity.accounts.urls")),
    path("me/", include("learningcity.opportunities.urls_me")),
    path("me/backpack/", include("learningcity.learners.urls_backpack")),
    path("me/backpack/", include("learningcity.learners.urls_downloads")),
    path("me/collections/", include("learningcity.learners.urls_collections")),
    path("me/skills/", include("learningcity.learners.urls_skills")),
    path("me/privacy/", include("learningcity.learners.urls_privacy")),
    path("me/pathways/", include("learningcity.pathways.urls_me")),
    path("me/next/", include("learningcity.pathways.urls_next")),
    path("shared/", include("learningcity.learners.urls_shared")),
    path("guardian/", include("learningcity.learners.urls_guardian")),
    path("accounts/", include("allauth.urls")),
    path("", include("learningcity.organisations.urls_site")),
    path("", include("learningcity.badges.urls")),
    path("verify/", include("learningcity.verification.urls")),
    path("claim/", include("learningcity.badges.urls_claim_public")),
    path("<slug:city_slug>/admin/endorsements/", include("learningcity.badges.urls_city_admin")),
    path("apply/", include("learningcity.badges.urls_apply")),
    path(
        "<slug:city_slug>/admin/opportunities/",
        include("learningcity.opportunities.urls_city_admin"),
    ),
    path(
        "<slug:city_slug>/admin/pathways/",
        include("learningcity.pathways.urls_city_admin"),
    ),
    path("<slug:city_slug>/admin/insights/", include("learningcity.insights.urls_city")),
    path("<slug:city_slug>/pathways/", include("learningcity.pathways.urls_public")),
    path("<slug:city_slug>/opportunities/", include("learningcity.opportunities.urls_public")),
    path("<slug:city_slug>/opportunities/", include("learningcity.opportunities.urls_booking")),
    path("<slug:city_slug>/", include("learningcity.cities.urls")),
    path(
        "<slug:city_slug>/organisations/<slug:org_slug>/badges/",
        include("learningcity.badges.urls_staff"),
    ),
    path(
        "<slug:city_slug>/organisations/<slug:org_slug>/opportunities/sessions/<str:session_id>/",
        include("learningcity.opportunities.urls_staff_sessions"),
    ),
    path(
        "<slug:city_slug>/organisations/<slug:org_slug>/opportunities/",
        include("learningcity.opportunities.urls_staff"),
    ),
    path(
        "<slug:city_slug>/organisations/<slug:org_slug>/pathways/",
        include("learningcity.pathways.urls_staff"),
    ),
    path(
        "<slug:city_slug>/organisations/<slug:org_slug>/insights/",
        include("learningcity.insights.urls_organisation"),
    ),
    path("<slug:city_slug>/organisations/", include("learningcity.organisations.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
