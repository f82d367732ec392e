"""The public map: /map/ (the page and its list) and /map/data/ (GeoJSON)."""

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from issues import mapgrid
from issues.models import PUBLISHED_STATUSES, Report, Status, Topic
from issues.tests.public_helpers import (
    ACADEMIC_STREET,
    RED_SQUARE,
    YASENEVO,
    jittered,
    plain_topic,
    publish,
    submit,
)
from places.models import District
from tests.factories import UserFactory
from tests.test_cache import redis_down  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db

CITY = "36.8,55.1,38.0,56.1"  # the whole of Moscow
RED_SQUARE_BOX = "37.6150,55.7510,37.6270,55.7570"  # street level around it


@pytest.fixture
def author():
    return UserFactory(email="avtor@example.test", full_name="Смирнова Ольга Петровна", phone="+79161234567")


@pytest.fixture
def city(author):
    """Published reports in three districts and two topic groups, plus
    reports that are not published and must never show."""
    rng = random.Random(7)
    trade, transport = plain_topic("trade"), plain_topic("transport")
    made = {"red": [], "academic": [], "yasenevo": [], "hidden": []}
    for i in range(6):
        made["red"].append(submit(author, jittered(RED_SQUARE, rng, 40), topic=trade if i % 2 else transport))
    for _ in range(4):
        made["academic"].append(submit(author, jittered(ACADEMIC_STREET, rng, 40), topic=trade))
    made["yasenevo"].append(submit(author, YASENEVO, topic=transport))
    publish(made["red"][:3], Status.IN_WORK)
    publish(made["red"][3:], Status.RESOLVED)
    publish(made["academic"], Status.ANSWERED)
    publish(made["yasenevo"], Status.DISPUTED)
    # Not published: in moderation, rejected, merged.
    made["hidden"].append(submit(author, jittered(RED_SQUARE, rng, 40), topic=trade))
    for status in (Status.REJECTED, Status.DUPLICATE):
        hidden = submit(author, jittered(RED_SQUARE, rng, 40), topic=trade)
        Report.objects.filter(pk=hidden.pk).update(status=status)  # test set-up
        made["hidden"].append(hidden)
    made["trade"], made["transport"] = trade, transport
    return made


def map_data(client, bbox=CITY, zoom=10, **filters):
    return client.get(reverse("public:map-data"), {"bbox": bbox, "zoom": zoom, **filters})


def features(response, kind=None):
    assert response.status_code == 200, response.content
    return [f for f in response.json()["features"] if kind is None or f["properties"]["kind"] == kind]


def ids_of(response):
    return {f["properties"]["id"] for f in features(response, "report")}


def counted(response) -> int:
    """Reports the answer stands for: cluster counts plus single points."""
    return sum(
        f["properties"]["count"] if f["properties"]["kind"] == "cluster" else 1 for f in features(response)
    )


# -- points at street level -------------------------------------------------


def test_street_zoom_gives_the_published_reports_in_the_box_as_points(client, city):
    response = map_data(client, RED_SQUARE_BOX, zoom=16)
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert body["clustered"] is False and body["truncated"] is False
    assert ids_of(response) == {r.pk for r in city["red"]}
    assert body["total"] == 6


def test_a_point_carries_what_the_popup_shows(client, city):
    report = city["red"][0]
    (feature,) = [f for f in features(map_data(client, RED_SQUARE_BOX, zoom=17)) if f["id"] == report.pk]
    report.refresh_from_db()
    assert feature["geometry"] == {
        "type": "Point",
        "coordinates": [pytest.approx(report.point.x, abs=1e-6), pytest.approx(report.point.y, abs=1e-6)],
    }
    assert feature["properties"] == {
        "kind": "report",
        "id": report.pk,
        "topic": report.topic.name,
        "status": "in_work",
        "status_label": "В работе",
        "address": report.address,
        "district": "Тверской",
        "url": reverse("public:report", args=[report.pk]),
    }


def _both_ways(client, monkeypatch, zoom):
    """/map/data/ with the features written by the database, then by Python."""
    _skip_unless_json_in_db()
    by_database = map_data(client, RED_SQUARE_BOX, zoom=zoom).json()
    monkeypatch.setattr(mapgrid, "writes_json_in_db", lambda: False)
    return by_database, map_data(client, RED_SQUARE_BOX, zoom=zoom).json()


