"""The editorial desk for moderators: the queues and their sizes, and every
action on a report or an organization's request, each one call of
issues.services (which locks the report and checks its status: a second
click or a colleague's earlier action is a 409 transition_not_allowed)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from api.exceptions import form_errors
from api.permissions import CanModerate
from api.serializers.reports import ReportDetailSerializer
from api.serializers.staff import (
    ApplicationDecidedSerializer,
    ApplicationDecisionSerializer,
    CommentSerializer,
    DecisionSerializer,
    InspectionDecisionSerializer,
    MergeSerializer,
    OrderInspectionSerializer,
    PointChangeSerializer,
    PublishSerializer,
    QueuedApplicationSerializer,
    QueuedInspectionSerializer,
    QueuedReportSerializer,
    QueuedRequestSerializer,
    QueueSerializer,
    RejectSerializer,
    RequiredCommentSerializer,
    TopicChangeSerializer,
)
from api.views.reports import report_response
from issues import services
from issues.models import OrganizationRequest, Report
from moderation import selectors
from moderation.forms import PointForm, version_of
from volunteers import selectors as volunteer_selectors
from volunteers import services as volunteer_services
from volunteers.models import Application, Inspection

REPORT_QUEUES = ("new", "answers", "disputes", "overdue")
# The desk's other queues have their own lists.
OTHER_QUEUES = {
    "requests": "api:requests",
    "inspections": "api:inspections",
    "applications": "api:applications",
}


def queue_url(slug: str) -> str:
    if slug in REPORT_QUEUES:
        return reverse("api:queue", args=[slug])
    return reverse(OTHER_QUEUES[slug])


@extend_schema(tags=["moderation"])
class QueueList(APIView):
    """The desk: every queue with the number of items waiting."""

    permission_classes = [CanModerate]

    @extend_schema(responses=QueueSerializer(many=True), operation_id="moderation_queue_counts")
    def get(self, request):
        counts = selectors.queue_counts()
        return Response(
            [
                {"slug": slug, "title": q.title, "count": counts[slug], "url": queue_url(slug)}
                for slug, q in selectors.QUEUES.items()
            ]
        )


@extend_schema(
    tags=["moderation"],
    parameters=[OpenApiParameter("slug", OpenApiTypes.STR, OpenApiParameter.PATH, enum=REPORT_QUEUES)],
)
class ReportQueue(generics.ListAPIView):
    """A queue of reports in the desk's order (the oldest waiting first)."""

    permission_classes = [CanModerate]
    serializer_class = QueuedReportSerializer

    def get_queryset(self):
        slug = self.kwargs["slug"]
        if slug not in REPORT_QUEUES:
            raise Http404(
                "Нет такой очереди." if slug not in OTHER_QUEUES else f"Эта очередь: {queue_url(slug)}"
            )
        return selectors.QUEUES[slug].items()


@extend_schema(tags=["moderation"])
class RequestQueue(generics.ListAPIView):
    """Organizations' redirect and postponement requests awaiting a decision."""

    permission_classes = [CanModerate]
    serializer_class = QueuedRequestSerializer

    def get_queryset(self):
        return selectors.pending_requests()


def _report(pk: int) -> Report:
    try:
        return selectors.report_for_desk(pk)
    except Report.DoesNotExist:
        raise Http404("Нет такого сообщения.") from None


class ReportAction(APIView):
    """One action on one report; subclasses name the input and the service."""

    permission_classes = [CanModerate]
    input_class: type[serializers.Serializer] = CommentSerializer

    def perform(self, actor, report: Report, data: dict):
        raise NotImplementedError

    def post(self, request, pk: int):
        report = _report(pk)
        data = self.input_class(data=request.data)
        data.is_valid(raise_exception=True)
        self.perform(request.user, report, data.validated_data)
        return report_response(request, pk)


def _action(name: str, input_class, perform, doc: str):
    @extend_schema(tags=["moderation"], request=input_class, responses=ReportDetailSerializer)
    def post(self, request, pk: int):
        return ReportAction.post(self, request, pk)

    return type(
        name, (ReportAction,), {"input_class": input_class, "perform": perform, "post": post, "__doc__": doc}
    )


Publish = _action(
    "Publish",
    PublishSerializer,
    lambda self, actor, report, d: services.publish(actor, report, d.get("organization")),
    "Опубликовать сообщение и направить исполнителю (на модерации → в работе).",
)
Reject = _action(
    "Reject",
    RejectSerializer,
    lambda self, actor, report, d: services.reject(actor, report, d["reason"], d["comment"]),
    "Отклонить сообщение на модерации с причиной.",
)


def _merge(self, actor, report, d):
    into = Report.objects.filter(pk=d["into"]).first()
    if into is None:
        raise serializers.ValidationError(
            {"into": [serializers.ErrorDetail("Нет сообщения с таким номером.", code="no_report")]}
        )
    services.merge(actor, report, into)


