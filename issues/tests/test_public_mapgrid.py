"""The map's grid: cells nest across zooms, and on PostgreSQL the counts kept
by triggers in issues_report_mapgrid always equal counting the reports."""

import importlib
import random

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.test.utils import CaptureQueriesContext

from issues import mapgrid
from issues.models import PUBLISHED_STATUSES, Report, Status, Topic, TopicGroup
from issues.tests.public_helpers import (
    ACADEMIC_STREET,
    RED_SQUARE,
    YASENEVO,
    jittered,
    plain_topic,
    publish,
    submit,
)
from tests.factories import UserFactory

grid_migration = importlib.import_module("issues.migrations.0008_mapgrid_street_and_district")

CITY = mapgrid.Box(36.8, 55.1, 38.0, 56.1)
postgis_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="the grid table exists on PostgreSQL only"
)


def test_the_migration_s_frozen_grid_matches_the_code():
    assert list(grid_migration.LEVELS) == list(mapgrid.GRID_LEVELS)
    assert tuple(str(s) for s in PUBLISHED_STATUSES) == grid_migration.PUBLISHED
    for level in mapgrid.GRID_LEVELS:
        assert grid_migration.cell_size(level) == mapgrid.cell_size(level)


@pytest.mark.parametrize("zoom", range(0, mapgrid.GRID_LEVELS.stop - 1))
def test_a_cell_is_two_by_two_cells_of_the_next_zoom(zoom):
    rng = random.Random(zoom)
    for _ in range(200):
        lon, lat = rng.uniform(36.8, 38.0), rng.uniform(55.1, 56.1)
        coarse = mapgrid.CellRange.covering(mapgrid.Box(lon, lat, lon + 1e-9, lat + 1e-9), zoom)
        fine = mapgrid.CellRange.covering(mapgrid.Box(lon, lat, lon + 1e-9, lat + 1e-9), zoom + 1)
        assert (fine.x0 >> 1, fine.y0 >> 1) == (coarse.x0, coarse.y0)


def test_a_cluster_counts_its_whole_cell_also_at_the_edge_of_the_view(db):
    author = UserFactory()
    reports = [submit(author, jittered(RED_SQUARE, random.Random(i), 30)) for i in range(3)]
    publish(reports)
    # A box that ends in the middle of the reports still counts all of them.
    box = mapgrid.Box(37.0, 55.5, RED_SQUARE.x, 56.0)
    grouped, singles = mapgrid.clusters(mapgrid.MapQuery(box=box, zoom=10))
    assert sum(c.count for c in grouped) + len(singles) == 3


# -- the grid table on PostgreSQL ---------------------------------------------


def grid_counts(query):
    cells = mapgrid.CellRange.covering(query.box, query.zoom)
    return sorted(
        (cx, cy, n, round(x, 9), round(y, 9))
        for cx, cy, n, x, y in mapgrid._cells_from_grid_table(query, cells)
    )


def counted_counts(query):
    cells = mapgrid.CellRange.covering(query.box, query.zoom)
    return sorted(
        (cx, cy, n, round(x, 9), round(y, 9)) for cx, cy, n, x, y in mapgrid._cells_from_reports(query, cells)
    )


def assert_grid_matches_reports():
    assert_rollup_matches_grid()
    groups = [None, *TopicGroup.objects.values_list("pk", flat=True)]
    districts = [None, *Report.objects.values_list("district_id", flat=True).distinct()[:3]]
    for zoom in (5, 9, 10, 12, 14, 15, 16):
        for statuses in (PUBLISHED_STATUSES, (Status.RESOLVED,), (Status.IN_WORK, Status.DISPUTED)):
            for group_id in groups:
                for district_id in districts:
                    query = mapgrid.MapQuery(
                        box=CITY, zoom=zoom, statuses=statuses, group_id=group_id, district_id=district_id
                    )
                    assert grid_counts(query) == counted_counts(query), (
                        zoom,
                        statuses,
                        group_id,
                        district_id,
                    )


