"""Filled in by the issuing work."""

urlpatterns: list = []
