"""The city's real structure of responsible and supervisory organizations.

`build_city_structure()` creates it from the districts, okrugs and buildings
already loaded; rerunning it changes nothing (rows are matched on `code`).
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict

from django.db import transaction

from organizations.models import Kind, Organization
from places.importers import ImportResult, changed_fields
from places.models import Building, District, Okrug

# code, name, kind, supervisor code (None: top of its chain).
CITY_WIDE = [
    (
        "dep-territorial",
        "Департамент территориальных органов исполнительной власти города Москвы",
        Kind.CITY_DEPARTMENT,
        None,
    ),
    ("dep-housing", "Департамент жилищно-коммунального хозяйства города Москвы", Kind.CITY_DEPARTMENT, None),
    (
        "dep-transport",
        "Департамент транспорта и развития дорожно-транспортной инфраструктуры города Москвы",
        Kind.CITY_DEPARTMENT,
        None,
    ),
    ("dep-education", "Департамент образования и науки города Москвы", Kind.CITY_DEPARTMENT, None),
    ("dep-health", "Департамент здравоохранения города Москвы", Kind.CITY_DEPARTMENT, None),
    (
        "dep-social",
        "Департамент труда и социальной защиты населения города Москвы",
        Kind.CITY_DEPARTMENT,
        None,
    ),
    ("dep-culture", "Департамент культуры города Москвы", Kind.CITY_DEPARTMENT, None),
    ("dep-sport", "Департамент спорта города Москвы", Kind.CITY_DEPARTMENT, None),
    ("mzhi", "Государственная жилищная инспекция города Москвы (Мосжилинспекция)", Kind.INSPECTORATE, None),
    (
        "oati",
        "Объединение административно-технических инспекций города Москвы (ОАТИ)",
        Kind.INSPECTORATE,
        None,
    ),
    ("avtodorogi", "ГБУ «Автомобильные дороги»", Kind.ROAD_SERVICE, "oati"),
    ("mosvodostok", "ГУП «Мосводосток»", Kind.UTILITY, "dep-housing"),
    ("mosvodokanal", "АО «Мосводоканал»", Kind.UTILITY, "dep-housing"),
    ("moek", "ПАО «МОЭК»", Kind.UTILITY, "dep-housing"),
    ("mossvet", "ГУП «Моссвет»", Kind.UTILITY, "dep-housing"),
    ("mosgortrans", "ГУП «Мосгортранс»", Kind.TRANSPORT, "dep-transport"),
    ("metro", "ГУП «Московский метрополитен»", Kind.TRANSPORT, "dep-transport"),
]

# Register values that name no managing company.
_NO_COMPANY = {"", "не заполнено", "нет", "-"}


def _company_key(name: str) -> str:
    """One key for the spellings of a name: quotes, case, spaces."""
    return re.sub(r"\s+", " ", re.sub(r"[«»\"'“”„]", '"', name)).strip().lower()


def _company_code(name: str) -> str:
    return "mc-" + hashlib.sha1(_company_key(name).encode()).hexdigest()[:12]  # noqa: S324


def _prefecture_name(okrug: Okrug) -> str:
    if okrug.abbrev.endswith("АО"):
        return f"Префектура {okrug.abbrev}"
    return f"Префектура {okrug.name} административного округа"


def _council_name(district: District) -> str:
    if district.kind == District.Kind.SETTLEMENT:
        return f"Администрация поселения {district.name}"
    if district.kind == District.Kind.CITY_DISTRICT:
        return f"Администрация городского округа {district.name}"
    return f"Управа района {district.name}"


class _Writer:
    def __init__(self):
        self.result = ImportResult()
        self.by_code = {o.code: o for o in Organization.objects.all()}

    def upsert(self, code: str, **values) -> Organization:
        org = self.by_code.get(code)
        if org is None:
            org = Organization.objects.create(code=code, **values)
            self.by_code[code] = org
            self.result.created += 1
            return org
        changed = changed_fields(org, values)
        if changed:
            for name in changed:
                setattr(org, name, values[name])
            org.save(update_fields=changed)
            self.result.updated += 1
        else:
            self.result.unchanged += 1
        return org

    def set_m2m(self, org: Organization, name: str, ids: set[int]) -> None:
        manager = getattr(org, name)
        if set(manager.values_list("pk", flat=True)) != ids:
            manager.set(ids)
            self.result.updated += 1


@transaction.atomic
def build_city_structure() -> ImportResult:
    if not District.objects.exists():
        raise RuntimeError("Сначала загрузите районы (import_places).")
    w = _Writer()
    for code, name, kind, _ in CITY_WIDE:
        w.upsert(code, name=name, kind=kind, city_wide=True, okrug=None)
    for code, _, _, supervisor in CITY_WIDE:
        w.upsert(code, supervisor=w.by_code[supervisor] if supervisor else None)

    housing_by_district: dict[int, Organization] = {}
    for okrug in Okrug.objects.prefetch_related("districts"):
        prefecture = w.upsert(
            f"prefecture-{okrug.okato}",
            name=_prefecture_name(okrug),
            kind=Kind.PREFECTURE,
            okrug=okrug,
            supervisor=w.by_code["dep-territorial"],
        )
        w.set_m2m(prefecture, "districts", {d.pk for d in okrug.districts.all()})
        for district in okrug.districts.all():
            council = w.upsert(
                f"council-{district.okato}",
                name=_council_name(district),
                kind=Kind.DISTRICT_COUNCIL,
                okrug=okrug,
                supervisor=prefecture,
            )
            w.set_m2m(council, "districts", {district.pk})
            housing = w.upsert(
                f"housing-{district.okato}",
                name=f"ГБУ «Жилищник района {district.name}»",
                kind=Kind.HOUSING_SERVICE,
                okrug=okrug,
                supervisor=council,
            )
            w.set_m2m(housing, "districts", {district.pk})
            housing_by_district[district.pk] = housing

    _managing_companies(w, housing_by_district)
    return w.result


def _managing_companies(w: _Writer, housing_by_district: dict[int, Organization]) -> None:
    """A managing company per distinct name in the register. Buildings that a
    district's «Жилищник» manages are linked to that district's housing
    service, whatever spelling the register uses for it."""
    buildings_of: dict[int, set[int]] = defaultdict(set)
    districts_of: dict[int, set[int]] = defaultdict(set)
    names: dict[str, str] = {}
    rows = Building.objects.exclude(district=None).values_list("pk", "district_id", "management_company_name")
    for pk, district_id, name in rows.iterator(chunk_size=5000):
        if name.strip().lower() in _NO_COMPANY:
            continue
        if "жилищник" in name.lower():
            org = housing_by_district[district_id]
        else:
            code = _company_code(name)
            names.setdefault(code, name.strip())
            org = w.by_code.get(code) or w.upsert(
                code, name=names[code], kind=Kind.MANAGING_COMPANY, supervisor=w.by_code["mzhi"]
            )
        buildings_of[org.pk].add(pk)
        districts_of[org.pk].add(district_id)

    through = Organization.buildings.through
    current: dict[int, set[int]] = defaultdict(set)
    for org_id, building_id in through.objects.values_list("organization_id", "building_id"):
        current[org_id].add(building_id)
    stale = [org_id for org_id in current if org_id not in buildings_of]
    if stale:
        through.objects.filter(organization_id__in=stale).delete()
        w.result.updated += len(stale)
    new_links = []
    for org_id, building_ids in buildings_of.items():
        if current.get(org_id) == building_ids:
            continue
        through.objects.filter(organization_id=org_id).delete()
        new_links += [through(organization_id=org_id, building_id=b) for b in building_ids]
        w.result.updated += 1
    through.objects.bulk_create(new_links, batch_size=5000)
    for org in Organization.objects.filter(kind=Kind.MANAGING_COMPANY, pk__in=districts_of):
        w.set_m2m(org, "districts", districts_of[org.pk])