def assert_rollup_matches_grid():
    """The rollup (per cell and status) is the grid summed over groups and districts."""
    summed = f"""
        SELECT level, cx, cy, status, sum(n)::bigint, round(sum(sum_x)::numeric, 9), round(sum(sum_y)::numeric, 9)
        FROM {mapgrid.GRID_TABLE} GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0 ORDER BY 1, 2, 3, 4
    """  # noqa: S608 - constants
    rolled = f"""
        SELECT level, cx, cy, status, n, round(sum_x::numeric, 9), round(sum_y::numeric, 9)
        FROM {mapgrid.ROLLUP_TABLE} WHERE n <> 0 ORDER BY 1, 2, 3, 4
    """  # noqa: S608 - constants
    with connection.cursor() as cursor:
        cursor.execute(summed)
        expected = cursor.fetchall()
        cursor.execute(rolled)
        assert cursor.fetchall() == expected


@pytest.fixture
def many(db):
    author = UserFactory()
    rng = random.Random(3)
    topics = [plain_topic("transport"), plain_topic("trade")]
    made = [
        submit(author, jittered(base, rng, 800), topic=topics[i % 2])
        for base in (RED_SQUARE, ACADEMIC_STREET, YASENEVO)
        for i in range(12)
    ]
    for report in made[:30]:
        publish([report], rng.choice(PUBLISHED_STATUSES))
    return made


@postgis_only
def test_the_grid_table_counts_what_the_reports_say(many):
    assert_grid_matches_reports()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT sum(n) FROM {mapgrid.GRID_TABLE} WHERE level = 10")
        assert cursor.fetchone()[0] == 30


@postgis_only
def test_the_grid_follows_status_changes_moves_and_deletions(many):
    # Test set-up: writes as the services make them, by queryset and by save().
    Report.objects.filter(pk__in=[r.pk for r in many[:10]]).update(status=Status.RESOLVED)
    Report.objects.filter(pk__in=[r.pk for r in many[10:15]]).update(status=Status.MODERATION)
    moved = Report.objects.get(pk=many[20].pk)
    moved.point = Point(37.70, 55.70, srid=4326)
    moved.save(update_fields=["point"])
    Report.objects.filter(pk=many[21].pk).update(status=Status.REJECTED)
    Report.objects.filter(pk=many[-1].pk).update(status=Status.IN_WORK)  # published now
    Report.objects.filter(pk=many[22].pk).delete()
    assert_grid_matches_reports()


@postgis_only
def test_the_grid_follows_a_topic_to_another_report_or_another_group(many):
    other = plain_topic("ecology")
    Report.objects.filter(pk__in=[r.pk for r in many[:6]]).update(topic=other)  # test set-up
    assert_grid_matches_reports()
    # The administrator moves a topic to another group: its reports follow.
    Topic.objects.filter(pk=many[0].topic_id).update(group=TopicGroup.objects.get(code="clocks"))
    assert_grid_matches_reports()


@postgis_only
def test_a_write_that_changes_no_status_or_point_leaves_the_grid_alone(many):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT level, cx, cy, status, group_id, district_id, n, sum_x, sum_y FROM {mapgrid.GRID_TABLE}"
            " ORDER BY 1, 2, 3, 4, 5, 6"
        )
        before = cursor.fetchall()
        Report.objects.filter(pk__in=[r.pk for r in many]).update(is_overdue=True)
        cursor.execute(
            f"SELECT level, cx, cy, status, group_id, district_id, n, sum_x, sum_y FROM {mapgrid.GRID_TABLE}"
            " ORDER BY 1, 2, 3, 4, 5, 6"
        )
        assert cursor.fetchall() == before


@postgis_only
def test_the_map_uses_the_grid_table_for_every_filter_up_to_its_finest_level(db):
    assert mapgrid.uses_grid_table(mapgrid.MapQuery(box=CITY, zoom=10, statuses=(Status.RESOLVED,)))
    assert mapgrid.uses_grid_table(mapgrid.MapQuery(box=CITY, zoom=10, group_id=1))
    assert mapgrid.uses_grid_table(mapgrid.MapQuery(box=CITY, zoom=10, district_id=1))
    assert mapgrid.uses_grid_table(mapgrid.MapQuery(box=CITY, zoom=16))
    assert not mapgrid.uses_grid_table(mapgrid.MapQuery(box=CITY, zoom=17))


