"""The public map's data: reports in a box, as points at street level and as
grid clusters below it, counted in the database.

The grid is anchored at 0°, 0°; its cells are CELL_PIXELS wide on screen at
the requested zoom, so each zoom's cells nest exactly in the next coarser
zoom's (a cell at zoom z is 2×2 cells at zoom z+1), a cell stays put while
the map is panned, and a cluster always counts its whole cell, also at the
edge of the view.

Two ways to count, with the same answer:

* PostgreSQL keeps the counts per cell, status, topic group and district
  in issues_report_mapgrid, updated by triggers (migrations
  issues/0004_report_mapgrid and 0008), so the whole city is a few thousand
  rows whatever the number of reports; and, for the map with no group or
  district filter, per cell and status only in issues_report_mapcell,
  kept from the grid by its own triggers (0012). The same query reads
  the lone report of each cell that holds one (shown as its point): an
  index scan per such cell, joined laterally, so a clustered view is one
  round trip.
* Otherwise (SQLite) a GROUP BY over the reports in the box: floor(x /
  cell), floor(y / cell) with count and mean position. Never a row per
  report in Python.

At street level (zoom 15 on) the map shows points, unless the box holds
more than MAX_POINTS of them and the zoom is one the grid keeps (15-16):
then it clusters there too, rather than send an arbitrary thousand.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, replace
from functools import reduce
from operator import or_

from django.contrib.gis.geos import Polygon
from django.db import connection
from django.db.models import Avg, Count, FloatField, Func, Q, QuerySet
from django.db.models.functions import Floor

from issues.models import PUBLISHED_STATUSES, STATUS_LABELS, Report, Topic
from issues.topics import copy_holds, current_version, in_transaction
from places.models import District

# Street level: from this zoom on the map shows every report as a point.
POINTS_FROM_ZOOM = 15
MAX_POINTS = 1000
MIN_ZOOM, MAX_ZOOM = 0, 20
# A cluster stands for the reports of a cell this many pixels wide.
CELL_PIXELS = 64
# Web Mercator squeezes a degree of longitude by cos(latitude); at Moscow's
# latitude a cell of dx° × dx·cos(55.75°)° looks square on the map.
LAT_FACTOR = math.cos(math.radians(55.75))
# The levels kept in issues_report_mapgrid (frozen in its migration); a
# coarser zoom regroups the first of them. Beyond the last one a box is small
# enough to show its points.
GRID_TABLE = "issues_report_mapgrid"
ROLLUP_TABLE = "issues_report_mapcell"  # the grid summed over groups and districts
GRID_LEVELS = range(9, 17)


class X(Func):
    function = "ST_X"
    arity = 1
    output_field = FloatField()


class Y(Func):
    function = "ST_Y"
    arity = 1
    output_field = FloatField()


@dataclass(frozen=True)
class Box:
    west: float
    south: float
    east: float
    north: float

    @property
    def polygon(self) -> Polygon:
        return Polygon.from_bbox((self.west, self.south, self.east, self.north))


@dataclass(frozen=True)
class MapQuery:
    """What the map asks for: a box at a zoom, with the filters."""

    box: Box
    zoom: int
    statuses: tuple[str, ...] = PUBLISHED_STATUSES
    group_id: int | None = None  # a topic group
    district_id: int | None = None

    @property
    def clustered(self) -> bool:
        return self.zoom < POINTS_FROM_ZOOM

    def reports(self, box: Box | None = None, boxes: list[Box] | None = None) -> QuerySet[Report]:
        """The published reports in the box (or another one, or any of
        several) that pass the filters. Statuses that are not published are
        dropped."""
        statuses = [s for s in self.statuses if s in PUBLISHED_STATUSES]
        # `&&` on PostGIS (a point's bbox is the point): the GiST index on
        # Report.point serves it at street level; several boxes are a
        # BitmapOr of index scans, each reading only its own cell.
        within = [Q(point__bboverlaps=b.polygon) for b in boxes or [box or self.box]]
        qs = Report.objects.filter(reduce(or_, within), status__in=statuses)
        if self.group_id is not None:
            qs = qs.filter(topic__group_id=self.group_id)
        if self.district_id is not None:
            qs = qs.filter(district_id=self.district_id)
        return qs.order_by()


@dataclass(frozen=True)
class MapPoint:
    id: int
    lon: float
    lat: float
    status: str
    topic: str
    address: str
    district: str

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)


@dataclass(frozen=True)
class Cluster:
    count: int
    lon: float
    lat: float
    bounds: tuple[float, float, float, float]  # the cell: west, south, east, north


@dataclass(frozen=True)
class CellRange:
    """The cells of a zoom that the box touches, inclusive."""

    zoom: int
    x0: int
    x1: int
    y0: int
    y1: int

    @classmethod
    def covering(cls, box: Box, zoom: int) -> CellRange:
        dx, dy = cell_size(zoom)
        return cls(
            zoom,
            math.floor(box.west / dx),
            math.floor(box.east / dx),
            math.floor(box.south / dy),
            math.floor(box.north / dy),
        )

    @property
    def box(self) -> Box:
        dx, dy = cell_size(self.zoom)
        return Box(self.x0 * dx, self.y0 * dy, (self.x1 + 1) * dx, (self.y1 + 1) * dy)

    def cell_of(self, lon: float, lat: float) -> tuple[int, int]:
        dx, dy = cell_size(self.zoom)
        return math.floor(lon / dx), math.floor(lat / dy)

    def holds(self, cx: int, cy: int) -> bool:
        return self.x0 <= cx <= self.x1 and self.y0 <= cy <= self.y1

    def cell_box(self, cx: int, cy: int) -> Box:
        dx, dy = cell_size(self.zoom)
        return Box(cx * dx, cy * dy, (cx + 1) * dx, (cy + 1) * dy)


def cell_size(zoom: int) -> tuple[float, float]:
    """The grid cell at a zoom, in degrees of longitude and latitude."""
    dx = 360.0 / (2**zoom) * CELL_PIXELS / 256
    return dx, dx * LAT_FACTOR


# -- points -----------------------------------------------------------------


def points(reports: QuerySet[Report], limit: int | None = None) -> tuple[list[MapPoint], bool]:
    """Up to `limit` (MAX_POINTS) reports as points, and whether there were
    more. No order: sorting every report in a box to show an arbitrary
    thousand of them would cost more than the rest of the query."""
    limit = MAX_POINTS if limit is None else limit
    rows = list(
        reports.order_by()
        .annotate(lon=X("point"), lat=Y("point"))
        .values_list("pk", "lon", "lat", "status", "topic__name", "address", "district__name")[: limit + 1]
    )
    return [MapPoint(*row) for row in rows[:limit]], len(rows) > limit


def writes_json_in_db() -> bool:
    return connection.vendor == "postgresql"


def points_geojson(
    reports: QuerySet[Report], report_url: str, limit: int | None = None
) -> tuple[str, int, bool]:
    """points() written as the GeoJSON features' array by PostgreSQL:
    (the array's JSON text, how many, whether there were more). The same
    features as issues.views_public._point_feature makes of points(). At
    street level a box holds up to a thousand reports; making a tuple, a
    dict and JSON of each in Python was most of the map's time there.
    PostgreSQL only (writes_json_in_db).

    Each feature is one string concatenation (cheaper in PostgreSQL than
    nested json_build_object), and the topic's and the district's names
    come, already written as JSON, from this process's copy (_names) passed
    as two arrays indexed by id, not from joins. A report whose topic or
    district the copy does not know (one created since) has the query rerun
    with the names read afresh."""
    limit = MAX_POINTS if limit is None else limit
    inner = (
        reports.order_by()
        .annotate(lon=X("point"), lat=Y("point"))
        .values("id", "lon", "lat", "status", "topic_id", "address", "district_id")[: limit + 1]
    )
    inner_sql, inner_params = inner.query.sql_with_params()
    labels = " ".join("WHEN %s THEN %s" for _ in STATUS_LABELS)
    label_params = [part for status, label in STATUS_LABELS.items() for part in (status, _json(label))]
    url_head = _json(report_url)[:-1]  # the opening quote and the prefix, JSON-escaped
    # Only placeholders, constants and the ORM's own SQL are formatted in;
    # values are parameters.
    sql = f"""
        SELECT count(*),
               coalesce('[' || string_agg(
                   '{{"type": "Feature", "id": ' || p.id
                   || ', "geometry": {{"type": "Point", "coordinates": ['
                   || round(p.lon::numeric, 6) || ', ' || round(p.lat::numeric, 6)
                   || ']}}, "properties": {{"kind": "report", "id": ' || p.id
                   || ', "topic": ' || coalesce(p.topic, 'null')
                   || ', "status": ' || to_json(p.status)::text
                   || ', "status_label": ' || CASE p.status {labels} ELSE to_json(p.status)::text END
                   || ', "address": ' || to_json(p.address)::text
                   || ', "district": ' || coalesce(p.district, 'null')
                   || ', "url": ' || %s || p.id || '/"}}}}',
                   ', ') FILTER (WHERE p.n <= %s) || ']', '[]'),
               coalesce(bool_or(p.topic IS NULL
                                OR (p.district_id IS NOT NULL AND p.district IS NULL))
                        FILTER (WHERE p.n <= %s), false)
        FROM (
            SELECT q.*, row_number() OVER () AS n,
                   (%s::text[])[q.topic_id] AS topic, (%s::text[])[q.district_id] AS district
            FROM ({inner_sql}) q
        ) p
    """  # noqa: S608
    names = _names()
    for fresh in (names.fresh, True):
        params = [*label_params, url_head, limit, limit, names.topics, names.districts, *inner_params]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            found, features, unknown = cursor.fetchone()
        if not unknown or fresh:
            break
        names = _names(refresh=True)
    return features, min(found, limit), found > limit


def _json(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


@dataclass(frozen=True)
class _Names:
    """The topics' and districts' names as JSON strings, each as a PostgreSQL
    text[] literal indexed by id (NULL where there is no such id)."""

    version: str | None  # the topic catalog's (issues.topics.current_version)
    read_at: float
    topics: str
    districts: str
    fresh: bool = False  # read by this call


_names_copy: _Names | None = None
NAMES_MAX_AGE = 300.0  # seconds; a district renamed shows its new name after this at most


def _names(refresh: bool = False) -> _Names:
    """This process's copy of the names: kept while the topic catalog's
    version is the copy's (a topic renamed moves it) and for NAMES_MAX_AGE
    at most; read afresh each time when the version cannot be read (Redis
    away) or when a report names an id the copy does not have."""
    global _names_copy
    version = current_version()
    copy, now = _names_copy, time.monotonic()
    if not refresh and copy is not None and copy_holds(copy.version, copy.read_at, version, NAMES_MAX_AGE):
        return copy
    copy = _Names(
        version,
        now,
        _array_literal(Topic.objects.values_list("pk", "name")),
        _array_literal(District.objects.values_list("pk", "name")),
        fresh=True,
    )
    kept = version is not None and not in_transaction()
    _names_copy = replace(copy, fresh=False) if kept else None
    return copy


def _array_literal(rows) -> str:
    """{id: name} as a text[] literal of the names written as JSON, indexed
    by id: `[first:last]={...}`, NULL for an id between them that is gone."""
    by_pk = {pk: _json(name) for pk, name in rows}
    if not by_pk:
        return "{}"
    first, last = min(by_pk), max(by_pk)
    quoted = (
        '"' + by_pk[i].replace("\\", "\\\\").replace('"', '\\"') + '"' if i in by_pk else "NULL"
        for i in range(first, last + 1)
    )
    return f"[{first}:{last}]={{{','.join(quoted)}}}"


# -- clusters ---------------------------------------------------------------


def uses_grid_table(query: MapQuery) -> bool:
    return connection.vendor == "postgresql" and query.zoom < GRID_LEVELS.stop


@dataclass(frozen=True)
class Counted:
    """A box's counted cells: (cx, cy, n, mean lon, mean lat) each, and,
    where the same query read them, the lone report of each cell holding
    one (else None: they are read by _single_reports)."""

    cells: list[tuple[int, int, int, float, float]]
    lone: dict[tuple[int, int], MapPoint] | None = None

    @property
    def total(self) -> int:
        return sum(n for _, _, n, _, _ in self.cells)


def street_level_cells(query: MapQuery) -> Counted | None:
    """At zoom 15-16: the counted cells of the box when it holds more reports
    than the map shows as points (to be clustered), else None (show the
    points). On PostgreSQL the grid's counts decide and, in the same query,
    the lone reports of the single cells are read when it clusters. Cells
    may stick out of the box a little, which only tips a borderline box into
    clusters."""
    if query.clustered or query.zoom >= GRID_LEVELS.stop:
        return None
    cells = CellRange.covering(query.box, query.zoom)
    if uses_grid_table(query):
        counted = _grid_cells_and_lone_reports(query, cells, over=MAX_POINTS)
        return counted if counted.total > MAX_POINTS else None
    if query.reports()[: MAX_POINTS + 1].count() <= MAX_POINTS:
        return None
    return Counted(_cells_from_reports(query, cells))


def clusters(query: MapQuery, counted: Counted | None = None) -> tuple[list[Cluster], list[MapPoint]]:
    """The reports of the cells the box touches, grouped by cell: the cells
    holding several reports as clusters, those holding one as its point.
    `counted`: the cells already counted (street_level_cells)."""
    cells = CellRange.covering(query.box, query.zoom)
    if counted is None:
        counted = (
            _grid_cells_and_lone_reports(query, cells)
            if uses_grid_table(query)
            else Counted(_cells_from_reports(query, cells))
        )
    grouped, singles = [], []
    for cx, cy, count, lon, lat in counted.cells:
        if count == 1:
            singles.append((cx, cy))
        elif count > 1:
            bounds = cells.cell_box(cx, cy)
            grouped.append(Cluster(count, lon, lat, (bounds.west, bounds.south, bounds.east, bounds.north)))
    if counted.lone is not None:
        return grouped, [counted.lone[cell] for cell in singles if cell in counted.lone]
    return grouped, _single_reports(query, cells, singles)


def _cells_from_reports(query: MapQuery, cells: CellRange) -> list[tuple[int, int, int, float, float]]:
    dx, dy = cell_size(query.zoom)
    rows = (
        query.reports(cells.box)
        .annotate(cx=Floor(X("point") / dx), cy=Floor(Y("point") / dy))
        .values("cx", "cy")
        .annotate(n=Count("pk"), lon=Avg(X("point")), lat=Avg(Y("point")))
        .values_list("cx", "cy", "n", "lon", "lat")
    )
    # A point on the far edge of the last cell belongs to the next one.
    return [(int(cx), int(cy), n, lon, lat) for cx, cy, n, lon, lat in rows if cells.holds(int(cx), int(cy))]


def _grid_sql(query: MapQuery, cells: CellRange) -> tuple[str, dict]:
    """The cells of the box counted from the grid table (or its rollup when
    no group or district is asked for), as SQL and its parameters."""
    level = max(query.zoom, GRID_LEVELS.start)
    shift = level - query.zoom  # a cell at `zoom` is 2^shift × 2^shift cells at `level`
    by_group = "AND group_id = %(group)s" if query.group_id is not None else ""
    by_district = "AND district_id = %(district)s" if query.district_id is not None else ""
    table = GRID_TABLE if by_group or by_district else ROLLUP_TABLE
    sql = f"""
        SELECT cx >> %(shift)s AS cx, cy >> %(shift)s AS cy, sum(n)::bigint AS n,
               sum(sum_x) AS sum_x, sum(sum_y) AS sum_y
        FROM {table}
        WHERE level = %(level)s AND status = ANY(%(statuses)s) {by_group} {by_district}
          AND cx BETWEEN %(cx0)s AND %(cx1)s AND cy BETWEEN %(cy0)s AND %(cy1)s
        GROUP BY 1, 2
        HAVING sum(n) > 0
    """  # noqa: S608 - the table name and the clauses are constants; every value is a parameter
    params = {
        "shift": shift,
        "level": level,
        "statuses": [s for s in query.statuses if s in PUBLISHED_STATUSES],
        "group": query.group_id,
        "district": query.district_id,
        "cx0": cells.x0 << shift,
        "cx1": ((cells.x1 + 1) << shift) - 1,
        "cy0": cells.y0 << shift,
        "cy1": ((cells.y1 + 1) << shift) - 1,
    }
    return sql, params


def _cells_from_grid_table(query: MapQuery, cells: CellRange) -> list[tuple[int, int, int, float, float]]:
    sql, params = _grid_sql(query, cells)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(cx, cy, int(n), sx / n, sy / n) for cx, cy, n, sx, sy in cursor.fetchall()]


def _grid_cells_and_lone_reports(query: MapQuery, cells: CellRange, over: int = -1) -> Counted:
    """The grid's counted cells and, in the same query, the one report of
    each cell that holds one: an index scan of the report's point inside
    that cell's box (GiST, `&&`), joined laterally per single cell. With
    `over`, the reports are only looked up when the box holds more than
    that many (else the caller shows the box's points instead)."""
    grid_sql, params = _grid_sql(query, cells)
    dx, dy = cell_size(query.zoom)
    report, topic = Report._meta.db_table, Topic._meta.db_table
    district = District._meta.db_table
    by_group = "AND t.group_id = %(group)s" if query.group_id is not None else ""
    by_district = "AND r.district_id = %(district)s" if query.district_id is not None else ""
    sql = f"""
        WITH c AS ({grid_sql})
        SELECT c.cx, c.cy, c.n, c.sum_x, c.sum_y,
               p.id, p.lon, p.lat, p.status, p.topic, p.address, p.district
        FROM c LEFT JOIN LATERAL (
            SELECT r.id, ST_X(r.point) AS lon, ST_Y(r.point) AS lat, r.status,
                   t.name AS topic, r.address, d.name AS district
            FROM {report} r
            JOIN {topic} t ON t.id = r.topic_id
            LEFT JOIN {district} d ON d.id = r.district_id
            WHERE c.n = 1 AND (SELECT sum(n) FROM c) > %(over)s
              AND r.point && ST_MakeEnvelope(
                    c.cx * %(dx)s, c.cy * %(dy)s, (c.cx + 1) * %(dx)s, (c.cy + 1) * %(dy)s, 4326)
              AND floor(ST_X(r.point) / %(dx)s) = c.cx AND floor(ST_Y(r.point) / %(dy)s) = c.cy
              AND r.status = ANY(%(statuses)s) {by_group} {by_district}
            LIMIT 1
        ) p ON true
    """  # noqa: S608 - table names and clauses are constants; every value is a parameter
    params |= {"dx": dx, "dy": dy, "over": over}
    counted, lone = [], {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for cx, cy, n, sx, sy, *point in cursor.fetchall():
            counted.append((cx, cy, int(n), sx / n, sy / n))
            if point[0] is not None:
                lone[(cx, cy)] = MapPoint(*point)
    return Counted(counted, lone)


def _single_reports(query: MapQuery, cells: CellRange, singles: list[tuple[int, int]]) -> list[MapPoint]:
    """The one report of each of these cells, in one query."""
    if not singles:
        return []
    wanted = set(singles)
    boxes = [cells.cell_box(cx, cy) for cx, cy in singles]
    candidates, _ = points(query.reports(boxes=boxes), limit=4 * len(singles))
    # A point on a shared cell edge touches both boxes: keep it in its own.
    return [p for p in candidates if cells.cell_of(p.lon, p.lat) in wanted]
