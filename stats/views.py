"""Public statistics: the pages of the city, an okrug, a district and an
organization, the districts' GeoJSON for the map, and the JSON API. Nothing
here shows a person; every figure comes from stats.selectors, cached for at
most a minute."""

from __future__ import annotations

import json

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from places.models import District
from stats import charts, exports, selectors
from stats.periods import KINDS, BadPeriod, Period, parse_period, standard

SIMPLIFY_TOLERANCE = 0.0005  # degrees: ~35-55 m in Moscow, invisible at city zoom
COORDINATE_DIGITS = 5  # ~1 m
SHAPES_CACHE_SECONDS = 24 * 3600
# Choropleth classes of the share overdue, shared with static/js/stats_map.js
# through the GeoJSON's "legend".
OVERDUE_CLASSES = [
    (0.0, "#1a9850", "нет просроченных"),
    (0.0001, "#a6d96a", "до 5 %"),
    (0.05, "#fee08b", "5–10 %"),
    (0.10, "#fdae61", "10–20 %"),
    (0.20, "#f46d43", "20–30 %"),
    (0.30, "#d73027", "30 % и больше"),
]


def _period(request: HttpRequest) -> tuple[Period, str]:
    today = timezone.localdate()
    try:
        return parse_period(request.GET, today), ""
    except BadPeriod as exc:
        return standard("month", today), str(exc)


def _page(request: HttpRequest, kind: str, pk: int | None = None) -> HttpResponse:
    period, error = _period(request)
    data, obj = selectors.scope_page(kind, pk, period)
    context = {
        "data": data,
        "obj": obj,
        "period": period,
        "period_error": error,
        "period_kinds": KINDS.items(),
        "chart": charts.build(data.chart, data.chart_grain),
        "scope_query": _scope_query(kind, pk),
        "map_url": _map_url(kind, pk, period),
        "overdue_classes": OVERDUE_CLASSES,
        "ranking_lists": _ranking_lists(data.ranking),
        # The page below the header is the same for everyone who asks for
        # this scope and period while its data is cached: render it once.
        "fragment_seconds": selectors.cache_seconds(),
        "fragment_key": f"{kind}:{pk or 0}:{period.query}:{period.cache_key}:{error}:{data.stamp}",
    }
    return render(request, "stats/page.html", context)


def _ranking_lists(ranking: selectors.Ranking | None) -> list[tuple[str, list]]:
    if ranking is None or not ranking.best:
        return []
    if not ranking.worst:
        return [("", ranking.best)]
    size = len(ranking.best)
    return [(f"{size} лучших", ranking.best), (f"{size} худших", ranking.worst)]


def _scope_query(kind: str, pk: int | None) -> str:
    """The open-data list of reports narrowed to the page's scope."""
    return "" if kind == "city" else f"{kind}={pk}"


def _map_url(kind: str, pk: int | None, period: Period) -> str:
    if kind not in ("city", "okrug"):
        return ""
    url = f"{reverse('stats:districts-geojson')}?{period.query}"
    return f"{url}&okrug={pk}" if kind == "okrug" else url


@require_GET
def city(request: HttpRequest) -> HttpResponse:
    return _page(request, "city")


@require_GET
def okrug(request: HttpRequest, okrug_id: int) -> HttpResponse:
    return _page(request, "okrug", okrug_id)


@require_GET
def district(request: HttpRequest, district_id: int) -> HttpResponse:
    return _page(request, "district", district_id)


@require_GET
def org(request: HttpRequest, org_id: int) -> HttpResponse:
    return _page(request, "org", org_id)


# --- the map's GeoJSON ------------------------------------------------------------


def _rounded(coordinates):
    if isinstance(coordinates[0], (int, float)):
        return [round(c, COORDINATE_DIGITS) for c in coordinates]
    return [_rounded(c) for c in coordinates]


