"""PostgreSQL: a GiST index on (point, status) for the public map's street
level with a status filter (issues.mapgrid.points: point && box AND status =
…). With the plain GiST index on point alone the planner ANDed it with a
B-tree on status and read every report of that status: at a million reports,
«Решено» in a street view took ~107 ms in the database; with this index
~3.5 ms (EXPLAIN ANALYZE, the bench_public_map street box).

PostgreSQL only (btree_gist, a trusted extension, gives GiST its B-tree
operators for the status column). Built CONCURRENTLY, outside a transaction,
so that a big table keeps taking writes meanwhile. Not in the model state on
purpose: it exists on one database vendor only.
"""

from django.db import migrations

INDEX = "report_point_status_gist"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON issues_report USING gist (point, status)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("issues", "0005_event_escalation_index"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
