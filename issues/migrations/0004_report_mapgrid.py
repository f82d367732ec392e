"""PostgreSQL: published reports counted per map grid cell, kept by triggers.

The public map clusters reports below street level (issues.mapgrid). Counting
them with a GROUP BY over issues_report reads every report in view: with a
million reports the city at zoom 10 took ~0.5-2.5 s however it was indexed
(EXPLAIN ANALYZE: a sequential scan of 1M rows plus a hash aggregate). This
table holds, for each cluster level 9-14 (coarser zooms regroup level 9),
each cell, published status and topic group, the number of reports and the
sums of their coordinates, so the city takes a few thousand rows instead.

Statement-level triggers with transition tables keep it exact and current in
the same transaction as the change (a bulk INSERT of 50,000 reports is one
grouped upsert per statement, not 50,000). The upserts run in key order, so
that two transactions changing reports cannot deadlock on the cells.

The grid's constants (levels, cell sizes, published statuses) are frozen here
on purpose: issues.tests.test_public_mapgrid checks that they match
issues.mapgrid; change either only with a new migration that rebuilds.

SQLite has none of this: issues.mapgrid counts the rows there.
"""

import math

from django.db import migrations

TABLE = "issues_report_mapgrid"
LEVELS = range(9, 15)
CELL_PIXELS = 64
LAT_FACTOR = math.cos(math.radians(55.75))
PUBLISHED = ("in_work", "answer_review", "answered", "disputed", "resolved")


def cell_size(level):
    dx = 360.0 / (2**level) * CELL_PIXELS / 256
    return dx, dx * LAT_FACTOR


def _levels_sql(levels):
    return ", ".join(
        f"({level}, {cell_size(level)[0]!r}::float8, {cell_size(level)[1]!r}::float8)" for level in levels
    )


def _published_sql():
    return ", ".join(f"'{status}'" for status in PUBLISHED)


# The grid's key: this migration keeps (level, cell, status, group); 0008
# adds the district. The builders below take the levels and the extra key
# columns so that 0008 reuses them frozen, instead of a drifting copy.
def _upsert(source, levels=LEVELS, extra=()):
    """Add the signed rows of `source` (point, status, group_id, [extra...], sign) to the grid."""
    keys = ", ".join(("status", "group_id", *extra))
    picked = ", ".join(f"d.{key}" for key in ("status", "group_id", *extra))
    groups = ", ".join(str(i) for i in range(1, 6 + len(extra)))
    return f"""
        INSERT INTO {TABLE} AS g (level, cx, cy, {keys}, n, sum_x, sum_y)
        SELECT l.level, floor(ST_X(d.point) / l.dx)::int, floor(ST_Y(d.point) / l.dy)::int, {picked},
               sum(d.sign), sum(d.sign * ST_X(d.point)), sum(d.sign * ST_Y(d.point))
        FROM ({source}) d
        CROSS JOIN (VALUES {_levels_sql(levels)}) AS l(level, dx, dy)
        WHERE d.status IN ({_published_sql()})
        GROUP BY {groups}
        HAVING sum(d.sign) <> 0 OR sum(d.sign * ST_X(d.point)) <> 0 OR sum(d.sign * ST_Y(d.point)) <> 0
        ORDER BY {groups}
        ON CONFLICT (level, cx, cy, {keys}) DO UPDATE
        SET n = g.n + EXCLUDED.n, sum_x = g.sum_x + EXCLUDED.sum_x, sum_y = g.sum_y + EXCLUDED.sum_y
    """  # noqa: S608 - constants of this module only


def _rows(table, sign, where="TRUE", extra=()):
    """The rows of a transition table with their topic's group."""
    columns = "".join(f"r.{key}, " for key in extra)
    select = f"SELECT r.point, r.status, t.group_id, {columns}{sign} AS sign FROM {table} r "  # noqa: S608
    return select + f"JOIN issues_topic t ON t.id = r.topic_id WHERE {where}"


# An update changes the grid only when it changes a report's status, point
# or topic: most updates touch other columns (deadlines, reminders), and
# -x + x in floating point is not always 0 once summed with other rows.
_CHANGED = """NOT EXISTS (
    SELECT 1 FROM {other} s WHERE s.id = r.id AND s.status = r.status AND s.topic_id = r.topic_id{same_extra}
    AND ST_X(s.point) = ST_X(r.point) AND ST_Y(s.point) = ST_Y(r.point))"""


def _changed(other, extra):
    return _CHANGED.format(other=other, same_extra="".join(f" AND s.{key} = r.{key}" for key in extra))