@postgis_only
def test_a_report_moved_to_another_district_moves_in_the_grid(many):
    moved = Report.objects.get(pk=many[0].pk)
    other = Report.objects.exclude(district_id=moved.district_id).values_list("district_id", flat=True)[0]
    Report.objects.filter(pk=moved.pk).update(district_id=other)  # test set-up: the district alone
    assert_grid_matches_reports()


@postgis_only
def test_the_rollups_first_fill_sums_the_grid_already_there(many):
    rollup_migration = importlib.import_module("issues.migrations.0012_mapgrid_rollup")
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {mapgrid.ROLLUP_TABLE}")  # noqa: S608 - a constant
        cursor.execute(rollup_migration.FORWARD[-1])
    assert_rollup_matches_grid()


@postgis_only
def test_the_unfiltered_city_reads_the_rollup_and_a_filtered_one_the_grid(many):
    def tables(query):
        with CaptureQueriesContext(connection) as captured:
            mapgrid.clusters(query)
        return " ".join(q["sql"] for q in captured.captured_queries)

    assert mapgrid.ROLLUP_TABLE in tables(mapgrid.MapQuery(box=CITY, zoom=10))
    filtered = tables(mapgrid.MapQuery(box=CITY, zoom=10, group_id=TopicGroup.objects.first().pk))
    assert mapgrid.GRID_TABLE in filtered and mapgrid.ROLLUP_TABLE not in filtered


def _sorted_points(points):
    return sorted(
        (p.id, round(p.lon, 9), round(p.lat, 9), p.status, p.topic, p.address, p.district) for p in points
    )


@postgis_only
def test_the_lone_reports_read_with_the_counts_are_those_read_cell_by_cell(many):
    groups = [None, *TopicGroup.objects.values_list("pk", flat=True)]
    for zoom in (9, 11, 13, 15, 16):
        for statuses in (PUBLISHED_STATUSES, (Status.RESOLVED,)):
            for group_id in groups:
                query = mapgrid.MapQuery(box=CITY, zoom=zoom, statuses=statuses, group_id=group_id)
                cells = mapgrid.CellRange.covering(CITY, zoom)
                counted = mapgrid._grid_cells_and_lone_reports(query, cells)
                assert counted.cells == mapgrid._cells_from_grid_table(query, cells)
                singles = [(cx, cy) for cx, cy, n, _, _ in counted.cells if n == 1]
                assert sorted(counted.lone) == sorted(singles)
                cell_by_cell = mapgrid._single_reports(query, cells, singles)
                assert _sorted_points(counted.lone.values()) == _sorted_points(cell_by_cell)


@postgis_only
def test_the_lone_reports_are_not_read_when_the_box_will_show_its_points(many):
    query = mapgrid.MapQuery(box=CITY, zoom=16)
    cells = mapgrid.CellRange.covering(CITY, 16)
    counted = mapgrid._grid_cells_and_lone_reports(query, cells, over=len(many))
    assert counted.total == 30 and counted.lone == {}
    assert mapgrid.street_level_cells(query) is None  # 30 reports: the box shows its points


@postgis_only
def test_a_clustered_view_is_one_query(many):
    with CaptureQueriesContext(connection) as captured:
        grouped, singles = mapgrid.clusters(mapgrid.MapQuery(box=CITY, zoom=13))
    assert len(captured.captured_queries) == 1
    assert sum(c.count for c in grouped) + len(singles) == 30 and singles


@postgis_only
def test_the_grid_is_indexed_for_the_group_and_the_district_filters(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [mapgrid.GRID_TABLE])
        names = {name for (name,) in cursor.fetchall()}
    assert {"mapgrid_by_district", "mapgrid_by_group", "mapgrid_covering"} <= names