def district_shapes() -> dict[int, dict]:
    """Simplified boundaries as GeoJSON geometries; they change only with an
    import of places, so a day in the cache."""
    key = f"stats:district-shapes:{SIMPLIFY_TOLERANCE}"
    shapes = cache.get(key)
    if shapes is None:
        shapes = {}
        for d in District.objects.only("id", "boundary"):
            geometry = json.loads(d.boundary.simplify(SIMPLIFY_TOLERANCE, preserve_topology=True).geojson)
            geometry["coordinates"] = _rounded(geometry["coordinates"])
            shapes[d.pk] = geometry
        cache.set(key, shapes, SHAPES_CACHE_SECONDS)
    return shapes


def _overdue_class(share: float | None) -> int | None:
    if share is None:
        return None
    index = 0
    for i, (low, _, _) in enumerate(OVERDUE_CLASSES):
        if share >= low:
            index = i
    return index


@require_GET
def districts_geojson(request: HttpRequest) -> HttpResponse:
    """One feature per district: its simplified boundary, its share of
    overdue reports now and its figures for the period."""
    period, error = _period(request)
    if error:
        return JsonResponse({"error": error}, status=400)
    okrug_id = _int_param(request, "okrug")
    today = timezone.localdate()
    rows = selectors.cached(
        f"geo:{okrug_id or 0}:{period.cache_key}",
        lambda: selectors.by_district(period, today, hours=False, okrug_id=okrug_id),
    )
    shapes = district_shapes()
    features = []
    for row in rows:
        fig = row.figures
        features.append(
            {
                "type": "Feature",
                "id": row.id,
                "geometry": shapes.get(row.id),
                "properties": {
                    "id": row.id,
                    "name": row.name,
                    "okrug": row.note,
                    "url": reverse("stats:district", args=[row.id]) + f"?{period.query}",
                    "in_work": fig.in_work,
                    "overdue": fig.overdue,
                    "overdue_share": _rounded_share(fig.overdue_share),
                    "overdue_class": _overdue_class(fig.overdue_share),
                    "received": fig.received,
                    "answered": fig.answered,
                    "answered_on_time": fig.answered_on_time,
                    "on_time_share": _rounded_share(fig.on_time_share),
                },
            }
        )
    body = {
        "type": "FeatureCollection",
        "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
        "legend": [{"from": low, "colour": colour, "label": label} for low, colour, label in OVERDUE_CLASSES],
        "features": features,
    }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False, "separators": (",", ":")})
    response["Content-Type"] = "application/geo+json"
    return response


def _rounded_share(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _int_param(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name, "")
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise Http404 from None


# --- open data: the JSON API and the downloads -------------------------------------


def _json(body, status: int = 200) -> JsonResponse:
    return JsonResponse(body, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


@require_GET
def api_scope(request: HttpRequest, kind: str, pk: int | None = None) -> JsonResponse:
    period, error = _period(request)
    if error:
        return _json({"error": error}, status=400)
    data, obj = selectors.scope_page(kind, pk, period)
    return _json(selectors.page_as_json(data, kind, obj))


@require_GET
def api_table(request: HttpRequest, table: str) -> JsonResponse:
    period, error = _period(request)
    if error:
        return _json({"error": error}, status=400)
    header, rows = exports.stats_table(table, period, timezone.localdate())
    return _json(
        {
            "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
            "results": [dict(zip(header, row, strict=True)) for row in rows],
        }
    )


@require_GET
def api_reports(request: HttpRequest) -> JsonResponse:
    """Published reports of the period, a page at a time by number (?after=)."""
    period, error = _period(request)
    if error:
        return _json({"error": error}, status=400)
    after = _int_param(request, "after") or 0
    limit = min(max(_int_param(request, "limit") or exports.API_PAGE, 1), exports.API_PAGE_MAX)
    scope = exports.report_scope(request.GET)
    rows = list(exports.report_rows(period, scope, after=after, limit=limit))
    header = exports.REPORT_COLUMNS
    results = [dict(zip(header, row, strict=True)) for row in rows]
    following = None
    if len(results) == limit:
        query = request.GET.copy()
        query["after"] = str(results[-1]["id"])
        following = f"{request.path}?{query.urlencode()}"
    return _json(
        {
            "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
            "results": results,
            "next": following,
        }
    )


@require_GET
def download(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    period, error = _period(request)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    if table not in exports.TABLES or fmt not in ("csv", "xlsx"):
        raise Http404
    return exports.download(table, fmt, period, request.GET)
