from __future__ import annotations

from django.utils import timezone
from rest_framework import serializers

from api.serializers.common import IdField


class TopicGroupSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    position = serializers.IntegerField()


class SeasonSerializer(serializers.Serializer):
    """A seasonal project: its topics are offered from `starts` to `ends`
    (MM-DD) every year; the window may wrap the new year."""

    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    starts = serializers.CharField(help_text="ММ-ДД")
    ends = serializers.CharField(help_text="ММ-ДД")
    is_open = serializers.SerializerMethodField()

    def get_is_open(self, season) -> bool:
        return season.is_open(timezone.localdate())


class TopicSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    hint = serializers.CharField()
    group = serializers.IntegerField(source="group_id")
    group_name = serializers.CharField(source="group.name")
    season = serializers.IntegerField(source="season_id", allow_null=True)
    photo_required = serializers.BooleanField()
    needs_building = serializers.BooleanField()
    deadline_days = serializers.IntegerField()
    calendar_days = serializers.BooleanField()
    available = serializers.SerializerMethodField(help_text="Тему можно выбрать сегодня.")

    def get_available(self, topic) -> bool:
        return topic.is_available(timezone.localdate())


class TopicQuerySerializer(serializers.Serializer):
    group = IdField(required=False, help_text="Только темы этой группы.")
    all = serializers.BooleanField(
        required=False,
        default=False,
        help_text="true: и темы вне сезона, и отключённые (available=false); иначе — те, что можно выбрать сегодня.",
    )
