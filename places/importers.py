"""Imports of Moscow's reference data from the shared data folder.

Each import can be rerun: rows are matched on their register codes and only
rewritten when something changed, so a second run reports nothing changed.
"""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Point, Polygon
from django.db import models, transaction

from places.addresses import normalize
from places.models import Building, District, Okrug

DISTRICTS_FILE = "moscow_districts_146.geojson.gz"
OKRUGS_FILE = "moscow_okrugs_12.geojson.gz"
BUILDINGS_FILE = "moscow_houses_reformagkh_2016.csv.gz"

_DISTRICT_KINDS = {
    "Муниципальный округ": District.Kind.DISTRICT,
    "Поселение": District.Kind.SETTLEMENT,
    "Городской округ": District.Kind.CITY_DISTRICT,
}
# The okrug file's long names, as people say them.
_OKRUG_NAMES = {
    "Зеленоградский": "Зеленоградский",
    "Новомосковский": "Новомосковский",
    "Троицкий": "Троицкий",
}


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return self.created + self.updated

    def __str__(self) -> str:
        text = (
            f"создано {self.created}, обновлено {self.updated}, без изменений {self.unchanged}, "
            f"пропущено {self.skipped}"
        )
        return text + "".join(f"\n  {note}" for note in self.notes)


def data_path(name: str, folder: Path | None = None) -> Path:
    path = Path(folder or settings.REFERENCE_DATA_DIR) / name
    if not path.exists():
        raise FileNotFoundError(f"Нет файла справочных данных {path}. Укажите папку в REFERENCE_DATA_DIR.")
    return path


