"""The public side of the reports: the map with its filters, the map's GeoJSON
and a report's page. Nothing here shows a person: reports and events are
shown with roles («Автор», «Исполнитель», «Редакция»), never with names,
e-mails or phones."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from itertools import groupby

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from issues import mapgrid, selectors
from issues.access import get_report_for_view, public_report_version
from issues.models import (
    PUBLISHED_STATUSES,
    Report,
    Status,
    TopicGroup,
)
from nashgorod.links import url_prefix
from places.models import District

LATEST_ON_MAP_PAGE = 20
# A cluster view may span at most this many grid cells across (a 4K screen
# holds 60): a bigger box at a fine zoom would make one cell per building.
MAX_CELLS_ACROSS = 256
MAP_DATA_MAX_AGE = 30
# How long an anonymous visitor's report page may lag what changes beside
# the report and its events (theirs show at once).
REPORT_PAGE_CACHE_SECONDS = 600


class BadMapRequest(ValueError):
    pass


@dataclass(frozen=True)
class MapFilters:
    group: str = ""
    status: str = ""
    district_id: int | None = None
    group_id: int | None = None  # the group's id, when a group is chosen

    def apply(self, queryset):
        if self.status:
            queryset = queryset.filter(status=self.status)
        if self.group_id is not None:
            queryset = queryset.filter(topic__group_id=self.group_id)
        if self.district_id is not None:
            queryset = queryset.filter(district_id=self.district_id)
        return queryset

    @property
    def statuses(self) -> tuple[str, ...]:
        return (self.status,) if self.status else PUBLISHED_STATUSES


def parse_filters(params: QueryDict) -> MapFilters:
    """The map's filters from a query string; BadMapRequest names a bad one."""
    status = params.get("status", "")
    if status and status not in PUBLISHED_STATUSES:
        raise BadMapRequest("Неизвестный статус: на карте только опубликованные сообщения.")
    district_id = None
    if raw := params.get("district", ""):
        try:
            district_id = int(raw)
        except ValueError:
            raise BadMapRequest("Район указывается числом.") from None
        if not District.objects.filter(pk=district_id).exists():
            raise BadMapRequest("Нет такого района.")
    group = params.get("group", "")
    group_id = None
    if group:
        group_id = TopicGroup.objects.filter(code=group).values_list("pk", flat=True).first()
        if group_id is None:
            raise BadMapRequest("Нет такой группы тем.")
    return MapFilters(group=group, status=status, district_id=district_id, group_id=group_id)


def parse_box(raw: str) -> mapgrid.Box:
    parts = raw.split(",")
    try:
        values = [float(part) for part in parts]
    except ValueError:
        values = []
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise BadMapRequest("bbox: четыре числа через запятую — запад, юг, восток, север.")
    west, south, east, north = values
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise BadMapRequest("bbox: нужно запад < восток в пределах ±180 и юг < север в пределах ±90.")
    return mapgrid.Box(west, south, east, north)


def _parse_zoom(raw: str) -> int:
    try:
        zoom = int(raw)
    except ValueError:
        zoom = -1
    if not mapgrid.MIN_ZOOM <= zoom <= mapgrid.MAX_ZOOM:
        raise BadMapRequest(f"zoom: целое число от {mapgrid.MIN_ZOOM} до {mapgrid.MAX_ZOOM}.")
    return zoom


# -- the map page -----------------------------------------------------------


def _districts_by_okrug() -> list[tuple[str, list[District]]]:
    districts = (
        District.objects.select_related("okrug")
        .only("id", "name", "okrug__id", "okrug__name")
        .order_by("okrug__name", "name")
    )
    return [(okrug, list(items)) for okrug, items in groupby(districts, key=lambda d: d.okrug.name)]


@require_GET
def map_page(request: HttpRequest) -> HttpResponse:
    """The map, its filters and, for those without JavaScript or map tiles,
    the latest matching reports as a list."""
    try:
        filters = parse_filters(request.GET)
        error = ""
    except BadMapRequest as exc:
        filters, error = MapFilters(), str(exc)
    latest = (
        filters.apply(Report.objects.filter(status__in=PUBLISHED_STATUSES))
        .select_related("topic", "district")
        .only("id", "status", "address", "published_at", "topic__name", "district__name")
        # The newest by number: the primary key's index answers it without
        # sorting a million rows (published_at has no index).
        .order_by("-pk")[:LATEST_ON_MAP_PAGE]
    )
    return render(
        request,
        "issues/public/map.html",
        {
            "filters": filters,
            "filter_error": error,
            "groups": TopicGroup.objects.all(),
            "statuses": [(s.value, s.label) for s in map(Status, PUBLISHED_STATUSES)],
            "districts_by_okrug": _districts_by_okrug(),
            "latest": latest,
            "points_from_zoom": mapgrid.POINTS_FROM_ZOOM,
        },
    )


# -- the map's data ---------------------------------------------------------


def _point_feature(point: mapgrid.MapPoint, report_url: str) -> dict:
    return {
        "type": "Feature",
        "id": point.id,
        "geometry": {"type": "Point", "coordinates": [round(point.lon, 6), round(point.lat, 6)]},
        "properties": {
            "kind": "report",
            "id": point.id,
            "topic": point.topic,
            "status": point.status,
            "status_label": point.status_label,
            "address": point.address,
            "district": point.district,
            "url": f"{report_url}{point.id}/",
        },
    }


