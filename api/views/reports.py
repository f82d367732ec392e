"""The resident's reports: filing one (multipart, idempotent on the client's
key), «Мои сообщения», a report with its timeline (also public), the
author's verdict on a fix, following a report and the duplicate hint.

Thin: the web form (issues.forms) checks the input and runs the photo
pipeline, issues.services makes every change, issues.selectors and
issues.access read."""

from __future__ import annotations

import uuid

from django.utils.datastructures import MultiValueDict
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from api.exceptions import form_errors
from api.idempotency import IDEMPOTENCY_HEADER, header_key
from api.permissions import CanReport
from api.serializers.reports import (
    FollowSerializer,
    MyReportsQuerySerializer,
    NearbyQuerySerializer,
    NearbyReportsSerializer,
    RejectFixSerializer,
    ReportCreatedSerializer,
    ReportCreateSerializer,
    ReportDetailSerializer,
    ReportListItemSerializer,
)
from api.throttles import ReportCreateThrottle
from issues import selectors, services
from issues.access import get_report_for_view
from issues.forms import ReportForm, VerdictForm
from issues.models import OPEN_STATUSES, Report
from places.geo import make_point

MULTIPART = [MultiPartParser, FormParser, JSONParser]


def form_files(request) -> MultiValueDict:
    return MultiValueDict({"photos": request.FILES.getlist("photos")})


@extend_schema(tags=["reports"])
class ReportListCreate(generics.GenericAPIView):
    """GET: «Мои сообщения» (or, with following=true, the reports you follow).
    POST: file a report."""

    permission_classes = [CanReport]
    parser_classes = MULTIPART
    serializer_class = ReportListItemSerializer

    def get_throttles(self):
        return [ReportCreateThrottle()] if self.request.method == "POST" else []

    @staticmethod
    def submission_key(request) -> uuid.UUID | None:
        """The client's key, from the Idempotency-Key header or the form (a
        malformed header is a 400; a malformed field the serializer refuses)."""
        key = header_key(request)
        if key is not None:
            return key
        # A JSON body may be a list or a string: the serializer refuses it.
        raw = request.data.get("submission_key") if hasattr(request.data, "get") else None
        try:
            return uuid.UUID(str(raw)) if raw else None
        except ValueError:
            return None

    @extend_schema(parameters=[MyReportsQuerySerializer], responses=ReportListItemSerializer(many=True))
    def get(self, request):
        query = MyReportsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        if query.validated_data["following"]:
            reports = selectors.followed_reports(request.user)
            if query.validated_data.get("status"):
                reports = reports.filter(status=query.validated_data["status"])
        else:
            reports = selectors.own_reports(request.user, query.validated_data.get("status", ""))
        page = self.paginate_queryset(reports)
        return self.get_paginated_response(ReportListItemSerializer(page, many=True).data)

    @extend_schema(
        request={"multipart/form-data": ReportCreateSerializer},
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                OpenApiTypes.UUID,
                OpenApiParameter.HEADER,
                description="Ключ отправки (вместо поля submission_key).",
            )
        ],
        responses={
            201: ReportCreatedSerializer,
            200: OpenApiResponse(
                ReportCreatedSerializer, description="Повтор: сообщение с этим ключом уже есть."
            ),
        },
    )
    def post(self, request):
        data = ReportCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        key = self.submission_key(request) or fields.get("submission_key") or uuid.uuid4()
        form = ReportForm(
            {
                "topic": fields["topic"],
                "address": fields.get("address", ""),
                "building": fields.get("building") or "",
                "lat": "" if fields.get("lat") is None else fields["lat"],
                "lon": "" if fields.get("lon") is None else fields["lon"],
                "description": fields.get("description", ""),
                "submission_key": key,
            },
            form_files(request),
            topic_id=fields["topic"],
        )
        if not form.is_valid():
            raise form_errors(form)
        report, created = services.submit_report(request.user, form.submission())
        if not created:
            # A repeat: the report as «Мои сообщения» shows it now (it may
            # have moved on since). A new one is serialized as it was made.
            report = selectors.own_reports(request.user).get(pk=report.pk)
        report.created = created
        return Response(
            ReportCreatedSerializer(report).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


def report_response(request, pk: int) -> Response:
    report = get_report_for_view(request.user, pk, queryset=selectors.public_report_queryset())
    report.report_photos, report.timeline = selectors.public_details(report)
    report.notice = selectors.moderation_notice(report)
    return Response(ReportDetailSerializer(report, context={"request": request}).data)


class ReportDetail(APIView):
    """A report's page: public once published; before that (or when
    rejected or merged) only its author and the editorial team see it, for
    everyone else it does not exist (issues.access.get_report_for_view)."""

    @extend_schema(tags=["reports", "public"], responses=ReportDetailSerializer)
    def get(self, request, pk: int):
        return report_response(request, pk)


@extend_schema(tags=["reports"])
class ConfirmFix(APIView):
    """The author confirms that the problem was solved: the report is resolved."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=ReportDetailSerializer)
    def post(self, request, pk: int):
        report = get_report_for_view(request.user, pk)
        services.confirm(request.user, report)
        return report_response(request, pk)


@extend_schema(tags=["reports"])
class RejectFix(APIView):
    """The author says the problem was not solved (a comment, photos if
    any): the report goes to the editorial team as disputed."""

    permission_classes = [IsAuthenticated]
    parser_classes = MULTIPART

    @extend_schema(request={"multipart/form-data": RejectFixSerializer}, responses=ReportDetailSerializer)
    def post(self, request, pk: int):
        report = get_report_for_view(request.user, pk)
        data = RejectFixSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        form = VerdictForm(
            {"decision": VerdictForm.REJECT, "comment": data.validated_data["comment"]}, form_files(request)
        )
        if not form.is_valid():
            raise form_errors(form)
        services.reject_fix(request.user, report, form.cleaned_data["comment"], form.cleaned_data["photos"])
        return report_response(request, pk)


@extend_schema(tags=["reports"])
class FollowReport(APIView):
    """Follow someone else's open report instead of filing a duplicate: its
    notices come to you and it shows under following=true."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=FollowSerializer)
    def post(self, request, pk: int):
        report = get_report_for_view(
            request.user, pk, queryset=Report.objects.filter(status__in=OPEN_STATUSES)
        )
        created = services.follow_report(request.user, report)
        return Response({"following": report.author_id != request.user.pk, "created": created})


@extend_schema(tags=["reports"])
class NearbyReports(APIView):
    """The duplicate hint: open reports of the topic within 100 m."""

    @extend_schema(parameters=[NearbyQuerySerializer], responses=NearbyReportsSerializer)
    def get(self, request):
        query = NearbyQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        point = make_point(query.validated_data["lon"], query.validated_data["lat"])
        found = selectors.nearby_open_reports(query.validated_data["topic"], point)
        followed = set()
        if request.user.is_authenticated:
            followed = set(request.user.followed_reports.values_list("report_id", flat=True))
        for report in found:
            report.followed = report.pk in followed
        return Response(NearbyReportsSerializer({"results": found}).data)
