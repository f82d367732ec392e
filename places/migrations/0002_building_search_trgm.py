"""A trigram index on Building.search_text for the address suggestions
(places.search): every query term is a LIKE '% term%' on that column, which
a B-tree cannot serve. Measured over the 33k buildings on PostgreSQL 15: a
sequential scan takes ~25 ms per query, the GIN index ~1 ms.

PostgreSQL only (pg_trgm); SQLite keeps scanning. The index is created by SQL
outside the model state on purpose: it exists on one database vendor only.
pg_trgm is a trusted extension, so the database owner may create it.
"""

from django.db import migrations

INDEX = "building_search_text_trgm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON places_building USING gin (search_text gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("places", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
