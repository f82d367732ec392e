from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from api.serializers.common import (
    FileListField,
    IdField,
    PhotoSerializer,
    PointSerializer,
    TopicRefSerializer,
)
from issues.models import Status
from issues.photos import MAX_PHOTOS
from issues.services import MAX_DESCRIPTION

# -- input -------------------------------------------------------------------


class ReportCreateSerializer(serializers.Serializer):
    """A new report, as multipart/form-data (photos are files). The place is
    the point (lat, lon), a building from the address suggestions, or just
    the address text (the server finds the building). The same rules as the
    web form apply (issues.forms.ReportForm, issues.services.submit_report)."""

    topic = IdField(help_text="Тема из каталога (available=true).")
    lat = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    lon = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)
    address = serializers.CharField(required=False, allow_blank=True, max_length=300)
    building = IdField(required=False, allow_null=True, help_text="id из /places/suggest/.")
    description = serializers.CharField(required=False, allow_blank=True, max_length=MAX_DESCRIPTION)
    photos = FileListField(max_length=MAX_PHOTOS, help_text=f"До {MAX_PHOTOS} фото: JPEG, PNG, WebP, HEIC.")
    submission_key = serializers.UUIDField(
        required=False,
        help_text="Ключ отправки, созданный приложением; повтор с тем же ключом вернёт то же сообщение. "
        "Можно передать и заголовком Idempotency-Key.",
    )


class MyReportsQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    following = serializers.BooleanField(
        required=False, default=False, help_text="true: сообщения других жителей, за которыми вы следите."
    )


class RejectFixSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=2000, help_text="Что не так с решением.")
    photos = FileListField(max_length=MAX_PHOTOS)


class NearbyQuerySerializer(serializers.Serializer):
    topic = IdField()
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lon = serializers.FloatField(min_value=-180, max_value=180)


# -- output ------------------------------------------------------------------


class ReportListItemSerializer(serializers.Serializer):
    """A line of «Мои сообщения»."""

    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    status_label = serializers.CharField(source="get_status_display")
    topic = TopicRefSerializer()
    address = serializers.CharField()
    district = serializers.CharField(source="district.name")
    created_at = serializers.DateTimeField()
    published_at = serializers.DateTimeField(allow_null=True)
    deadline = serializers.DateTimeField(allow_null=True)
    is_overdue = serializers.BooleanField()
    last_change = serializers.DateTimeField(allow_null=True)


class ReportCreatedSerializer(ReportListItemSerializer):
    created = serializers.BooleanField(help_text="false: это повтор отправки, сообщение уже было создано.")
    url = serializers.SerializerMethodField()

    def get_url(self, report) -> str:
        return reverse("api:report", args=[report.pk])


class TimelineEntrySerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    who = serializers.CharField(
        help_text="Роль, никогда не имя: «Автор», «Исполнитель», «Редакция», «Портал»."
    )
    at = serializers.DateTimeField()
    organization = serializers.CharField()
    text = serializers.CharField()
    photos = PhotoSerializer(many=True)


class NoticeSerializer(serializers.Serializer):
    title = serializers.CharField()
    text = serializers.CharField()
    duplicate_of = serializers.IntegerField(required=False, allow_null=True)


class ReportCardSerializer(serializers.Serializer):
    """What every page of a report shows about it (the public page, the office's)."""

    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    status_label = serializers.CharField(source="get_status_display")
    topic = TopicRefSerializer()
    group = serializers.CharField(source="topic.group.name")
    point = PointSerializer()
    address = serializers.CharField()
    district = serializers.CharField(source="district.title")
    okrug = serializers.CharField(source="okrug.name")
    description = serializers.CharField()
    organization = serializers.CharField(source="organization.name", allow_null=True, default=None)
    published_at = serializers.DateTimeField(allow_null=True)
    deadline = serializers.DateTimeField(allow_null=True)
    planned_date = serializers.DateField(allow_null=True)


class ReportDetailSerializer(ReportCardSerializer):
    """A report's page: the public one, plus the notice its author (or an
    editor) sees while it is not published."""

    is_overdue = serializers.BooleanField()
    verdict_due = serializers.SerializerMethodField()
    photos = PhotoSerializer(many=True, source="report_photos")
    timeline = TimelineEntrySerializer(many=True)
    notice = NoticeSerializer(allow_null=True)
    can_verdict = serializers.SerializerMethodField(
        help_text="Автор может подтвердить или опровергнуть решение."
    )

    def _is_author(self, report) -> bool:
        user = self.context["request"].user
        return user.is_authenticated and report.author_id == user.pk

    def get_verdict_due(self, report) -> str | None:
        # Only for its author: when silence closes the report as resolved.
        if not self._is_author(report) or report.verdict_due is None:
            return None
        return serializers.DateTimeField().to_representation(report.verdict_due)

    def get_can_verdict(self, report) -> bool:
        return report.status == Status.ANSWERED and self._is_author(report)


class NearbyReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    topic = serializers.CharField(source="topic.name")
    address = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    status_label = serializers.CharField(source="get_status_display")
    published_at = serializers.DateTimeField(allow_null=True)
    followed = serializers.BooleanField()


class NearbyReportsSerializer(serializers.Serializer):
    results = NearbyReportSerializer(many=True)


class FollowSerializer(serializers.Serializer):
    following = serializers.BooleanField()
    created = serializers.BooleanField(
        help_text="false: вы уже следили за сообщением (или это ваше сообщение)."
    )
