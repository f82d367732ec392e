"""Where is a point: the one function every part of the portal uses."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError

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
    """
    if point.srid not in (None, 4326):
        point = point.transform(4326, clone=True)
    if not in_moscow_bbox(point):
        return None
    district = (
        District.objects.filter(boundary__covers=point)
        .select_related("okrug")
        .order_by("pk")
        .first()
    )
    if district is None:
        return None
    return Location(district=district, okrug=district.okrug)


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
