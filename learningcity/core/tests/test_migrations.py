from django.core.management import call_command


def test_the_models_and_their_migrations_agree(db):
    # Fails (SystemExit) when a model changed without a migration.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
