from __future__ import annotations

from rest_framework import serializers

from api.serializers.common import FileListField
from issues.photos import MAX_PHOTOS
from volunteers.models import Inspection


class PoolQuerySerializer(serializers.Serializer):
    lat = serializers.FloatField(required=False, min_value=55.0, max_value=56.1)
    lon = serializers.FloatField(required=False, min_value=36.7, max_value=38.0)

    def validate(self, data):
        if ("lat" in data) != ("lon" in data):
            raise serializers.ValidationError(
                {
                    "lon" if "lat" in data else "lat": [
                        serializers.ErrorDetail("Нужны обе координаты.", code="required")
                    ]
                }
            )
        return data


class TaskSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Inspection.Status.choices)
    report = serializers.IntegerField(source="report_id")
    topic = serializers.CharField(source="report.topic.name")
    address = serializers.CharField(source="report.address")
    district = serializers.CharField(source="report.district.name")
    point = serializers.SerializerMethodField()
    note = serializers.CharField()
    taken_until = serializers.DateTimeField(allow_null=True)
    distance_m = serializers.SerializerMethodField()

    def get_point(self, task) -> dict:
        return {"lat": task.report.point.y, "lon": task.report.point.x}

    def get_distance_m(self, task) -> float | None:
        distance = getattr(task, "distance", None)
        return None if distance is None else round(distance.m, 1)


class VerdictSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=Inspection.Verdict.choices)
    comment = serializers.CharField(max_length=4000)
    photos = FileListField(
        max_length=MAX_PHOTOS, help_text="Фото с места: по их координатам редакция сверит место."
    )
