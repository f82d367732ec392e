"""Address suggestions and reverse geocoding for the report form's map and
search line: small JSON endpoints over the reference data."""

from __future__ import annotations

import math
from dataclasses import asdict

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from places import search
from places.geo import OutsideMoscow, locate, make_point

# The reference data changes a few times a year: let browsers and proxies
# keep the answers for a while.
_cacheable = cache_control(public=True, max_age=300)


def _bad_request(message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=400)


@require_GET
@_cacheable
def suggest(request: HttpRequest) -> JsonResponse:
    """GET ?q=…&limit=10 → {"results": [{id, address, district, okrug, lat, lon}]}"""
    try:
        limit = int(request.GET.get("limit") or search.DEFAULT_LIMIT)
    except ValueError:
        return _bad_request("Параметр limit должен быть целым числом.")
    limit = max(1, min(limit, search.MAX_LIMIT))
    results = search.suggest(request.GET.get("q", ""), limit=limit)
    return JsonResponse({"results": [asdict(s) for s in results]}, json_dumps_params={"ensure_ascii": False})


def _coordinate(raw: str | None, low: float, high: float) -> float | None:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(value) or not low <= value <= high:
        return None
    return value


@require_GET
@_cacheable
def reverse_geocode(request: HttpRequest) -> JsonResponse:
    """GET ?lat=…&lon=… → the district and okrug of the point and the nearest
    building within 150 m; 422 outside Moscow, 400 for bad numbers."""
    lat = _coordinate(request.GET.get("lat"), -90.0, 90.0)
    lon = _coordinate(request.GET.get("lon"), -180.0, 180.0)
    if lat is None or lon is None:
        return _bad_request("Укажите широту (lat) и долготу (lon) числами в градусах.")
    point = make_point(lon, lat)
    location = locate(point)
    if location is None:
        return JsonResponse(
            {"inside": False, "error": OutsideMoscow().message},
            status=422,
            json_dumps_params={"ensure_ascii": False},
        )
    nearest = search.nearest_building(point)
    building = None
    if nearest is not None:
        found, distance = nearest
        building = {"id": found.pk, "address": found.short_address, "distance_m": round(distance, 1)}
    return JsonResponse(
        {
            "inside": True,
            "district": location.district.name,
            "okrug": location.okrug.name,
            "building": building,
        },
        json_dumps_params={"ensure_ascii": False},
    )