def _features(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return json.load(fh)["features"]


def as_multipolygon(geojson: dict) -> MultiPolygon:
    """A valid MultiPolygon in SRID 4326 from a GeoJSON geometry, repairing
    self-intersections (make_valid may return a collection with stray lines:
    only the polygons are kept)."""
    geom = GEOSGeometry(json.dumps(geojson), srid=4326)
    if not geom.valid:
        geom = geom.make_valid()
    polygons: list[Polygon] = []
    for part in geom if geom.geom_type in ("MultiPolygon", "GeometryCollection") else [geom]:
        if part.geom_type == "Polygon":
            polygons.append(part)
        elif part.geom_type == "MultiPolygon":
            polygons.extend(part)
    result = MultiPolygon(polygons, srid=4326)
    if not result.valid:  # adjacent parts of a repaired polygon: merge them
        result = result.buffer(0)
        if result.geom_type == "Polygon":
            result = MultiPolygon([result], srid=4326)
    return result


def changed_fields(obj, values: dict) -> list[str]:
    """Names of the fields whose new value differs from the object's. Foreign
    keys are compared by id (no query), geometries by their coordinates."""
    changed = []
    for name, new in values.items():
        if isinstance(new, models.Model):
            differs = getattr(obj, f"{name}_id") != new.pk
        elif isinstance(new, GEOSGeometry):
            current = getattr(obj, name)
            differs = current is None or not current.equals_exact(new, tolerance=1e-9)
        else:
            differs = getattr(obj, name) != new
        if differs:
            changed.append(name)
    return changed


def _upsert(model, lookup: dict, values: dict, result: ImportResult):
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        model.objects.create(**lookup, **values)
        result.created += 1
        return
    changed = changed_fields(obj, values)
    if not changed:
        result.unchanged += 1
        return
    for name in changed:
        setattr(obj, name, values[name])
    obj.save(update_fields=changed)
    result.updated += 1


@transaction.atomic
def import_okrugs(folder: Path | None = None) -> ImportResult:
    result = ImportResult()
    for feature in _features(data_path(OKRUGS_FILE, folder)):
        props = feature["properties"]
        boundary = as_multipolygon(feature["geometry"])
        _upsert(
            Okrug,
            {"okato": props["OKATO"]},
            {"name": props["NAME"], "abbrev": props["ABBREV"], "boundary": boundary},
            result,
        )
    return result


@transaction.atomic
def import_districts(folder: Path | None = None) -> ImportResult:
    okrugs = {o.okato: o for o in Okrug.objects.all()}
    if not okrugs:
        raise RuntimeError("Сначала загрузите округа.")
    result = ImportResult()
    for feature in _features(data_path(DISTRICTS_FILE, folder)):
        props = feature["properties"]
        okrug = okrugs.get(props["OKATO_AO"])
        if okrug is None:
            result.skipped += 1
            result.notes.append(f"{props['NAME']}: нет округа с ОКАТО {props['OKATO_AO']}")
            continue
        _upsert(
            District,
            {"okato": props["OKATO"]},
            {
                "name": props["NAME"],
                "kind": _DISTRICT_KINDS.get(props.get("TYPE_MO"), District.Kind.DISTRICT),
                "okrug": okrug,
                "oktmo": props.get("OKTMO") or "",
                "boundary": as_multipolygon(feature["geometry"]),
            },
            result,
        )
    return result


def _int_or_none(value: str) -> int | None:
    try:
        number = int(float(value))
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 32767 else None


def read_building_rows(folder: Path | None = None) -> Iterable[dict]:
    with gzip.open(data_path(BUILDINGS_FILE, folder), "rt", encoding="utf-8") as fh:
        yield from csv.DictReader(fh)


def import_buildings(
    folder: Path | None = None,
    rows: Iterable[dict] | None = None,
    progress: Callable[[Iterable], Iterable] = lambda it: it,
    batch_size: int = 2000,
) -> ImportResult:
    """Load the apartment buildings. Rows sharing a coordinate with an earlier
    row (geocoder collisions in the register) are kept as separate buildings
    but nudged apart by a metre each, so that every building can be picked on
    the map; rows outside Moscow are skipped."""
    from places.geo import DistrictIndex

    index = DistrictIndex()
    result = ImportResult()
    existing = {b.source_id: b for b in Building.objects.all()}
    seen_points: dict[tuple[float, float], int] = {}
    district_cache: dict[tuple[float, float], District | None] = {}
    to_create: list[Building] = []
    to_update: list[Building] = []
    fields = [
        "address",
        "search_text",
        "point",
        "district",
        "management_company_name",
        "year_built",
        "floors",
    ]

    for row in progress(rows if rows is not None else read_building_rows(folder)):
        try:
            lat, lon = float(row["LAT"]), float(row["LON"])
        except (KeyError, TypeError, ValueError):
            result.skipped += 1
            continue
        key = (round(lon, 6), round(lat, 6))
        clash = seen_points.get(key, 0)
        seen_points[key] = clash + 1
        # ~1 m east per earlier building at the same coordinate.
        point = Point(lon + clash * 0.000016, lat, srid=4326)
        if key not in district_cache:
            location = index.locate(point)
            district_cache[key] = location.district if location else None
        district = district_cache[key]
        if district is None:
            result.skipped += 1
            continue
        address = row["ADDRESS"].strip()
        values = {
            "address": address,
            "search_text": f" {normalize(address)} ",
            "point": point,
            "district": district,
            "management_company_name": (row.get("MGMT_COMPANY") or "").strip(),
            "year_built": _int_or_none(row.get("YEAR")),
            "floors": _int_or_none(row.get("LEVELS_MAX")),
        }
        source_id = row["HOUSE_ID"].strip()
        building = existing.get(source_id)
        if building is None:
            to_create.append(Building(source_id=source_id, **values))
            existing[source_id] = to_create[-1]
            result.created += 1
            continue
        if building.pk is None:  # the same register id twice in the file
            result.skipped += 1
            continue
        if not changed_fields(building, values):
            result.unchanged += 1
            continue
        for name, value in values.items():
            setattr(building, name, value)
        to_update.append(building)
        result.updated += 1

    with transaction.atomic():
        Building.objects.bulk_create(to_create, batch_size=batch_size)
        Building.objects.bulk_update(to_update, fields, batch_size=batch_size)
    if seen_points:
        collisions = sum(n - 1 for n in seen_points.values() if n > 1)
        if collisions:
            result.notes.append(f"домов с общей координатой разведено: {collisions}")
    return result
