"""Address suggestions and reverse geocoding: /places/suggest/, /places/reverse/."""

import pytest
from django.urls import reverse

from places.geo import OutsideMoscow
from places.models import Building

pytestmark = pytest.mark.django_db

ACADEMIC_4 = "ул. Академическая Б., д. 4"
KOROLEV_9_1 = "ул. Академика Королева, д. 9, к. 1"
LOSINY_OSTROV = (55.86, 37.75)  # lat, lon: a forest in Метрогородок, no houses near


def suggest(client, q, **params):
    response = client.get(reverse("places:suggest"), {"q": q, **params})
    assert response.status_code == 200
    return response.json()["results"]


def addresses(results):
    return [r["address"] for r in results]


@pytest.mark.parametrize(
    "query",
    [
        "ул. Академическая Б., д. 4",
        "Большая Академическая улица 4",
        "академическая б 4",
        "4 академическая большая",  # word order
        "Академическая Б. д.4",
        "академическая улица б. дом 4",
    ],
)
def test_it_finds_a_house_however_the_street_is_spelled(client, query):
    assert addresses(suggest(client, query))[0] == ACADEMIC_4


@pytest.mark.parametrize(
    "query",
    [
        "Королёва 9 корп. 1",  # ё
        "королева 9к1",  # «к» glued to the numbers
        "Академика Королева д 9 к 1",
        "академика королева, дом 9, корпус 1",
    ],
)
def test_it_matches_yo_and_corpus_spellings(client, query):
    assert addresses(suggest(client, query)) == [KOROLEV_9_1]


@pytest.mark.parametrize("query", ["Академическая 18А", "академическая д. 18а", "академическая 18а "])
def test_it_matches_house_numbers_with_a_letter(client, query):
    assert addresses(suggest(client, query)) == ["ул. Академическая Б., д. 18А"]


def test_a_letter_the_register_writes_apart_still_matches(client):
    # The register writes «д. 18 Б»; people type «18б».
    assert "ул. Академическая Б., д. 18 Б" in addresses(suggest(client, "академическая 18б"))


def test_an_incomplete_last_word_matches_as_a_prefix(client):
    results = addresses(suggest(client, "академическ", limit=20))
    assert len(results) == 20
    assert all("Академическ" in address for address in results)


def test_a_house_number_being_typed_is_a_prefix_but_a_finished_one_is_exact(client):
    typing = addresses(suggest(client, "Академическая Б 4", limit=20))
    assert "ул. Академическая Б., д. 43, к. 2" in typing
    finished = addresses(suggest(client, "Академическая Б 4 ", limit=20))
    assert "ул. Академическая Б., д. 43, к. 2" not in finished
    assert ACADEMIC_4 in finished
    # A number before the last term is finished: «4» is not «43».
    assert "ул. Академическая Б., д. 43, к. 2" not in addresses(suggest(client, "4 академическая", limit=20))


def test_the_typed_house_number_ranks_first_then_shorter_addresses(client):
    results = addresses(suggest(client, "Академическая Б 4", limit=20))
    assert results[0] == ACADEMIC_4
    # Then the houses whose number starts with «4», before «д. 73, к. 4».
    assert results.index("ул. Академическая Б., д. 43, к. 2") < results.index(
        "ул. Академическая Б., д. 73, к. 4"
    )
    lengths = [len(a) for a in results[1:] if a.startswith("ул. Академическая Б., д. 4")]
    assert lengths == sorted(lengths)


def test_shorter_addresses_come_first_for_a_street(client):
    results = addresses(suggest(client, "тверская", limit=20))
    assert results and all("Тверск" in a for a in results)
    assert [len(a) for a in results] == sorted(len(a) for a in results)


@pytest.mark.parametrize("query", ["", " ", "а", "4", "ул", "ул. д."])
def test_short_or_empty_queries_give_nothing(client, query):
    assert suggest(client, query) == []


def test_a_result_carries_the_short_address_district_okrug_and_point(client):
    (result,) = suggest(client, "Академическая Б 4 ", limit=1)
    building = Building.objects.select_related("district__okrug").get(address=f"г. Москва, {ACADEMIC_4}")
    assert result == {
        "id": building.pk,
        "address": ACADEMIC_4,
        "district": building.district.name,
        "okrug": building.district.okrug.name,
        "lat": pytest.approx(building.point.y, abs=1e-6),
        "lon": pytest.approx(building.point.x, abs=1e-6),
    }


def test_limit_is_respected_and_capped(client):
    assert len(suggest(client, "мира", limit=3)) == 3
    assert len(suggest(client, "мира", limit=500)) == 20


def test_a_limit_that_is_not_a_number_is_a_bad_request(client):
    response = client.get(reverse("places:suggest"), {"q": "мира", "limit": "много"})
    assert response.status_code == 400
    assert "limit" in response.json()["error"]


# -- reverse geocoding ------------------------------------------------------


def reverse_geocode(client, lat, lon):
    return client.get(reverse("places:reverse"), {"lat": lat, "lon": lon})


def test_a_point_near_a_house_gives_its_district_and_the_nearest_building(client):
    building = Building.objects.select_related("district__okrug").get(address=f"г. Москва, {ACADEMIC_4}")
    # ~30 m north of the house: nearer to it than to its neighbours.
    response = reverse_geocode(client, building.point.y + 0.00027, building.point.x)
    assert response.status_code == 200
    body = response.json()
    assert body["inside"] is True
    assert body["district"] == building.district.name
    assert body["okrug"] == building.district.okrug.name
    assert body["building"]["id"] == building.pk
    assert body["building"]["address"] == ACADEMIC_4
    assert 25 < body["building"]["distance_m"] < 35


def test_a_point_on_a_house_is_zero_metres_from_it(client):
    building = Building.objects.get(address=f"г. Москва, {ACADEMIC_4}")
    body = reverse_geocode(client, building.point.y, building.point.x).json()
    assert body["building"] == {"id": building.pk, "address": ACADEMIC_4, "distance_m": 0.0}


def test_a_point_in_moscow_far_from_houses_has_no_building(client):
    response = reverse_geocode(client, *LOSINY_OSTROV)
    assert response.status_code == 200
    assert response.json() == {
        "inside": True,
        "district": "Метрогородок",
        "okrug": "Восточный",
        "building": None,
    }


def test_a_point_outside_moscow_is_unprocessable_with_a_clear_message(client):
    response = reverse_geocode(client, 59.9386, 30.3141)  # Saint Petersburg
    assert response.status_code == 422
    assert response.json() == {"inside": False, "error": OutsideMoscow().message}
    assert "за пределами Москвы" in response.json()["error"]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"lat": "55.75"},
        {"lon": "37.6"},
        {"lat": "широта", "lon": "37.6"},
        {"lat": "55.75", "lon": ""},
        {"lat": "nan", "lon": "37.6"},
        {"lat": "inf", "lon": "37.6"},
        {"lat": "91", "lon": "37.6"},
        {"lat": "55.75", "lon": "-181"},
    ],
)
def test_missing_or_bad_numbers_are_a_bad_request(client, params):
    response = client.get(reverse("places:reverse"), params)
    assert response.status_code == 400
    assert response.json()["error"]
