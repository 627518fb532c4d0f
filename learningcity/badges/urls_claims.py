"""Staff pages for claim codes, posters and award emails, under
/<city>/organisations/<org_slug>/badges/."""

from django.urls import path

from .views import claims as views

urlpatterns = [
    path("claim-codes/", views.claim_code_list, name="claim-code-list"),
    path("claim-codes/new/", views.claim_code_create, name="claim-code-create"),
    path("claim-codes/<str:code>/revoke/", views.claim_code_revoke, name="claim-code-revoke"),
    path("claim-codes/<str:code>/poster.png", views.claim_code_poster, name="claim-code-poster"),
    path(
        "claim-codes/<str:code>/poster.pdf",
        views.claim_code_poster_pdf,
        name="claim-code-poster-pdf",
    ),
    path("deliveries/", views.award_deliveries, name="award-deliveries"),
    path("awards/<str:public_id>/resend/", views.award_resend, name="award-resend"),
]
