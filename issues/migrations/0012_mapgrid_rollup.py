"""PostgreSQL: the map grid rolled up to (level, cell, status), for the
unfiltered map.

Benchmarked at 1,000,000 reports (issue #3), the whole city at zoom 10 read
~15,000 grid rows (cells × statuses × topic groups × districts) to return
~1,000 clusters: 16 ms, 2.1× the same request at 10,000 reports, and the
map most people open has no topic group or district filter. This table
keeps the same counts per level, cell and status only, so that request
reads a row per cell and status, a number that stops growing once the
city's cells are filled.

It is kept from the grid itself: statement-level triggers on
issues_report_mapgrid add each statement's change of n, sum_x and sum_y
(the grid's own upserts are INSERT … ON CONFLICT DO UPDATE, which fire both
the insert and the update trigger with their own transition tables). The
upserts run in key order, as the grid's do, so concurrent writers cannot
deadlock on the cells. SQLite has none of this (issues.mapgrid counts rows).
"""

from django.db import migrations

GRID = "issues_report_mapgrid"
TABLE = "issues_report_mapcell"


def _upsert(source):
    """Add the signed grid rows of `source` (level, cx, cy, status, n, sum_x, sum_y) to the rollup."""
    return f"""
        INSERT INTO {TABLE} AS c (level, cx, cy, status, n, sum_x, sum_y)
        SELECT level, cx, cy, status, sum(n), sum(sum_x), sum(sum_y)
        FROM ({source}) d
        GROUP BY 1, 2, 3, 4
        HAVING sum(n) <> 0 OR sum(sum_x) <> 0 OR sum(sum_y) <> 0
        ORDER BY 1, 2, 3, 4
        ON CONFLICT (level, cx, cy, status) DO UPDATE
        SET n = c.n + EXCLUDED.n, sum_x = c.sum_x + EXCLUDED.sum_x, sum_y = c.sum_y + EXCLUDED.sum_y
    """  # noqa: S608 - constants of this module only


def _rows(table, sign):
    sql = f"SELECT level, cx, cy, status, {sign} * n AS n, {sign} * sum_x AS sum_x, {sign} * sum_y AS sum_y"
    return f"{sql} FROM {table}"  # noqa: S608 - constants of this module only


def _function(name, source):
    return f"""
        CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            {_upsert(source)};
            RETURN NULL;
        END $$
    """


FORWARD = [
    f"""
    CREATE TABLE {TABLE} (
        level smallint NOT NULL,
        cx integer NOT NULL,
        cy integer NOT NULL,
        status varchar(20) NOT NULL,
        n bigint NOT NULL,
        sum_x double precision NOT NULL,
        sum_y double precision NOT NULL,
        PRIMARY KEY (level, cx, cy, status) INCLUDE (n, sum_x, sum_y)
    )
    """,
    _function("issues_report_mapcell_insert", _rows("new_rows", 1)),
    _function("issues_report_mapcell_update", f"{_rows('new_rows', 1)} UNION ALL {_rows('old_rows', -1)}"),
    _function("issues_report_mapcell_delete", _rows("old_rows", -1)),
    f"""
    CREATE OR REPLACE FUNCTION issues_report_mapcell_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        TRUNCATE {TABLE};
        RETURN NULL;
    END $$
    """,
    f"""CREATE TRIGGER issues_report_mapcell_insert AFTER INSERT ON {GRID}
       REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION issues_report_mapcell_insert()""",
    f"""CREATE TRIGGER issues_report_mapcell_update AFTER UPDATE ON {GRID}
       REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
       FOR EACH STATEMENT EXECUTE FUNCTION issues_report_mapcell_update()""",
    f"""CREATE TRIGGER issues_report_mapcell_delete AFTER DELETE ON {GRID}
       REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION issues_report_mapcell_delete()""",
    f"""CREATE TRIGGER issues_report_mapcell_truncate AFTER TRUNCATE ON {GRID}
       FOR EACH STATEMENT EXECUTE FUNCTION issues_report_mapcell_truncate()""",
    # The grid's rows already there.
    _upsert(_rows(GRID, 1)),
]

BACKWARD = [
    f"DROP TRIGGER IF EXISTS issues_report_mapcell_insert ON {GRID}",
    f"DROP TRIGGER IF EXISTS issues_report_mapcell_update ON {GRID}",
    f"DROP TRIGGER IF EXISTS issues_report_mapcell_delete ON {GRID}",
    f"DROP TRIGGER IF EXISTS issues_report_mapcell_truncate ON {GRID}",
    "DROP FUNCTION IF EXISTS issues_report_mapcell_insert()",
    "DROP FUNCTION IF EXISTS issues_report_mapcell_update()",
    "DROP FUNCTION IF EXISTS issues_report_mapcell_delete()",
    "DROP FUNCTION IF EXISTS issues_report_mapcell_truncate()",
    f"DROP TABLE IF EXISTS {TABLE}",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in FORWARD:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in BACKWARD:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("issues", "0011_mapgrid_covering_index"),
    ]

    operations = [
        migrations.RunPython(forward, backward, elidable=False),
    ]