def _cluster_feature(cluster: mapgrid.Cluster) -> dict:
    return {
        "type": "Feature",
        "bbox": [round(c, 6) for c in cluster.bounds],
        "geometry": {"type": "Point", "coordinates": [round(cluster.lon, 6), round(cluster.lat, 6)]},
        "properties": {"kind": "cluster", "count": cluster.count},
    }


def _check_cell_count(box: mapgrid.Box, zoom: int) -> None:
    dx, dy = mapgrid.cell_size(zoom)
    if (box.east - box.west) / dx > MAX_CELLS_ACROSS or (box.north - box.south) / dy > MAX_CELLS_ACROSS:
        raise BadMapRequest("Область слишком велика для этого масштаба.")


@require_GET
def map_data(request: HttpRequest) -> HttpResponse:
    """GET ?bbox=west,south,east,north&zoom=Z&group=&status=&district= →
    a GeoJSON FeatureCollection of published reports in the box: points
    from street level (zoom 15) on, at most 1,000 ("truncated" when there
    were more, from zoom 17); grid clusters below it, and at zoom 15-16 when
    the box holds more than 1,000; a cell with one report as its point. Clusters carry "count" and the cell as "bbox"."""
    try:
        box = parse_box(request.GET.get("bbox", ""))
        zoom = _parse_zoom(request.GET.get("zoom", ""))
        filters = parse_filters(request.GET)
        if zoom < mapgrid.GRID_LEVELS.stop:  # a view that may come back clustered
            _check_cell_count(box, zoom)
    except BadMapRequest as exc:
        return JsonResponse({"error": str(exc)}, status=400, json_dumps_params={"ensure_ascii": False})

    query = mapgrid.MapQuery(
        box=box,
        zoom=zoom,
        statuses=filters.statuses,
        group_id=filters.group_id,
        district_id=filters.district_id,
    )
    report_url = url_prefix("public:report")
    truncated = False
    counted = mapgrid.street_level_cells(query)
    clustered = query.clustered or counted is not None
    if clustered:
        clusters, points = mapgrid.clusters(query, counted)
        features = [_cluster_feature(c) for c in clusters] + [_point_feature(p, report_url) for p in points]
        total = sum(c.count for c in clusters) + len(points)
    elif mapgrid.writes_json_in_db():
        features_json, total, truncated = mapgrid.points_geojson(query.reports(), report_url)
        return _map_response(zoom, clustered, total, truncated, features_json)
    else:
        points, truncated = mapgrid.points(query.reports())
        features = [_point_feature(p, report_url) for p in points]
        total = len(points)
    return _map_response(zoom, clustered, total, truncated, json.dumps(features, ensure_ascii=False))


def _map_response(
    zoom: int, clustered: bool, total: int, truncated: bool, features_json: str
) -> HttpResponse:
    """The FeatureCollection around its features' JSON array (written by
    PostgreSQL at street level: mapgrid.points_geojson)."""
    head = json.dumps(
        {
            "type": "FeatureCollection",
            "zoom": zoom,
            "clustered": clustered,
            "total": total,
            "truncated": truncated,
        }
    )
    response = HttpResponse(f'{head[:-1]}, "features": {features_json}}}', content_type="application/json")
    # The same box and filters give the same answer to everyone: let
    # browsers and proxies keep it briefly (the map refetches on every move).
    patch_cache_control(response, public=True, max_age=MAP_DATA_MAX_AGE)
    return response


# -- a report's page --------------------------------------------------------


@require_GET
def report_page(request: HttpRequest, report_id: int) -> HttpResponse:
    """A report's page. An anonymous visitor sees what every anonymous
    visitor sees: its content is rendered once per version of the report
    (issues.access.public_report_version: its last change and its last
    event) and kept for REPORT_PAGE_CACHE_SECONDS at most, for what changes
    beside it (an organization renamed, a thumbnail made: until then the
    photo itself is shown). Whether it is public is asked every time: a
    report taken off the site is gone at once."""
    if request.user.is_authenticated:
        title, content = _report_content(request, report_id)
    else:
        version = public_report_version(report_id)
        if version is None:
            raise Http404("Нет такого сообщения.")
        key = f"report-page:v2:{report_id}:{version}"
        cached = cache.get(key)
        if cached is None:
            cached = _report_content(request, report_id)
            cache.set(key, cached, REPORT_PAGE_CACHE_SECONDS)
        title, content = cached
    return render(request, "issues/public/report.html", {"title": title, "content": content})


def _report_content(request: HttpRequest, report_id: int) -> tuple[str, SafeString]:
    report = get_report_for_view(request.user, report_id, queryset=selectors.public_report_queryset())
    photos, timeline = selectors.public_details(report)
    content = render_to_string(
        "issues/public/_report_content.html",
        {
            "report": report,
            "photos": photos,
            "timeline": timeline,
            "notice": selectors.moderation_notice(report),
        },
        request=request,
    )
    return f"Сообщение №{report.number}: {report.topic.name}", mark_safe(content)  # noqa: S308 - rendered by a template
