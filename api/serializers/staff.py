"""The editorial desk's and the back office's input and output."""

from __future__ import annotations

from rest_framework import serializers

from api.serializers.common import IdField, PhotoSerializer, TopicRefSerializer
from api.serializers.reports import ReportCardSerializer
from issues.models import OrganizationRequest, Outcome, Status, Topic
from issues.services import REJECT_REASONS
from moderation.selectors import active_organizations

COMMENT_MAX = 2000

# -- the editorial desk ------------------------------------------------------


class QueueSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    count = serializers.IntegerField()
    url = serializers.CharField(help_text="Где в API эта очередь.")


class QueuedReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Status.choices)
    topic = TopicRefSerializer()
    address = serializers.CharField()
    district = serializers.CharField(source="district.name")
    organization = serializers.CharField(source="organization.name", allow_null=True, default=None)
    created_at = serializers.DateTimeField()
    published_at = serializers.DateTimeField(allow_null=True)
    answered_at = serializers.DateTimeField(allow_null=True)
    deadline = serializers.DateTimeField(allow_null=True)
    is_overdue = serializers.BooleanField()
    escalation_level = serializers.IntegerField()


class QueuedRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=OrganizationRequest.Kind.choices)
    report = serializers.IntegerField(source="report_id")
    topic = serializers.CharField(source="report.topic.name")
    organization = serializers.CharField(source="organization.name")
    suggested_organization = serializers.CharField(
        source="suggested_organization.name", allow_null=True, default=None
    )
    reason = serializers.CharField()
    planned_date = serializers.DateField(allow_null=True)
    created_at = serializers.DateTimeField()


def _comment(required: bool = False, help_text: str = "") -> serializers.CharField:
    if required:
        return serializers.CharField(max_length=COMMENT_MAX, help_text=help_text)
    return serializers.CharField(
        required=False, allow_blank=True, default="", max_length=COMMENT_MAX, help_text=help_text
    )


class PublishSerializer(serializers.Serializer):
    organization = serializers.PrimaryKeyRelatedField(
        queryset=active_organizations(),
        required=False,
        allow_null=True,
        help_text="Исполнитель; без него — организация, которую предлагают правила маршрутизации.",
    )


class RejectSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=list(REJECT_REASONS.items()))
    comment = _comment(help_text="Автор увидит его вместо стандартного текста причины.")


class MergeSerializer(serializers.Serializer):
    into = IdField(help_text="Номер основного сообщения.")


class TopicChangeSerializer(serializers.Serializer):
    topic = serializers.PrimaryKeyRelatedField(queryset=Topic.objects.filter(is_active=True))


class CommentSerializer(serializers.Serializer):
    comment = _comment()


class RequiredCommentSerializer(serializers.Serializer):
    comment = _comment(required=True)


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[("grant", "Удовлетворить"), ("refuse", "Отказать")])
    organization = serializers.PrimaryKeyRelatedField(
        queryset=active_organizations(), required=False, allow_null=True, help_text="Для переадресации."
    )
    comment = _comment(help_text="Обязателен при отказе.")

    def validate(self, data):
        if data["decision"] == "refuse" and not data.get("comment", "").strip():
            raise serializers.ValidationError(
                {
                    "comment": [
                        serializers.ErrorDetail("Объясните исполнителю причину отказа.", code="required")
                    ]
                }
            )
        return data


# -- the back office ---------------------------------------------------------


class OfficeQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    topic = IdField(required=False)
    district = IdField(required=False)


class OfficeReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Status.choices)
    topic = TopicRefSerializer()
    address = serializers.CharField()
    district = serializers.CharField(source="district.name")
    published_at = serializers.DateTimeField(allow_null=True)
    deadline = serializers.DateTimeField(allow_null=True)
    planned_date = serializers.DateField(allow_null=True)
    overdue = serializers.BooleanField(help_text="В работе и срок прошёл.")
    countdown = serializers.CharField(
        allow_null=True, help_text="«осталось 2 раб. дня», «просрочено на 3 дня»."
    )
    has_pending_request = serializers.BooleanField()


class OfficeTimelineEntrySerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    who = serializers.CharField()
    at = serializers.DateTimeField()
    text = serializers.CharField()
    detail = serializers.CharField()
    internal = serializers.BooleanField()
    photos = PhotoSerializer(many=True)


class OfficeRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=OrganizationRequest.Kind.choices)
    state = serializers.ChoiceField(choices=OrganizationRequest.State.choices)
    reason = serializers.CharField()
    planned_date = serializers.DateField(allow_null=True)
    suggested_organization = serializers.CharField(
        source="suggested_organization.name", allow_null=True, default=None
    )
    comment = serializers.CharField()
    created_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)


class OfficeReportDetailSerializer(ReportCardSerializer):
    """A report as its organization (or a supervisor of it) sees it."""

    overdue = serializers.BooleanField()
    countdown = serializers.CharField(allow_null=True)
    can_answer = serializers.BooleanField(help_text="false: только чтение (контролирующий орган).")
    photos = PhotoSerializer(many=True, source="photos_list")
    timeline = OfficeTimelineEntrySerializer(many=True)
    requests = OfficeRequestSerializer(many=True, source="request_list")


class AnswerSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    text = serializers.CharField(max_length=4000)
    planned_date = serializers.DateField(required=False, allow_null=True, help_text="Для «Запланировано».")
    photos = serializers.ListField(child=serializers.FileField(), required=False, max_length=5)


class AnswerCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    report = serializers.IntegerField(source="report_id")
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    state = serializers.CharField()
    created_at = serializers.DateTimeField()


class RedirectRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=COMMENT_MAX)
    suggested_organization = serializers.PrimaryKeyRelatedField(
        queryset=active_organizations(), required=False, allow_null=True
    )


class PostponeRequestSerializer(serializers.Serializer):
    planned_date = serializers.DateField()
    reason = serializers.CharField(max_length=COMMENT_MAX)


class OrganizationRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=OrganizationRequest.Kind.choices)
    state = serializers.ChoiceField(choices=OrganizationRequest.State.choices)
    report = serializers.IntegerField(source="report_id")
    created_at = serializers.DateTimeField()


class EscalationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    reason = serializers.CharField()
    reason_label = serializers.CharField()
    level = serializers.IntegerField(source="payload.level", allow_null=True, default=None)
    organization = serializers.CharField(source="organization.name", allow_null=True, default=None)
    report = serializers.IntegerField(source="report.id")
    report_status = serializers.ChoiceField(source="report.status", choices=Status.choices)
    topic = serializers.CharField(source="report.topic.name")
    address = serializers.CharField(source="report.address")
    deadline = serializers.DateTimeField(source="report.deadline", allow_null=True)
    is_overdue = serializers.BooleanField(source="report.is_overdue")


class SupervisedOrganizationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    in_work = serializers.IntegerField()
    overdue = serializers.IntegerField()


# -- the editorial desk and the volunteers -----------------------------------


class PointChangeSerializer(serializers.Serializer):
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lon = serializers.FloatField(min_value=-180, max_value=180)


class OrderInspectionSerializer(serializers.Serializer):
    note = _comment(help_text="Что проверить на месте; волонтёр увидит этот текст.")


class InspectionDecisionSerializer(serializers.Serializer):
    comment = _comment(help_text="Комментарий волонтёру (для decline обязателен).")
    reopen = serializers.BooleanField(
        required=False, default=True, help_text="decline: назначить проверку заново."
    )


class QueuedInspectionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    report = serializers.IntegerField(source="report_id")
    topic = serializers.CharField(source="report.topic.name")
    address = serializers.CharField(source="report.address")
    district = serializers.CharField(source="report.district.name")
    organization = serializers.CharField(source="report.organization.name", allow_null=True, default=None)
    note = serializers.CharField()
    verdict = serializers.CharField()
    comment = serializers.CharField()
    volunteer = serializers.IntegerField(source="volunteer_id", allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    photos = serializers.SerializerMethodField()

    def get_photos(self, inspection) -> list[dict]:
        photos = [link.photo for link in inspection.inspection_photos.all()]
        return PhotoSerializer(photos, many=True, context=self.context).data


class QueuedApplicationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    user = serializers.IntegerField(source="user_id")
    name = serializers.CharField(source="user.get_short_name")
    motivation = serializers.CharField()
    district = serializers.CharField(source="district.name", allow_null=True, default=None)
    created_at = serializers.DateTimeField()


class ApplicationDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[("approve", "Одобрить"), ("decline", "Отклонить")])
    comment = _comment()


class ApplicationDecidedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
