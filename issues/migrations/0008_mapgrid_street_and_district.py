"""PostgreSQL: the map grid gains street levels 15-16 and the district.

Benchmarked at 1,000,000 reports (issue #3), two map requests grew with the
data: a street-level box in the centre returned 1,000 capped points (10x the
rows and bytes of the same box at 10,000 reports), and a district filter
counted the reports, because the grid had no district. The grid now keeps
levels 9-16, so the map clusters a street-level box that holds more than it
can show, and the district is part of each row's key, so a district filter
reads the grid too.

The table is rebuilt from the reports with 0004's frozen builders.
"""

import importlib

from django.db import migrations

grid_0004 = importlib.import_module("issues.migrations.0004_report_mapgrid")

LEVELS = range(9, 17)
EXTRA = ("district_id",)
PUBLISHED = grid_0004.PUBLISHED
cell_size = grid_0004.cell_size


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in grid_0004.BACKWARD + grid_0004.forward_sql(LEVELS, EXTRA):
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in grid_0004.BACKWARD + grid_0004.FORWARD:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("issues", "0007_scheduler_indexes"),
    ]

    operations = [
        migrations.RunPython(forward, backward, elidable=False),
    ]
