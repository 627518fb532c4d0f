"""Public, permanent URLs (docs/urls.md). Printed on certificates: never change them."""

from django.urls import path

from .views import public as views

urlpatterns = [
    path("awards/<str:public_id>/", views.award_page, name="award-page"),
    path("awards/<str:public_id>/credential.json", views.award_ob3, name="award-ob3"),
    path("awards/<str:public_id>/credential.jwt", views.award_jwt, name="award-jwt"),
    path("awards/<str:public_id>/ob2.json", views.award_ob2, name="award-ob2"),
    path("awards/<str:public_id>/badge.png", views.award_png, name="award-png"),
    path("awards/<str:public_id>/badge.svg", views.award_svg, name="award-svg"),
    path("awards/<str:public_id>/ob2-badge.png", views.award_ob2_png, name="award-ob2-png"),
    path("awards/<str:public_id>/ob2-badge.svg", views.award_ob2_svg, name="award-ob2-svg"),
    path("badge-classes/<str:public_id>/", views.badge_class_page, name="badge-class-page"),
    path("badge-classes/<str:public_id>/ob2.json", views.badge_class_ob2, name="badge-class-ob2"),
    path(
        "badge-classes/<str:public_id>/image.png",
        views.badge_class_image_png,
        name="badge-class-image-png",
    ),
    path(
        "badge-classes/<str:public_id>/image.svg",
        views.badge_class_image_svg,
        name="badge-class-image-svg",
    ),
    path("endorsements/<str:public_id>", views.endorsement, name="endorsement"),
    path("issuers/<str:public_id>/", views.issuer_page, name="issuer-page"),
    path("issuers/<str:public_id>/did.json", views.issuer_did_document, name="issuer-did"),
    path("issuers/<str:public_id>/jwks.json", views.issuer_jwks, name="issuer-jwks"),
    path("issuers/<str:public_id>/keys/<str:key_id>", views.issuer_key_document, name="issuer-key"),
    path(
        "issuers/<str:public_id>/status/<str:list_id>",
        views.issuer_status_list,
        name="issuer-status-list",
    ),
    path("issuers/<str:public_id>/ob2.json", views.issuer_ob2, name="issuer-ob2"),
    path(
        "issuers/<str:public_id>/ob2-revocations.json",
        views.issuer_ob2_revocations,
        name="issuer-ob2-revocations",
    ),
]
