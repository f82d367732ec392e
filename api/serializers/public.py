from __future__ import annotations

from rest_framework import serializers
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from api.serializers.common import IdField
from issues.models import PUBLISHED_STATUSES, Report, Status
from issues.views_public import BadMapRequest, parse_box
from stats.periods import KINDS


class MapQuerySerializer(serializers.Serializer):
    bbox = serializers.CharField(help_text="Запад,юг,восток,север в градусах (WGS 84).")
    status = serializers.ChoiceField(
        choices=[(s.value, s.label) for s in map(Status, PUBLISHED_STATUSES)], required=False
    )
    group = serializers.SlugField(required=False, help_text="Код группы тем.")
    district = IdField(required=False)

    def validate_bbox(self, raw: str):
        try:
            return parse_box(raw)
        except BadMapRequest as exc:
            raise serializers.ValidationError(str(exc), code="invalid") from None


class MapReportSerializer(GeoFeatureModelSerializer):
    status_label = serializers.CharField(source="get_status_display")
    topic = serializers.CharField(source="topic.name")
    district = serializers.CharField(source="district.name")

    class Meta:
        model = Report
        geo_field = "point"
        fields = ("id", "status", "status_label", "topic", "address", "district", "published_at")


class StatsQuerySerializer(serializers.Serializer):
    period = serializers.ChoiceField(choices=list(KINDS.items()), required=False)
    # "from" is a keyword: declared below.

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField(required=False, help_text="Для period=custom.")
        fields["to"] = serializers.DateField(required=False, help_text="Для period=custom.")
        return fields
