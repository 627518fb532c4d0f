"""The opportunities' full-text index, one table per database engine (see ``opportunities.search``).

- SQLite: an FTS5 virtual table whose ``rowid`` is the opportunity's id, with three columns ranked
  by ``bm25`` weights (title, then summary + topics + organisation, then description). The Porter
  stemmer makes “paint” find “painting”, as PostgreSQL's English configuration does.
- PostgreSQL: a plain table holding a weighted ``tsvector`` per opportunity (A title, B summary +
  topics + organisation, C description) with a GIN index, and the opportunity's city.

On both, a delete trigger removes an opportunity's row when the opportunity is deleted.

Both are written only by ``opportunities.search``; Django has no model for them.
"""

from django.db import migrations

SQLITE_CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS opportunities_search "
    "USING fts5(title, summary, body, tokenize='porter unicode61')",
    "CREATE TRIGGER IF NOT EXISTS opportunities_search_forget "
    "AFTER DELETE ON opportunities_opportunity "
    "BEGIN DELETE FROM opportunities_search WHERE rowid = OLD.id; END",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS opportunities_search_forget",
    "DROP TABLE IF EXISTS opportunities_search",
)

# No foreign key: Django's test flush TRUNCATEs the model tables without CASCADE, which a
# table referencing them would refuse. A delete trigger gives ON DELETE CASCADE's effect.
POSTGRES_CREATE = (
    "CREATE TABLE IF NOT EXISTS opportunities_search ("
    " opportunity_id bigint PRIMARY KEY,"
    " city_id bigint NOT NULL,"
    " document tsvector NOT NULL"
    ")",
    "CREATE INDEX IF NOT EXISTS opportunities_search_document_gin "
    "ON opportunities_search USING gin (document)",
    # A common word matches a large share of all cities' rows; searching one city's rows only
    # is then the cheaper plan.
    "CREATE INDEX IF NOT EXISTS opportunities_search_city "
    "ON opportunities_search (city_id)",
    "CREATE OR REPLACE FUNCTION opportunities_search_forget() RETURNS trigger AS $$ "
    "BEGIN DELETE FROM opportunities_search WHERE opportunity_id = OLD.id; RETURN OLD; END "
    "$$ LANGUAGE plpgsql",
    "DROP TRIGGER IF EXISTS opportunities_search_forget ON opportunities_opportunity",
    "CREATE TRIGGER opportunities_search_forget AFTER DELETE ON opportunities_opportunity "
    "FOR EACH ROW EXECUTE FUNCTION opportunities_search_forget()",
)
POSTGRES_DROP = (
    "DROP TRIGGER IF EXISTS opportunities_search_forget ON opportunities_opportunity",
    "DROP FUNCTION IF EXISTS opportunities_search_forget()",
    "DROP TABLE IF EXISTS opportunities_search",
)


def create_index_table(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}.get(vendor, ())
    for statement in statements:
        schema_editor.execute(statement)


def drop_index_table(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}.get(vendor, ())
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("opportunities", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_index_table, drop_index_table),
    ]
