"""Staff pages for an organisation's badges, under /<city>/organisations/<org_slug>/badges/.

Each part of the issuing work keeps its own URL module; this file only stitches them together.
"""

from django.urls import include, path

urlpatterns = [
    path("", include("learningcity.badges.urls_design")),
    path("", include("learningcity.badges.urls_issuing")),
    path("", include("learningcity.badges.urls_claims")),
    path("", include("learningcity.badges.urls_endorsements")),
    path("", include("learningcity.badges.urls_applications")),
]