@pytest.mark.parametrize("zoom", [16, 17])
def test_the_points_written_by_the_database_are_the_points_written_in_python(client, city, monkeypatch, zoom):
    """On PostgreSQL the street-level features are written as JSON by the
    database (mapgrid.points_geojson); elsewhere by Python. The same answer."""
    by_database, by_python = _both_ways(client, monkeypatch, zoom)
    assert by_database["features"] and by_database["clustered"] is False
    key = lambda feature: feature["id"]  # noqa: E731
    assert sorted(by_database.pop("features"), key=key) == sorted(by_python.pop("features"), key=key)
    assert by_database == by_python


def test_the_points_written_by_the_database_are_truncated_alike(client, city, monkeypatch):
    monkeypatch.setattr(mapgrid, "MAX_POINTS", 4)
    by_database, by_python = _both_ways(client, monkeypatch, 17)
    assert by_database["truncated"] is by_python["truncated"] is True
    assert by_database["total"] == by_python["total"] == len(by_database["features"]) == 4
    assert {f["id"] for f in by_database["features"]} <= {r.pk for r in city["red"]}


def _street_names(client) -> dict[int, tuple[str, str]]:
    """The topic and district of each point of the street box, as the map sends them."""
    found = features(map_data(client, RED_SQUARE_BOX, zoom=17))
    return {f["id"]: (f["properties"]["topic"], f["properties"]["district"]) for f in found}


def _skip_unless_json_in_db():
    if not mapgrid.writes_json_in_db():
        pytest.skip("the features are written in Python here")


def test_names_needing_escapes_are_written_alike_by_the_database(client, city, monkeypatch):
    trade = city["trade"]
    trade.name = 'Торговля "у дома" \\ ларьки\tи {скобки}, NULL'
    trade.save()
    District.objects.filter(name="Тверской").update(name='Тверской "центр"')
    mapgrid._names(refresh=True)
    by_database, by_python = _both_ways(client, monkeypatch, 17)
    key = lambda feature: feature["id"]  # noqa: E731
    assert sorted(by_database["features"], key=key) == sorted(by_python["features"], key=key)
    assert {f["properties"]["topic"] for f in by_database["features"]} >= {trade.name}
    assert {f["properties"]["district"] for f in by_database["features"]} == {'Тверской "центр"'}


def test_the_names_come_from_the_process_copy_and_follow_the_catalog(client, city, author):
    """The street map reads no topic nor district while its copy of their
    names holds; a topic renamed (the catalog's version moves) and a report
    under a topic the copy does not know are written with the right names."""
    _skip_unless_json_in_db()
    _street_names(client)  # the copy is read
    with CaptureQueriesContext(connection) as queries:
        names = _street_names(client)
    assert not [q for q in queries if "issues_topic" in q["sql"] or "places_district" in q["sql"]]
    assert set(names) == {r.pk for r in city["red"]}

    transport = city["transport"]
    transport.name = "Общественный транспорт (новое название)"
    transport.save()
    assert {t for t, _ in _street_names(client).values()} == {city["trade"].name, transport.name}

    # A topic created behind the copy's back (no signal): the report under
    # it still carries its name, the query rerun with the names read again.
    newcomer = Topic.objects.get(pk=transport.pk)
    newcomer.pk, newcomer.code, newcomer.name = None, "newcomer", "Новая тема"
    Topic.objects.bulk_create([newcomer])
    report = submit(author, RED_SQUARE, topic=Topic.objects.get(code="newcomer"))
    publish([report], Status.IN_WORK)
    assert _street_names(client)[report.pk] == ("Новая тема", "Тверской")


def test_with_redis_down_the_names_are_read_for_each_map(client, city, redis_down):  # noqa: F811
    _skip_unless_json_in_db()
    city["trade"].name = "Торговля без кеша"
    city["trade"].save()
    assert {t for t, _ in _street_names(client).values()} == {"Торговля без кеша", city["transport"].name}
    assert mapgrid._names_copy is None


def test_reports_outside_the_box_are_left_out(client, city):
    academic = ",".join(
        str(v)
        for v in (
            ACADEMIC_STREET.x - 0.01,
            ACADEMIC_STREET.y - 0.005,
            ACADEMIC_STREET.x + 0.01,
            ACADEMIC_STREET.y + 0.005,
        )
    )
    assert ids_of(map_data(client, academic, zoom=15)) == {r.pk for r in city["academic"]}
    assert features(map_data(client, "37.0,55.2,37.1,55.3", zoom=16)) == []


def test_unpublished_reports_never_appear(client, city):
    hidden = {r.pk for r in city["hidden"]}
    assert not hidden & ids_of(map_data(client, RED_SQUARE_BOX, zoom=16))
    # Nor in the clusters' counts: only the 11 published reports are counted.
    assert counted(map_data(client, CITY, zoom=10)) == 11
    # Nor when asked for by status.
    assert map_data(client, RED_SQUARE_BOX, zoom=16, status="moderation").status_code == 400


