from __future__ import annotations

from rest_framework import serializers


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    category = serializers.CharField()
    title = serializers.CharField()
    text = serializers.CharField()
    report = serializers.IntegerField(source="report_id", allow_null=True)
    url = serializers.CharField(help_text="Путь на портале, от «/».")
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


class NotificationQuerySerializer(serializers.Serializer):
    unread = serializers.BooleanField(required=False, default=False, help_text="true: только непрочитанные.")


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()
    capped = serializers.BooleanField(help_text="true: непрочитанных не меньше, чем unread (счёт ограничен).")


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=500,
        help_text="Какие отметить.",
    )
    all = serializers.BooleanField(required=False, default=False, help_text="true: отметить все.")

    def validate(self, data):
        if not data.get("all") and not data.get("ids"):
            raise serializers.ValidationError({"ids": ["Укажите ids или all=true."]}, code="required")
        return data


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="Сколько уведомлений стали прочитанными.")
    unread = serializers.IntegerField()
