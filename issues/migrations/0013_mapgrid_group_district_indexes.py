"""PostgreSQL: the map grid indexed by topic group and by district, for the
filtered map.

Benchmarked at 1,000,000 reports (issue #3), the map filtered by a district
(the whole city at zoom 12) read every level-12 grid row of the box, 44,000
of them, to keep that district's few hundred: 4.2 ms against 2.3 ms at
10,000 reports; filtered by a topic group, 5.4 ms against 3.4. With the
filter's column right after the level, each reads only its own rows: 2.0
and 3.2 ms. Covering (INCLUDE), so the grid's heap is not read.
"""

from django.db import migrations

GRID = "issues_report_mapgrid"

FORWARD = [
    f"""CREATE INDEX IF NOT EXISTS mapgrid_by_district ON {GRID} (level, district_id, cx, cy)
        INCLUDE (status, group_id, n, sum_x, sum_y)""",
    f"""CREATE INDEX IF NOT EXISTS mapgrid_by_group ON {GRID} (level, group_id, cx, cy)
        INCLUDE (status, district_id, n, sum_x, sum_y)""",
]
BACKWARD = ["DROP INDEX IF EXISTS mapgrid_by_district", "DROP INDEX IF EXISTS mapgrid_by_group"]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("issues", "0012_mapgrid_rollup"),
    ]

    operations = [
        migrations.RunPython(forward, backward, elidable=False),
    ]
