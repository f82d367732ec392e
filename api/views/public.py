"""Public reads for the app's map and its statistics screens: published
reports in a box as GeoJSON (capped, like the web map's street level), and
the statistics of the city, an okrug, a district or an organization."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from api.serializers.public import MapQuerySerializer, MapReportSerializer, StatsQuerySerializer
from issues.models import Report
from issues.views_public import BadMapRequest, parse_filters
from stats import selectors as stats
from stats.periods import BadPeriod, parse_period

MAX_FEATURES = 1000


def _bad(field: str, exc: Exception) -> serializers.ValidationError:
    return serializers.ValidationError({field: [serializers.ErrorDetail(str(exc), code="invalid")]})


@extend_schema(tags=["public"])
class MapReports(APIView):
    """Published reports whose point is in the box, as a GeoJSON
    FeatureCollection: at most 1,000 (truncated=true when there were more;
    zoom in). Not paged: a map draws one box at a time."""

    @extend_schema(
        parameters=[MapQuerySerializer],
        responses=OpenApiResponse(MapReportSerializer(many=True), description="GeoJSON FeatureCollection"),
    )
    def get(self, request):
        query = MapQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        try:
            filters = parse_filters(request.query_params)
        except BadMapRequest as exc:
            raise _bad("filters", exc) from None
        box = query.validated_data["bbox"]
        reports = (
            filters.apply(Report.objects.filter(status__in=filters.statuses, point__bboverlaps=box.polygon))
            .select_related("topic", "district")
            .only("id", "status", "point", "address", "published_at", "topic__name", "district__name")
            # The newest first: the primary key's index answers it.
            .order_by("-pk")[: MAX_FEATURES + 1]
        )
        rows = list(reports)
        data = MapReportSerializer(rows[:MAX_FEATURES], many=True).data
        data["truncated"] = len(rows) > MAX_FEATURES
        return Response(data)


@extend_schema(tags=["public"])
class Statistics(APIView):
    """The statistics of a scope for a period, as on the /stats/ pages and
    their open data: received, answered, on time, overdue …"""

    scope = "city"

    @extend_schema(parameters=[StatsQuerySerializer], responses={200: OpenApiTypes.OBJECT})
    def get(self, request, pk: int | None = None):
        query = StatsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        try:
            period = parse_period(request.query_params, timezone.localdate())
        except BadPeriod as exc:
            raise _bad("period", exc) from None
        data, obj = stats.scope_page(self.scope, pk, period)
        return Response(stats.page_as_json(data, self.scope, obj))


class OkrugStatistics(Statistics):
    scope = "okrug"


class DistrictStatistics(Statistics):
    scope = "district"


class OrganizationStatistics(Statistics):
    scope = "org"
