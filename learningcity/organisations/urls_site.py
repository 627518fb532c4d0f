"""Organisation pages outside one city's ``/<city_slug>/organisations/`` tree.

The root URLconf includes these before the generic ``<slug:city_slug>/`` routes, so
``/<city>/admin/organisations/`` is matched here first.
"""

from django.urls import path

from . import views

urlpatterns = [
    path("invitations/<str:token>/", views.invitation, name="invitation-accept"),
    path(
        "<slug:city_slug>/admin/organisations/",
        views.city_admin_queue,
        name="city-admin-organisations",
    ),
    path(
        "<slug:city_slug>/admin/organisations/<str:public_id>/approve/",
        views.city_admin_approve,
        name="city-admin-organisation-approve",
    ),
    path(
        "<slug:city_slug>/admin/organisations/<str:public_id>/suspend/",
        views.city_admin_suspend,
        name="city-admin-organisation-suspend",
    ),
    path(
        "<slug:city_slug>/admin/organisations/<str:public_id>/trust/",
        views.city_admin_trust,
        name="city-admin-organisation-trust",
    ),
    path(
        "<slug:city_slug>/admin/organisations/<str:public_id>/reinstate/",
        views.city_admin_reinstate,
        name="city-admin-organisation-reinstate",
    ),
]
