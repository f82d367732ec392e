"""Address suggestions and reverse geocoding for the app's map and search
line, over the same search as the web form (places.search, places.geo)."""

from __future__ import annotations

from dataclasses import asdict

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from api.serializers.places import (
    CoordinatesSerializer,
    ReverseSerializer,
    SuggestionsSerializer,
    SuggestQuerySerializer,
)
from places import search
from places.geo import make_point, require_location


@extend_schema(tags=["places"])
class SuggestView(APIView):
    """Buildings whose address matches what was typed, best first (at most
    20: a search, not a list to page through)."""

    @extend_schema(parameters=[SuggestQuerySerializer], responses=SuggestionsSerializer)
    def get(self, request):
        query = SuggestQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        found = search.suggest(
            query.validated_data["q"], limit=query.validated_data.get("limit", search.DEFAULT_LIMIT)
        )
        return Response({"results": [asdict(s) for s in found]})


@extend_schema(tags=["places"])
class ReverseView(APIView):
    """The district and okrug of a point and the nearest building within
    150 m; outside Moscow the error outside_moscow."""

    @extend_schema(parameters=[CoordinatesSerializer], responses=ReverseSerializer)
    def get(self, request):
        query = CoordinatesSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        point = make_point(query.validated_data["lon"], query.validated_data["lat"])
        location = require_location(point)
        nearest = search.nearest_building(point)
        building = None
        if nearest is not None:
            found, distance = nearest
            building = {"id": found.pk, "address": found.short_address, "distance_m": round(distance, 1)}
        return Response(
            {"district": location.district.name, "okrug": location.okrug.name, "building": building}
        )