def test_beyond_the_grid_points_are_capped_and_marked_truncated(client, city, monkeypatch):
    monkeypatch.setattr(mapgrid, "MAX_POINTS", 4)
    body = map_data(client, RED_SQUARE_BOX, zoom=17).json()
    assert len(body["features"]) == 4
    assert body["truncated"] is True
    assert body["clustered"] is False
    monkeypatch.setattr(mapgrid, "MAX_POINTS", 6)
    assert map_data(client, RED_SQUARE_BOX, zoom=17).json()["truncated"] is False


@pytest.mark.parametrize("zoom", [15, 16])
def test_a_street_box_with_more_than_the_cap_is_clustered_not_cut(client, city, monkeypatch, zoom):
    shown = map_data(client, RED_SQUARE_BOX, zoom=zoom).json()
    assert shown["clustered"] is False
    monkeypatch.setattr(mapgrid, "MAX_POINTS", 4)
    response = map_data(client, RED_SQUARE_BOX, zoom=zoom)
    body = response.json()
    assert body["clustered"] is True
    assert body["truncated"] is False
    # Every report of the cells the box touches is counted, none dropped.
    west, south, east, north = map(float, RED_SQUARE_BOX.split(","))
    cells = mapgrid.CellRange.covering(mapgrid.Box(west, south, east, north), zoom)
    in_cells = mapgrid.MapQuery(box=cells.box, zoom=zoom).reports().count()
    assert counted(response) == body["total"] == in_cells >= len(shown["features"]) > 4


# -- filters ----------------------------------------------------------------


def test_filter_by_topic_group(client, city):
    trade = map_data(client, RED_SQUARE_BOX, zoom=16, group="trade")
    assert ids_of(trade) == {r.pk for r in city["red"] if r.topic_id == city["trade"].pk}
    assert counted(map_data(client, CITY, zoom=10, group="transport")) == 4  # 3 by Red Square, 1 in Yasenevo


def test_filter_by_status(client, city):
    assert ids_of(map_data(client, RED_SQUARE_BOX, zoom=16, status="resolved")) == {
        r.pk for r in city["red"][3:]
    }
    assert counted(map_data(client, CITY, zoom=10, status="answered")) == 4


def test_filter_by_district(client, city):
    koptevo = city["academic"][0].district
    assert counted(map_data(client, CITY, zoom=10, district=koptevo.pk)) == 4
    assert ids_of(map_data(client, RED_SQUARE_BOX, zoom=16, district=koptevo.pk)) == set()


def test_filters_combine(client, city):
    response = map_data(client, CITY, zoom=10, group="trade", status="in_work")
    expected = [r for r in city["red"][:3] if r.topic_id == city["trade"].pk]
    assert counted(response) == len(expected)


# -- clusters below street level -------------------------------------------


def test_low_zoom_gives_clusters_whose_counts_sum_to_the_matching_reports(client, city):
    response = map_data(client, CITY, zoom=10)
    body = response.json()
    assert body["clustered"] is True
    clusters = features(response, "cluster")
    assert clusters and all(c["properties"]["count"] > 1 for c in clusters)
    assert counted(response) == body["total"] == 11


def test_a_cell_with_one_report_comes_as_that_report(client, city):
    (yasenevo,) = city["yasenevo"]
    response = map_data(client, CITY, zoom=12)
    assert yasenevo.pk in ids_of(response)
    (feature,) = [f for f in features(response, "report") if f["id"] == yasenevo.pk]
    assert feature["properties"]["status"] == "disputed"


def test_a_cluster_sits_among_its_reports_and_names_its_cell(client, city):
    response = map_data(client, CITY, zoom=11)
    academic = [c for c in features(response, "cluster") if c["properties"]["count"] == 4]
    assert len(academic) == 1
    lon, lat = academic[0]["geometry"]["coordinates"]
    assert lon == pytest.approx(ACADEMIC_STREET.x, abs=0.002)
    assert lat == pytest.approx(ACADEMIC_STREET.y, abs=0.002)
    west, south, east, north = academic[0]["bbox"]
    assert west <= lon <= east and south <= lat <= north


@pytest.mark.parametrize("zoom", [0, 5, 9, 12, 14])
def test_every_cluster_zoom_counts_every_matching_report(client, city, zoom):
    bbox = "-180,-85,180,85" if zoom < 8 else "37.4,55.55,37.7,55.85"
    assert counted(map_data(client, bbox, zoom=zoom)) == 11