Merge = _action("Merge", MergeSerializer, _merge, "Объединить с основным сообщением (дубликат).")
ChangeTopic = _action(
    "ChangeTopic",
    TopicChangeSerializer,
    lambda self, actor, report, d: services.change_topic(actor, report, d["topic"]),
    "Исправить тему сообщения на модерации.",
)
PublishAnswer = _action(
    "PublishAnswer",
    CommentSerializer,
    lambda self, actor, report, d: services.publish_answer(actor, report, d["comment"]),
    "Опубликовать ответ исполнителя: автор сможет его оценить.",
)
ReturnAnswer = _action(
    "ReturnAnswer",
    RequiredCommentSerializer,
    lambda self, actor, report, d: services.return_answer(actor, report, d["comment"]),
    "Вернуть ответ исполнителю (срок не продлевается).",
)
ReturnToOrganization = _action(
    "ReturnToOrganization",
    CommentSerializer,
    lambda self, actor, report, d: services.return_to_organization(actor, report, d["comment"]),
    "Опровержение принято: вернуть исполнителю с новым сроком.",
)
DismissDispute = _action(
    "DismissDispute",
    RequiredCommentSerializer,
    lambda self, actor, report, d: services.dismiss_dispute(actor, report, d["comment"]),
    "Отклонить опровержение: сообщение решено.",
)


@extend_schema(tags=["moderation"])
class DecideRequest(APIView):
    """Grant or refuse an organization's redirect or postponement request."""

    permission_classes = [CanModerate]

    @extend_schema(request=DecisionSerializer, responses=ReportDetailSerializer)
    def post(self, request, pk: int):
        item = get_object_or_404(OrganizationRequest, pk=pk)
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        grant = data.validated_data["decision"] == "grant"
        comment = data.validated_data["comment"]
        if item.kind == OrganizationRequest.Kind.REDIRECT:
            organization = data.validated_data.get("organization") if grant else None
            services.decide_redirect(request.user, item.pk, grant, organization=organization, comment=comment)
        else:
            services.decide_postponement(request.user, item.pk, grant, comment=comment)
        return report_response(request, item.report_id)


def _change_point(self, actor, report, d):
    # The web form's rules: a topic about a building needs a house at the new point.
    form = PointForm(
        {
            "point-seen_status": report.status,
            "point-seen_version": version_of(report),
            "point-lat": str(d["lat"]),
            "point-lon": str(d["lon"]),
        },
        report=report,
    )
    if not form.is_valid():
        raise form_errors(form)
    form.perform(actor)


ChangePoint = _action(
    "ChangePoint", PointChangeSerializer, _change_point, "Уточнить место сообщения на модерации."
)
OrderInspection = _action(
    "OrderInspection",
    OrderInspectionSerializer,
    lambda self, actor, report, d: volunteer_services.order_inspection(actor, report, d["note"]),
    "Назначить общественную проверку: задание появится у волонтёров.",
)


@extend_schema(tags=["moderation"])
class InspectionQueue(generics.ListAPIView):
    """Volunteers' verdicts awaiting the desk, the longest waiting first, with their photos."""

    permission_classes = [CanModerate]
    serializer_class = QueuedInspectionSerializer

    def get_queryset(self):
        return volunteer_selectors.verdicts_to_review_with_photos()


INSPECTION_ACTIONS = {
    "accept": lambda actor, pk, d: volunteer_services.accept_verdict(actor, pk, d["comment"]),
    "decline": lambda actor, pk, d: volunteer_services.decline_verdict(
        actor, pk, d["comment"], reopen=d["reopen"]
    ),
    "return": lambda actor, pk, d: volunteer_services.return_on_verdict(actor, pk, d["comment"]),
    "cancel": lambda actor, pk, d: volunteer_services.cancel_inspection(actor, pk, d["comment"]),
}


@extend_schema(
    tags=["moderation"],
    parameters=[
        OpenApiParameter("action", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(INSPECTION_ACTIONS))
    ],
)
class DecideInspection(APIView):
    """accept: the verdict goes into the public timeline; decline (with
    reopen: a new task); return: accept and send the report back to the
    organization; cancel: withdraw a task nobody reported on."""

    permission_classes = [CanModerate]

    @extend_schema(request=InspectionDecisionSerializer, responses=ReportDetailSerializer)
    def post(self, request, pk: int, action: str):
        perform = INSPECTION_ACTIONS.get(action)
        if perform is None:
            raise Http404("Нет такого действия.")
        inspection = get_object_or_404(Inspection.objects.only("id", "report_id"), pk=pk)
        data = InspectionDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        perform(request.user, inspection.pk, data.validated_data)
        return report_response(request, inspection.report_id)


@extend_schema(tags=["moderation"])
class ApplicationQueue(generics.ListAPIView):
    """Applications to become a volunteer awaiting a decision, oldest first."""

    permission_classes = [CanModerate]
    serializer_class = QueuedApplicationSerializer

    def get_queryset(self):
        return volunteer_selectors.pending_applications()


@extend_schema(tags=["moderation"])
class DecideApplication(APIView):
    permission_classes = [CanModerate]

    @extend_schema(request=ApplicationDecisionSerializer, responses=ApplicationDecidedSerializer)
    def post(self, request, pk: int):
        application = get_object_or_404(Application.objects.only("id"), pk=pk)
        data = ApplicationDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decided = volunteer_services.decide_application(
            request.user,
            application.pk,
            approve=data.validated_data["decision"] == "approve",
            comment=data.validated_data["comment"],
        )
        return Response(ApplicationDecidedSerializer(decided).data)
