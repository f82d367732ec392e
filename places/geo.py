"""Where is a point: the one function every part of the portal uses."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models.signals import post_delete, post_save

from places.models import District, Okrug

# A generous box around Moscow with New Moscow and Zelenograd. A point outside
# it is refused without a query; inside it the boundaries decide.
MOSCOW_BBOX = (36.75, 55.05, 38.0, 56.1)  # west, south, east, north


@dataclass(frozen=True)
class Location:
    district: District
    okrug: Okrug


class OutsideMoscow(ValidationError):
    def __init__(self):
        super().__init__(
            "Точка находится за пределами Москвы. Отметьте место в границах города.",
            code="outside_moscow",
        )


def make_point(lon: float, lat: float) -> Point:
    return Point(float(lon), float(lat), srid=4326)


def in_moscow_bbox(point: Point) -> bool:
    west, south, east, north = MOSCOW_BBOX
    return west <= point.x <= east and south <= point.y <= north


def locate(point: Point) -> Location | None:
    """The district and okrug that cover the point, or None outside Moscow.

    A point exactly on a boundary is covered by both neighbours; the lower
    id wins, so the answer is the same every time.

    Every report, map click and address search calls this, so it is one
    plain SQL query for the district's columns (not its boundary), and the
    okrug comes from a small in-process cache (see _LocateQuery, _OkrugCache).
    The objects returned have `boundary` deferred.
    """
    if point.srid not in (None, 4326):
        point = point.transform(4326, clone=True)
    x, y = point.coords[:2]  # one call into GEOS instead of four
    west, south, east, north = MOSCOW_BBOX
    if not (west <= x <= east and south <= y <= north):
        return None
    district = _locate_query(connection).run(connection, x, y)
    if district is None:
        return None
    okrug = _okrugs.get(connection.alias, district.okrug_id)
    district.okrug = okrug
    return Location(district=district, okrug=okrug)


class _LocateQuery:
    """SELECT the covering district's plain columns, lowest id first.

    The ORM version (filter(boundary__covers=…).select_related("okrug")
    .first()) ran at ~400 lookups/s per core on PostGIS and ~150/s on
    SpatiaLite: building the query in Python, then fetching and parsing two
    big polygons per hit took most of the time. This text is built once per
    process; joining the okrug cost the server another ~40%, hence the cache.
    """

    def __init__(self, connection):
        qn = connection.ops.quote_name
        self.fields = _plain_fields(District)
        self.names = [f.attname for f in self.fields]
        boundary = qn(District._meta.get_field("boundary").column)
        if connection.vendor == "postgresql":
            # The && inside ST_Covers uses the GiST index on the boundary.
            covers = f"ST_Covers({boundary}, ST_SetSRID(ST_MakePoint(%s, %s), 4326))"
            self.params = lambda x, y: [x, y]
        elif connection.vendor == "sqlite":
            # SpatiaLite's R*Tree is of no use here (migrations rebuild the
            # table and leave its index disabled); the bounding box kept in
            # each geometry's header is cheap to test first.
            covers = (
                f"MbrIntersects({boundary}, MakePoint(%s, %s, 4326)) "
                f"AND ST_Covers({boundary}, MakePoint(%s, %s, 4326))"
            )
            self.params = lambda x, y: [x, y, x, y]
        else:
            raise NotImplementedError(f"locate() does not support {connection.vendor}")
        # Only names from the model's meta go into the text; the point is a parameter.
        columns = ", ".join(qn(f.column) for f in self.fields)
        self.sql = (
            f"SELECT {columns} FROM {qn(District._meta.db_table)} "  # noqa: S608
            f"WHERE {covers} ORDER BY {qn(District._meta.pk.column)} LIMIT 1"
        )
        self.converters = _converters(self.fields, connection)

    def run(self, connection, x: float, y: float) -> District | None:
        with connection.cursor() as cursor:
            cursor.execute(self.sql, self.params(x, y))
            row = cursor.fetchone()
        if row is None:
            return None
        return District.from_db(connection.alias, self.names, _convert(row, self.converters, connection))


class _OkrugCache:
    """The twelve okrugs' plain columns, per database, in this process.

    Okrugs change only when the reference data is reimported: a save or
    delete in this process forgets them at once, other processes reread
    them within MAX_AGE seconds. Each call gets a fresh Okrug instance, so a
    caller that changes one changes nobody else's.
    """

    MAX_AGE = 300.0

    def __init__(self):
        self._by_alias: dict[str, tuple[float, dict[int, tuple]]] = {}

    def get(self, alias: str, okrug_id: int) -> Okrug:
        loaded_at, rows = self._by_alias.get(alias, (0.0, {}))
        row = rows.get(okrug_id)
        if row is None or time.monotonic() - loaded_at > self.MAX_AGE:
            rows = self._load(alias)
            row = rows[okrug_id]
        return Okrug.from_db(alias, _OKRUG_NAMES, row)

    def _load(self, alias: str) -> dict[int, tuple]:
        rows = {row[_OKRUG_PK]: row for row in Okrug.objects.using(alias).values_list(*_OKRUG_NAMES)}
        # One assignment: a thread reading meanwhile sees the old or the new dict.
        self._by_alias[alias] = (time.monotonic(), rows)
        return rows

    def forget(self, **kwargs) -> None:
        self._by_alias = {}


def _plain_fields(model) -> list:
    return [f for f in model._meta.concrete_fields if not isinstance(f, GeometryField)]


def _converters(fields: list, connection) -> list:
    """The backend's value converters (dates on SQLite and the like): none
    for today's columns, but a new field must not come back unconverted."""
    found = []
    for i, field in enumerate(fields):
        col = field.get_col(field.model._meta.db_table)
        converters = field.get_db_converters(connection) + connection.ops.get_db_converters(col)
        if converters:
            found.append((i, col, converters))
    return found


def _convert(row: tuple, converters: list, connection) -> tuple:
    if not converters:
        return row
    values = list(row)
    for i, expression, functions in converters:
        for convert in functions:
            values[i] = convert(values[i], expression, connection)
    return tuple(values)


_OKRUG_NAMES = [f.attname for f in _plain_fields(Okrug)]
_OKRUG_PK = _OKRUG_NAMES.index(Okrug._meta.pk.attname)
_okrugs = _OkrugCache()
post_save.connect(_okrugs.forget, sender=Okrug, dispatch_uid="places.geo.forget_okrugs")
post_delete.connect(_okrugs.forget, sender=Okrug, dispatch_uid="places.geo.forget_okrugs")

_queries: dict[tuple[str, str], _LocateQuery] = {}


def _locate_query(connection) -> _LocateQuery:
    key = (connection.alias, connection.vendor)
    query = _queries.get(key)
    if query is None:
        query = _queries[key] = _LocateQuery(connection)
    return query


def require_location(point: Point) -> Location:
    """Like locate(), but a point outside Moscow is a validation error."""
    location = locate(point)
    if location is None:
        raise OutsideMoscow()
    return location


class DistrictIndex:
    """All district boundaries in memory, prepared for fast point tests: for
    bulk work (imports, the city generator) where one query per point is too
    slow. Gives the same answer as locate() (lowest id among covering)."""

    def __init__(self):
        self._entries = [
            (d.boundary.extent, d.boundary.prepared, d)
            for d in District.objects.select_related("okrug").order_by("pk")
        ]

    def locate(self, point: Point) -> Location | None:
        x, y = point.x, point.y
        for (west, south, east, north), prepared, district in self._entries:
            if west <= x <= east and south <= y <= north and prepared.covers(point):
                return Location(district=district, okrug=district.okrug)
        return None
