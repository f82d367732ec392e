"""The city's organizations as build_city_structure() makes them from the
reference data (already run once by the session fixture)."""

from collections import Counter, defaultdict

import pytest
from django.db.models import Count, Max

from organizations.models import Kind, Organization
from organizations.structure import build_city_structure
from places.models import Building, District, Okrug

pytestmark = pytest.mark.django_db

District_links = Organization.districts.through
Building_links = Organization.buildings.through


def organizations_per_district(kind: str) -> Counter:
    return Counter(
        District_links.objects.filter(organization__kind=kind).values_list("district_id", flat=True)
    )


def test_a_rerun_changes_nothing():
    before = (
        Organization.objects.count(),
        Organization.objects.aggregate(top=Max("pk"))["top"],
        District_links.objects.count(),
        Building_links.objects.count(),
    )

    result = build_city_structure()

    assert result.changed == 0, result
    after = (
        Organization.objects.count(),
        Organization.objects.aggregate(top=Max("pk"))["top"],
        District_links.objects.count(),
        Building_links.objects.count(),
    )
    assert after == before


def test_a_rerun_puts_back_an_edited_supervisor_and_district_list():
    council = Organization.objects.get(code=f"council-{District.objects.get(name='Тверской').okato}")
    council.supervisor = None
    council.save(update_fields=["supervisor"])
    council.districts.add(District.objects.get(name="Арбат"))

    result = build_city_structure()

    assert result.updated == 2
    council.refresh_from_db()
    assert council.supervisor.kind == Kind.PREFECTURE
    assert list(council.districts.values_list("name", flat=True)) == ["Тверской"]


@pytest.mark.parametrize("kind", [Kind.DISTRICT_COUNCIL, Kind.HOUSING_SERVICE])
def test_every_district_has_exactly_one(kind):
    per_district = organizations_per_district(kind)

    assert set(per_district) == set(District.objects.values_list("pk", flat=True))
    assert set(per_district.values()) == {1}


def test_district_councils_and_housing_services_are_named_for_their_district():
    tverskoy = District.objects.get(name="Тверской")
    troitsk = District.objects.get(name="Троицк")
    sosenskoe = District.objects.get(name="Сосенское")

    assert Organization.objects.get(code=f"council-{tverskoy.okato}").name == "Управа района Тверской"
    assert Organization.objects.get(code=f"council-{troitsk.okato}").name == (
        "Администрация городского округа Троицк"
    )
    assert Organization.objects.get(code=f"council-{sosenskoe.okato}").name == (
        "Администрация поселения Сосенское"
    )
    assert Organization.objects.get(code=f"housing-{tverskoy.okato}").name == "ГБУ «Жилищник района Тверской»"


def test_every_okrug_has_one_prefecture_serving_all_its_districts():
    prefectures = Organization.objects.filter(kind=Kind.PREFECTURE)
    assert Counter(prefectures.values_list("okrug_id", flat=True)) == Counter(
        dict.fromkeys(Okrug.objects.values_list("pk", flat=True), 1)
    )
    for prefecture in prefectures.select_related("okrug"):
        assert set(prefecture.districts.values_list("pk", flat=True)) == set(
            prefecture.okrug.districts.values_list("pk", flat=True)
        ), prefecture.name
    assert prefectures.get(okrug__abbrev="ЦАО").name == "Префектура ЦАО"
    assert prefectures.get(okrug__name="Троицкий").name == ("Префектура Троицкий административного округа")


def test_the_supervisor_chain_runs_from_the_housing_service_to_the_city_department():
    territorial = Organization.objects.get(code="dep-territorial")
    housing_services = (
        Organization.objects.filter(kind=Kind.HOUSING_SERVICE)
        .select_related("supervisor__supervisor__supervisor")
        .prefetch_related("districts", "supervisor__districts")
    )

    assert housing_services.count() == District.objects.count()
    for housing in housing_services:
        council = housing.supervisor
        prefecture = council.supervisor
        assert council.kind == Kind.DISTRICT_COUNCIL, housing.name
        assert list(council.districts.all()) == list(housing.districts.all()), housing.name
        assert prefecture.kind == Kind.PREFECTURE, housing.name
        assert prefecture.okrug_id == housing.okrug_id == council.okrug_id, housing.name
        assert prefecture.supervisor == territorial, housing.name
    assert territorial.supervisor is None


def test_managing_companies_answer_to_the_housing_inspectorate():
    supervisors = set(
        Organization.objects.filter(kind=Kind.MANAGING_COMPANY).values_list("supervisor__code", flat=True)
    )

    assert supervisors == {"mzhi"}
    assert Organization.objects.get(code="mzhi").kind == Kind.INSPECTORATE


def test_the_city_wide_services_have_their_supervisors():
    def supervisor(code: str) -> str | None:
        return Organization.objects.get(code=code).supervisor.code

    assert supervisor("avtodorogi") == "oati"
    assert supervisor("mossvet") == "dep-housing"
    assert supervisor("mosgortrans") == "dep-transport"
    assert Organization.objects.filter(city_wide=True, okrug__isnull=False).count() == 0


def test_buildings_of_a_zhilishchnik_are_linked_to_their_districts_housing_service():
    housing_of = dict(
        District_links.objects.filter(organization__kind=Kind.HOUSING_SERVICE).values_list(
            "district_id", "organization_id"
        )
    )
    managers_of = defaultdict(set)
    for building_id, org_id in Building_links.objects.values_list("building_id", "organization_id"):
        managers_of[building_id].add(org_id)

    # In Python: SQLite's LIKE folds the case of Latin letters only, and the
    # register writes «Жилищник», «ЖИЛИЩНИК» and «жилищник».
    zhilishchnik = [
        (pk, district_id)
        for pk, district_id, name in Building.objects.exclude(district=None).values_list(
            "pk", "district_id", "management_company_name"
        )
        if "жилищник" in name.lower()
    ]
    assert len(zhilishchnik) > 20_000
    for building_id, district_id in zhilishchnik:
        assert managers_of[building_id] == {housing_of[district_id]}, building_id


def test_every_building_with_a_company_in_the_register_has_exactly_one_manager():
    managed = Counter(Building_links.objects.values_list("building_id", flat=True))

    assert set(managed.values()) == {1}
    unnamed = Building.objects.filter(management_company_name="").values_list("pk", flat=True)
    assert not set(unnamed) & set(managed)


def test_a_managing_companys_districts_are_those_of_its_buildings():
    companies = Organization.objects.filter(kind=Kind.MANAGING_COMPANY)
    assert companies.count() > 500

    districts_of = defaultdict(set)
    for org_id, district_id in District_links.objects.filter(organization__in=companies).values_list(
        "organization_id", "district_id"
    ):
        districts_of[org_id].add(district_id)
    building_districts_of = defaultdict(set)
    for org_id, district_id in Building_links.objects.filter(organization__in=companies).values_list(
        "organization_id", "building__district_id"
    ):
        building_districts_of[org_id].add(district_id)

    assert districts_of == building_districts_of
    # No company without a building: each one is there because the register names it.
    assert not companies.annotate(n=Count("buildings")).filter(n=0).exists()


def test_one_company_spelled_two_ways_in_the_register_is_one_organization():
    names = Organization.objects.filter(kind=Kind.MANAGING_COMPANY).values_list("name", flat=True)
    keys = Counter(" ".join(n.replace("«", '"').replace("»", '"').lower().split()) for n in names)

    assert max(keys.values()) == 1