def test_clusters_are_counted_in_the_database_with_a_bounded_number_of_queries(
    client, city, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):  # the group's id, the grid, the single reports
        response = map_data(client, CITY, zoom=10, group="trade")
    assert response.status_code == 200


def test_the_answer_may_be_cached_briefly_by_anyone(client, city):
    response = map_data(client, CITY, zoom=10)
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert cache_control == {"public", "max-age=30"}
    assert "Cookie" not in response.get("Vary", "")


# -- validation -------------------------------------------------------------


@pytest.mark.parametrize(
    "bbox",
    [
        "",
        "37.6,55.7,37.7",
        "37.6,55.7,37.7,55.8,1",
        "запад,55.7,37.7,55.8",
        "37.7,55.7,37.6,55.8",  # west > east
        "37.6,55.8,37.7,55.7",  # south > north
        "37.6,55.7,37.6,55.8",  # empty
        "-181,55.7,37.7,55.8",
        "37.6,-91,37.7,55.8",
        "37.6,55.7,37.7,nan",
        "37.6,55.7,inf,55.8",
    ],
)
def test_a_bad_bbox_is_a_bad_request(client, bbox):
    response = map_data(client, bbox, zoom=12)
    assert response.status_code == 400
    assert "bbox" in response.json()["error"]


@pytest.mark.parametrize("zoom", ["", "-1", "21", "десять", "10.5"])
def test_a_bad_zoom_is_a_bad_request(client, zoom):
    response = map_data(client, CITY, zoom=zoom)
    assert response.status_code == 400
    assert "zoom" in response.json()["error"]


@pytest.mark.parametrize(
    "filters",
    [
        {"status": "moderation"},
        {"status": "rejected"},
        {"status": "что-то"},
        {"group": "no-such-group"},
        {"district": "Тверской"},
        {"district": "999999"},
    ],
)
def test_a_bad_filter_is_a_bad_request(client, filters):
    response = map_data(client, CITY, zoom=10, **filters)
    assert response.status_code == 400
    assert response.json()["error"]


def test_a_box_too_big_for_a_fine_cluster_zoom_is_refused(client):
    response = map_data(client, "-180,-85,180,85", zoom=14)
    assert response.status_code == 400
    assert "слишком велика" in response.json()["error"]


# -- the page ---------------------------------------------------------------


def test_the_map_page_has_the_map_and_its_filters(client, city):
    response = client.get(reverse("public:map"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="map"' in html and "leaflet" in html and "public_map.js" in html
    assert reverse("public:map-data") in html
    assert "window.nashgorodPublicMap" in html
    # Statuses: the published ones only.
    statuses = [value for value, _ in response.context["statuses"]]
    assert statuses == list(PUBLISHED_STATUSES)
    assert 'value="moderation"' not in html and 'value="rejected"' not in html
    # Districts grouped by okrug.
    assert '<optgroup label="Центральный">' in html
    tverskoy = District.objects.get(name="Тверской")
    assert f'<option value="{tverskoy.pk}">Тверской</option>' in html
    assert "<noscript>" in html


def test_the_page_lists_the_latest_published_reports_without_javascript(client, author):
    reports = [submit(author, RED_SQUARE) for _ in range(22)]
    publish(reports, Status.IN_WORK)
    hidden = submit(author, RED_SQUARE)
    response = client.get(reverse("public:map"))
    listed = [r.pk for r in response.context["latest"]]
    assert len(listed) == 20
    assert hidden.pk not in listed
    assert listed == sorted(listed, reverse=True)  # the last published first
    assert reverse("public:report", args=[reports[-1].pk]) in response.content.decode()


def test_the_list_follows_the_filters(client, city):
    response = client.get(reverse("public:map"), {"status": "answered"})
    assert {r.pk for r in response.context["latest"]} == {r.pk for r in city["academic"]}
    assert 'value="answered" selected' in response.content.decode()


def test_a_bad_filter_on_the_page_shows_all_reports_and_says_why(client, city):
    response = client.get(reverse("public:map"), {"status": "moderation"})
    assert response.status_code == 200
    assert len(response.context["latest"]) == 11
    assert "Неизвестный статус" in response.content.decode()


def test_the_page_shows_no_personal_data(client, city, author):
    html = client.get(reverse("public:map")).content.decode()
    for private in (author.email, author.full_name, "Смирнова", author.phone):
        assert private not in html


def test_the_page_takes_a_bounded_number_of_queries(client, city, django_assert_max_num_queries):
    # Anonymous, so the layout adds none: groups, districts, latest 20, and
    # the checks of the district and group filters.
    with django_assert_max_num_queries(5):
        client.get(reverse("public:map"), {"district": city["academic"][0].district_id, "group": "trade"})
