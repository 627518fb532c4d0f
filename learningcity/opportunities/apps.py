from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OpportunitiesConfig(AppConfig):
    name = "learningcity.opportunities"
    label = "opportunities"
    verbose_name = "Opportunities"

    def ready(self) -> None:
        # The search index is a table Django has no model for (migration 0002). A database built
        # without migrations (`pytest --no-migrations`) lacks it, and on SQLite a later migration
        # that rebuilds the opportunity table drops its delete trigger: re-ensure both after
        # every migrate. Every statement is idempotent.
        from .search import search_index_ensure

        post_migrate.connect(search_index_ensure, sender=self)
