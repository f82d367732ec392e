"""Point -> district: places.geo.locate() and its in-memory twin DistrictIndex,
checked on real places of the reference data."""

import random

import pytest
from django.contrib.gis.geos import Point
from django.db import connection

from places.geo import MOSCOW_BBOX, DistrictIndex, OutsideMoscow, locate, make_point, require_location
from places.models import Building, District
from tests.factories import RED_SQUARE, SAINT_PETERSBURG

pytestmark = pytest.mark.django_db

# In the Moskva between Крымский мост and Парк Горького, 18 m off the river's
# midline (the Хамовники / Якиманка boundary) and ~190 m from the nearest
# house, on Фрунзенская набережная.
MOSKVA_RIVER = make_point(37.5974, 55.7319)
# A vertex of that midline: on the boundary of both districts.
MIDLINE_VERTEX = make_point(37.59803, 55.73294)
ZELENOGRAD = make_point(37.215214, 55.991893)  # г. Зеленоград, д. 1106
TROITSK = make_point(37.291834, 55.470837)  # г. Троицк, Октябрьский пр-т, д. 2


def covering_district_ids(point: Point) -> list[int]:
    """The districts whose boundary covers the point, by hand-written SQL."""
    if connection.vendor == "postgresql":
        covers = "ST_Covers(boundary, ST_SetSRID(ST_MakePoint(%s, %s), 4326))"
    else:
        covers = "ST_Covers(boundary, MakePoint(%s, %s, 4326)) = 1"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM places_district WHERE {covers} ORDER BY id", [point.x, point.y])  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def test_red_square_is_in_tverskoy_district_of_the_central_okrug():
    location = locate(RED_SQUARE)

    assert location.district.name == "Тверской"
    assert location.okrug.name == "Центральный"
    assert location.okrug.abbrev == "ЦАО"
    assert location.district.okrug == location.okrug


def test_a_point_in_the_moskva_river_belongs_to_exactly_one_district():
    assert len(covering_district_ids(MOSKVA_RIVER)) == 1
    assert District.objects.filter(boundary__covers=MOSKVA_RIVER).count() == 1

    answers = {locate(MOSKVA_RIVER).district.name for _ in range(5)}

    assert answers == {"Якиманка"}


def test_a_point_on_a_shared_boundary_goes_to_the_lower_id_every_time():
    covering = covering_district_ids(MIDLINE_VERTEX)
    assert len(covering) == 2
    assert set(District.objects.filter(pk__in=covering).values_list("name", flat=True)) == {
        "Хамовники",
        "Якиманка",
    }

    answers = {locate(MIDLINE_VERTEX).district.pk for _ in range(5)}

    assert answers == {min(covering)}
    assert DistrictIndex().locate(MIDLINE_VERTEX).district.pk == min(covering)


def test_saint_petersburg_is_not_in_moscow(django_assert_num_queries):
    with django_assert_num_queries(0):  # outside the box: no query at all
        assert locate(SAINT_PETERSBURG) is None


def test_a_point_inside_the_box_but_outside_the_city_is_not_in_moscow():
    odintsovo = make_point(37.2776, 55.6781)  # Moscow Oblast, west of the MKAD

    assert covering_district_ids(odintsovo) == []
    assert locate(odintsovo) is None


def test_zelenograd_is_its_own_okrug():
    location = locate(ZELENOGRAD)

    assert location.okrug.name == "Зеленоградский"
    assert location.okrug.abbrev == "ЗелАО"
    assert location.district.name == "Савёлки"


def test_troitsk_is_a_city_district_of_the_troitsky_okrug_of_new_moscow():
    location = locate(TROITSK)

    assert location.district.name == "Троицк"
    assert location.district.kind == District.Kind.CITY_DISTRICT
    assert location.district.title == "городской округ Троицк"
    assert location.okrug.name == "Троицкий"


def test_a_point_in_another_projection_is_transformed_first():
    red_square_mercator = RED_SQUARE.transform(3857, clone=True)

    assert locate(red_square_mercator).district.name == "Тверской"


def test_the_located_district_has_every_field_but_the_boundary():
    location = locate(RED_SQUARE)
    stored = District.objects.select_related("okrug").get(pk=location.district.pk)

    assert location.district.get_deferred_fields() == {"boundary"}
    assert location.okrug.get_deferred_fields() == {"boundary"}
    for field in ("name", "kind", "okato", "oktmo", "okrug_id"):
        assert getattr(location.district, field) == getattr(stored, field)
    for field in ("pk", "name", "abbrev", "okato"):
        assert getattr(location.okrug, field) == getattr(stored.okrug, field)
    # The boundary is still there when asked for (one more query).
    assert location.district.boundary.covers(RED_SQUARE)


def test_locate_makes_one_query(django_assert_num_queries):
    locate(RED_SQUARE)  # the okrugs are read once per process

    with django_assert_num_queries(1):
        location = locate(TROITSK)
        assert location.okrug.name == location.district.okrug.name == "Троицкий"


def test_a_renamed_okrug_is_seen_at_once():
    okrug = locate(RED_SQUARE).okrug
    okrug.name = "Центральный административный"
    okrug.save(update_fields=["name"])

    assert locate(RED_SQUARE).okrug.name == "Центральный административный"

    okrug.name = "Центральный"
    okrug.save(update_fields=["name"])
    assert locate(RED_SQUARE).okrug.name == "Центральный"


def test_each_answer_is_a_fresh_object():
    first = locate(RED_SQUARE)
    first.okrug.name = "изменено вызывающим"
    first.district.name = "изменено вызывающим"

    second = locate(RED_SQUARE)

    assert (second.okrug.name, second.district.name) == ("Центральный", "Тверской")


def test_require_location_refuses_a_point_outside_moscow():
    with pytest.raises(OutsideMoscow) as error:
        require_location(SAINT_PETERSBURG)

    assert error.value.code == "outside_moscow"
    assert "за пределами Москвы" in error.value.message


def test_require_location_returns_the_location_inside_moscow():
    assert require_location(RED_SQUARE).district.name == "Тверской"


def test_district_index_agrees_with_locate_on_300_buildings():
    ids = list(Building.objects.order_by("pk").values_list("pk", flat=True))
    sample = Building.objects.filter(pk__in=random.Random(146).sample(ids, 300))
    index = DistrictIndex()

    for building in sample:
        expected = locate(building.point)
        assert expected is not None, building.address
        assert index.locate(building.point).district.pk == expected.district.pk, building.address


def test_district_index_agrees_with_locate_on_50_random_points_in_the_box():
    west, south, east, north = MOSCOW_BBOX
    rng = random.Random(2011)
    points = [make_point(rng.uniform(west, east), rng.uniform(south, north)) for _ in range(50)]
    index = DistrictIndex()

    answers = [(locate(p), index.locate(p)) for p in points]

    for (by_query, by_index), point in zip(answers, points, strict=True):
        assert (by_query and by_query.district.pk) == (by_index and by_index.district.pk), point.coords
    # The box is about three times the city: both kinds of answer occur.
    assert any(a for a, _ in answers)
    assert not all(a for a, _ in answers)
