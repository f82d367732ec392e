"""The reference-data imports: rerunnable, repairing, and careful with the
register's odd rows. The session fixture has already run them once."""

import gzip
import json
import math
from io import StringIO

import pytest
from django.contrib.gis.db.models.functions import IsValid
from django.contrib.gis.geos import GEOSGeometry
from django.core.management import CommandError, call_command
from django.db.models import Max

from places import importers
from places.geo import DistrictIndex, make_point
from places.models import Building, District, Okrug

pytestmark = pytest.mark.django_db


def table_state(model) -> tuple[int, int]:
    return model.objects.count(), model.objects.aggregate(top=Max("pk"))["top"]


def register_row(house_id: str, lat: float, lon: float, address: str) -> dict:
    return {
        "HOUSE_ID": house_id,
        "LAT": str(lat),
        "LON": str(lon),
        "ADDRESS": address,
        "MGMT_COMPANY": "",
        "YEAR": "1975",
        "LEVELS_MAX": "9",
    }


@pytest.mark.parametrize(
    ("run", "model"),
    [
        (importers.import_okrugs, Okrug),
        (importers.import_districts, District),
        (importers.import_buildings, Building),
    ],
    ids=["okrugs", "districts", "buildings"],
)
def test_a_rerun_changes_nothing(run, model):
    before = table_state(model)

    result = run()

    assert result.changed == 0, result
    assert result.unchanged == model.objects.count()
    assert table_state(model) == before


def test_a_rerun_puts_back_a_renamed_district():
    District.objects.filter(name="Тверской").update(name="Тверской-Ямской")

    result = importers.import_districts()

    assert (result.created, result.updated) == (0, 1)
    assert District.objects.filter(name="Тверской").exists()
    assert not District.objects.filter(name="Тверской-Ямской").exists()


@pytest.mark.parametrize("name", ["Новомосковский", "Юго-Западный"])
def test_self_intersecting_okrug_polygons_are_repaired(name):
    with gzip.open(importers.data_path(importers.OKRUGS_FILE), "rt", encoding="utf-8") as fh:
        feature = next(f for f in json.load(fh)["features"] if f["properties"]["NAME"] == name)
    assert not GEOSGeometry(json.dumps(feature["geometry"])).valid  # the file's polygon is broken

    okrug = Okrug.objects.annotate(db_valid=IsValid("boundary")).get(name=name)

    assert okrug.boundary.valid
    assert okrug.db_valid
    # Nothing of the okrug was lost in the repair: it still covers its districts.
    for district in okrug.districts.all():
        assert okrug.boundary.covers(district.boundary.point_on_surface), district.name


def test_buildings_that_share_a_coordinate_in_the_register_are_nudged_apart():
    points = list(Building.objects.values_list("point", flat=True))
    assert len({p.coords for p in points}) == len(points)

    by_coordinate: dict[tuple[str, str], list[str]] = {}
    for row in importers.read_building_rows():
        by_coordinate.setdefault((row["LON"], row["LAT"]), []).append(row["HOUSE_ID"])
    shared = [ids for ids in by_coordinate.values() if len(ids) > 1]
    assert sum(len(ids) - 1 for ids in shared) > 1000  # README: ~1,240 such rows
    # Two houses of the register at one geocoded point: both kept, ~1 m apart.
    first, second = Building.objects.filter(source_id__in=shared[0][:2]).order_by("pk")
    assert first.point.y == second.point.y
    metres = (second.point.x - first.point.x) * 111_320 * math.cos(math.radians(first.point.y))
    assert 0.5 < metres < 2


def test_buildings_outside_moscow_are_skipped():
    rows = [
        register_row("test-in-moscow", 55.7539, 37.6208, "г. Москва, Красная площадь, д. 1"),
        register_row("test-petersburg", 59.9386, 30.3141, "г. Москва, д. 21"),
        register_row("test-oblast", 55.6781, 37.2776, "г. Москва, п. Одинцово, д. 1"),
    ]

    result = importers.import_buildings(rows=rows)

    assert (result.created, result.skipped) == (1, 2)
    assert set(
        Building.objects.filter(source_id__startswith="test-").values_list("source_id", flat=True)
    ) == {"test-in-moscow"}
    assert Building.objects.get(source_id="test-in-moscow").district.name == "Тверской"


def test_the_registers_rows_outside_moscow_were_not_loaded():
    index = DistrictIndex()
    outside = [
        row["HOUSE_ID"]
        for row in importers.read_building_rows()
        if index.locate(make_point(row["LON"], row["LAT"])) is None
    ]

    assert len(outside) >= 13  # README: 13 rows lie outside Moscow
    assert not Building.objects.filter(source_id__in=outside).exists()
    assert Building.objects.count() == sum(1 for _ in importers.read_building_rows()) - len(outside)


def test_the_command_can_skip_the_buildings():
    out = StringIO()

    call_command("import_places", "--skip-buildings", stdout=out)

    assert "Округа: создано 0, обновлено 0, без изменений 12" in out.getvalue()
    assert "Районы: создано 0, обновлено 0, без изменений 146" in out.getvalue()
    assert "Дома" not in out.getvalue()


def test_the_command_names_a_wrong_data_folder(tmp_path):
    missing = tmp_path / "no-such-folder"

    with pytest.raises(CommandError) as error:
        call_command("import_places", "--data-dir", str(missing), verbosity=0)

    assert str(missing) in str(error.value)
    assert Okrug.objects.count() == 12
