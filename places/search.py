"""Address search over the building register, as the resident types, and the
nearest building to a point.

`Building.search_text` holds the register's address normalized by
places.addresses.normalize(), its words sorted and padded with a space on
both sides (" 4 академическая большая "), so that every query term is a
LIKE on one column:

* a word matches a register word that starts with it: "% академ%";
* a house number matches exactly ("% 4 %": «4» is not «40» nor «4а»),
  except the last term while it is still being typed, which is a prefix.

On PostgreSQL a pg_trgm GIN index serves those LIKEs (migration
places/0002_building_search_trgm); SQLite scans the 33k rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.contrib.gis.geos import Point, Polygon
from django.db import connection
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Length, StrIndex
from django.db.models.lookups import GreaterThan

from places.addresses import STOP_WORDS, tokens
from places.models import Building

MIN_QUERY_LENGTH = 2
DEFAULT_LIMIT = 10
MAX_LIMIT = 20
NEAREST_BUILDING_RADIUS_M = 150
_EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True)
class Term:
    text: str
    exact: bool  # match a whole register word, not a prefix

    @property
    def pattern(self) -> str:
        return f" {self.text} " if self.exact else f" {self.text}"


def parse_query(text: str) -> list[Term]:
    """The terms a typed query must all match, in the order typed.

    The last word is still being typed unless the query ends with a space or
    punctuation, so it matches as a prefix even when it is a house number.
    """
    still_typing = bool(text) and text[-1].isalnum()
    words: list[str] = []
    for word in tokens(text):
        if word not in STOP_WORDS and word not in words:
            words.append(word)
    terms = []
    for position, word in enumerate(words):
        is_number = word[0].isdigit()
        is_last = position == len(words) - 1
        terms.append(Term(word, exact=is_number and not (is_last and still_typing)))
    return terms


@dataclass(frozen=True)
class Suggestion:
    id: int
    address: str  # the register's address without «г. Москва, »
    district: str
    okrug: str
    lat: float
    lon: float


def suggest(text: str, limit: int = DEFAULT_LIMIT) -> list[Suggestion]:
    """Buildings whose address matches every term of the query, best first:
    those whose house number is the one typed («д. 4», «д. 4, к. 1»), then
    (while that number is still being typed) those whose house number starts
    with it («д. 43»), then those that have the last term as a whole word
    («д. 73, к. 4»), then the other prefix matches; within each, the shorter
    address first."""
    text = text or ""
    if len(text.strip()) < MIN_QUERY_LENGTH:
        return []
    terms = parse_query(text)
    if not terms:
        return []
    rows = search_queryset(terms).values_list(
        "pk", "address", "point", "district__name", "district__okrug__name"
    )[: max(1, min(limit, MAX_LIMIT))]
    return [
        Suggestion(
            id=pk,
            address=address.removeprefix("г. Москва, "),
            district=district or "",
            okrug=okrug or "",
            lat=round(point.y, 6),
            lon=round(point.x, 6),
        )
        for pk, address, point, district, okrug in rows
    ]


def _search_text_contains(pattern: str) -> Q:
    if connection.vendor == "postgresql":
        # LIKE '% term%': the trigram index answers it.
        return Q(search_text__contains=pattern)
    # SQLite scans every row: instr() is a plain byte search, about twice
    # as fast as its case-folding LIKE (the text is lower-case already).
    return Q(GreaterThan(StrIndex("search_text", Value(pattern)), 0))


def _house_number(number: str, prefix: bool = False) -> Q:
    """The register writes the house number after «д. » and before «,», «/»,
    « » or the end: «д. 4», «д. 4, к. 1», «д. 25/16», «д. 9 к. 2». With
    prefix, any house number that starts with the given one («д. 43»)."""
    condition = Q()
    for variant in {number, number.upper()}:  # «4а» is written «4А»
        head = f"д. {variant}"
        if prefix:
            condition |= Q(address__contains=head)
            continue
        condition |= Q(address__endswith=head)
        for after in (",", "/", " "):
            condition |= Q(address__contains=head + after)
    return condition


def search_queryset(terms: list[Term]) -> QuerySet[Building]:
    """The matching buildings, ranked (see suggest()); no columns selected
    beyond the model's own, so callers pick what they need."""
    condition = Q()
    for term in terms:
        condition &= _search_text_contains(term.pattern)
    ranks = []
    numbers = [term for term in terms if term.text[0].isdigit()]
    if numbers:  # the first number typed is the house's, the next the corpus'
        house = numbers[0]
        ranks.append(When(_house_number(house.text), then=Value(0)))
        if not house.exact:  # still being typed: «4» may become «43»
            ranks.append(When(_house_number(house.text, prefix=True), then=Value(1)))
    ranks.append(When(search_text__contains=f" {terms[-1].text} ", then=Value(2)))
    return (
        Building.objects.filter(condition)
        .annotate(
            rank=Case(*ranks, default=Value(3), output_field=IntegerField()),
            address_length=Length("address"),
        )
        .order_by("rank", "address_length", "address", "pk")
    )


