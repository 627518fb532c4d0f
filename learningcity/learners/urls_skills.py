"""The learner's skills, mounted at ``/me/skills/``."""

from django.urls import path

from .views import skills as views

urlpatterns = [
    path("", views.skills_page, name="skills"),
    path("declared/add/", views.declared_skill_add_view, name="skills-declared-add"),
    path(
        "declared/<int:skill_id>/remove/",
        views.declared_skill_remove_view,
        name="skills-declared-remove",
    ),
]
