from __future__ import annotations

from rest_framework import serializers

from places import search


class SuggestQuerySerializer(serializers.Serializer):
    q = serializers.CharField(allow_blank=True, max_length=200, help_text="Начало адреса, от 2 символов.")
    limit = serializers.IntegerField(required=False, min_value=1, max_value=search.MAX_LIMIT)


class SuggestionSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Дом (building) для сообщения.")
    address = serializers.CharField()
    district = serializers.CharField()
    okrug = serializers.CharField()
    lat = serializers.FloatField()
    lon = serializers.FloatField()


class SuggestionsSerializer(serializers.Serializer):
    results = SuggestionSerializer(many=True)


class CoordinatesSerializer(serializers.Serializer):
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lon = serializers.FloatField(min_value=-180, max_value=180)


class NearestBuildingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    address = serializers.CharField()
    distance_m = serializers.FloatField()


class ReverseSerializer(serializers.Serializer):
    district = serializers.CharField()
    okrug = serializers.CharField()
    building = NearestBuildingSerializer(allow_null=True, help_text="Ближайший дом в пределах 150 м.")