# -- the nearest building ---------------------------------------------------


def distance_m(a: Point, b: Point) -> float:
    """Great-circle distance in metres between two lon/lat points."""
    lon1, lat1, lon2, lat2 = map(math.radians, (a.x, a.y, b.x, b.y))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * _EARTH_RADIUS_M * math.asin(math.sqrt(h))


def box_around(point: Point, radius_m: float) -> Polygon:
    """A lon/lat box that holds the circle of radius_m around the point."""
    dlat = math.degrees(radius_m / _EARTH_RADIUS_M) * 1.01
    dlon = dlat / max(math.cos(math.radians(point.y)), 0.01)
    return Polygon.from_bbox((point.x - dlon, point.y - dlat, point.x + dlon, point.y + dlat))


def _light_buildings() -> QuerySet[Building]:
    return Building.objects.only("id", "address", "point", "district_id")


def nearest_building(
    point: Point, radius_m: float = NEAREST_BUILDING_RADIUS_M
) -> tuple[Building, float] | None:
    """The building nearest to the point within radius_m, with its distance
    in metres, or None."""
    if connection.vendor == "postgresql":
        return _nearest_postgis(point, radius_m)
    return _nearest_by_box(point, radius_m)


def _nearest_postgis(point: Point, radius_m: float) -> tuple[Building, float] | None:
    # ST_DWithin on geography measures metres on the spheroid; the `&&` with
    # a box in degrees lets the planner use the GiST index on the geometry
    # column, which the geography cast alone cannot.
    box = box_around(point, radius_m)
    sql = f"""
        SELECT b.id, ST_Distance(b.point::geography, p.g::geography) AS distance
        FROM {Building._meta.db_table} b,
             (SELECT ST_SetSRID(ST_MakePoint(%s, %s), 4326) AS g) p
        WHERE b.point && ST_MakeEnvelope(%s, %s, %s, %s, 4326)
          AND ST_DWithin(b.point::geography, p.g::geography, %s)
        ORDER BY distance, b.id
        LIMIT 1
    """  # noqa: S608 - the table name is ours; every value is a parameter
    with connection.cursor() as cursor:
        cursor.execute(sql, [point.x, point.y, *box.extent, radius_m])
        row = cursor.fetchone()
    if row is None:
        return None
    return _light_buildings().get(pk=row[0]), float(row[1])


def _nearest_by_box(point: Point, radius_m: float) -> tuple[Building, float] | None:
    # SpatiaLite: the box around the point holds a few dozen buildings at
    # most; measure them in Python.
    candidates = _light_buildings().filter(point__intersects=box_around(point, radius_m))
    best = None
    for building in candidates:
        distance = distance_m(point, building.point)
        if distance <= radius_m and (best is None or (distance, building.pk) < (best[1], best[0].pk)):
            best = (building, distance)
    return best