def _function(name, source, levels=LEVELS, extra=()):
    return f"""
        CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            {_upsert(source, levels, extra)};
            RETURN NULL;
        END $$
    """


def _topic_moved_sql(extra):
    """A topic's reports, out of its old group and into its new one."""
    columns = "".join(f", {key}" for key in extra)
    moved_out = f"SELECT point, status, OLD.group_id AS group_id{columns}, -1 AS sign FROM issues_report"  # noqa: S608
    moved_in = f"SELECT point, status, NEW.group_id{columns}, 1 FROM issues_report"  # noqa: S608
    return f"{moved_out} WHERE topic_id = NEW.id UNION ALL {moved_in} WHERE topic_id = NEW.id"


def forward_sql(levels=LEVELS, extra=()):
    """The table, its triggers and its first fill, for these levels and key."""
    extra_columns = "".join(f"        {key} bigint NOT NULL,\n" for key in extra)
    extra_keys = "".join(f", {key}" for key in extra)
    return [
        f"""
    CREATE TABLE {TABLE} (
        level smallint NOT NULL,
        cx integer NOT NULL,
        cy integer NOT NULL,
        status varchar(20) NOT NULL,
        group_id bigint NOT NULL,
{extra_columns}        n bigint NOT NULL,
        sum_x double precision NOT NULL,
        sum_y double precision NOT NULL,
        PRIMARY KEY (level, cx, cy, status, group_id{extra_keys})
    )
    """,
        _function("issues_report_mapgrid_insert", _rows("new_rows", 1, extra=extra), levels, extra),
        _function(
            "issues_report_mapgrid_update",
            _rows("new_rows", 1, _changed("old_rows", extra), extra)
            + " UNION ALL "
            + _rows("old_rows", -1, _changed("new_rows", extra), extra),
            levels,
            extra,
        ),
        _function("issues_report_mapgrid_delete", _rows("old_rows", -1, extra=extra), levels, extra),
        f"""
    CREATE OR REPLACE FUNCTION issues_report_mapgrid_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        TRUNCATE {TABLE};
        RETURN NULL;
    END $$
    """,
        # A topic moved to another group (the administrator's catalog): its
        # reports move with it.
        _function("issues_report_mapgrid_topic_group", _topic_moved_sql(extra), levels, extra),
        """CREATE TRIGGER issues_report_mapgrid_insert AFTER INSERT ON issues_report
       REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION issues_report_mapgrid_insert()""",
        """CREATE TRIGGER issues_report_mapgrid_update AFTER UPDATE ON issues_report
       REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
       FOR EACH STATEMENT EXECUTE FUNCTION issues_report_mapgrid_update()""",
        """CREATE TRIGGER issues_report_mapgrid_delete AFTER DELETE ON issues_report
       REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION issues_report_mapgrid_delete()""",
        """CREATE TRIGGER issues_report_mapgrid_truncate AFTER TRUNCATE ON issues_report
       FOR EACH STATEMENT EXECUTE FUNCTION issues_report_mapgrid_truncate()""",
        """CREATE TRIGGER issues_report_mapgrid_topic_group AFTER UPDATE OF group_id ON issues_topic
       FOR EACH ROW WHEN (OLD.group_id IS DISTINCT FROM NEW.group_id)
       EXECUTE FUNCTION issues_report_mapgrid_topic_group()""",
        # The reports already there.
        _upsert(_rows("issues_report", 1, extra=extra), levels, extra),
    ]


FORWARD = forward_sql()

BACKWARD = [
    "DROP TRIGGER IF EXISTS issues_report_mapgrid_insert ON issues_report",
    "DROP TRIGGER IF EXISTS issues_report_mapgrid_update ON issues_report",
    "DROP TRIGGER IF EXISTS issues_report_mapgrid_delete ON issues_report",
    "DROP TRIGGER IF EXISTS issues_report_mapgrid_truncate ON issues_report",
    "DROP TRIGGER IF EXISTS issues_report_mapgrid_topic_group ON issues_topic",
    "DROP FUNCTION IF EXISTS issues_report_mapgrid_insert()",
    "DROP FUNCTION IF EXISTS issues_report_mapgrid_update()",
    "DROP FUNCTION IF EXISTS issues_report_mapgrid_delete()",
    "DROP FUNCTION IF EXISTS issues_report_mapgrid_truncate()",
    "DROP FUNCTION IF EXISTS issues_report_mapgrid_topic_group()",
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
        ("issues", "0003_report_life"),
    ]

    operations = [
        migrations.RunPython(forward, backward, elidable=False),
    ]
