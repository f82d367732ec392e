"""The back office in the app: an organization's staff see their reports,
answer and ask for a redirect or a postponement; a supervisor reads the
escalations and the organizations under it. Access through backoffice.access
(a report of another organization is missing: 404), reads through
backoffice.selectors, changes through issues.services."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from api.exceptions import form_errors
from api.permissions import CanAnswer, CanSupervise, IsOffice
from api.serializers.staff import (
    AnswerCreatedSerializer,
    AnswerSerializer,
    EscalationSerializer,
    OfficeQuerySerializer,
    OfficeReportDetailSerializer,
    OfficeReportSerializer,
    OrganizationRequestSerializer,
    PostponeRequestSerializer,
    RedirectRequestSerializer,
    SupervisedOrganizationSerializer,
)
from api.views.reports import MULTIPART, form_files
from backoffice import selectors
from backoffice.access import can_answer, get_report_for_office, get_report_for_staff
from backoffice.forms import AnswerForm
from issues import services
from issues.models import Report

REPORT_RELATED = ("topic__group", "district", "okrug", "organization")


def _reports():
    return Report.objects.select_related(*REPORT_RELATED).defer("district__boundary", "okrug__boundary")


@extend_schema(tags=["office"])
class OfficeReportList(generics.ListAPIView):
    """The organization's open reports (or those of one status), the nearest
    deadline first, with the countdown the office shows."""

    permission_classes = [CanAnswer]
    serializer_class = OfficeReportSerializer

    @extend_schema(parameters=[OfficeQuerySerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        query = OfficeQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        organization = self.request.user.organization
        d = query.validated_data
        return selectors.office_reports(
            organization,
            status=d.get("status", ""),
            topic=selectors.topics_of(organization).filter(pk=d["topic"]).first() if "topic" in d else None,
            district=selectors.districts_of(organization).filter(pk=d["district"]).first()
            if "district" in d
            else None,
        )

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        now = timezone.now()
        for report in page:
            countdown = selectors.countdown(report, now)
            report.countdown = countdown.text if countdown else None
            report.overdue = selectors.is_overdue(report, now)
        return page


@extend_schema(tags=["office"])
class OfficeReportDetail(APIView):
    """A report as its organization sees it (the internal timeline, its
    requests); read-only for a supervisor of that organization."""

    permission_classes = [IsOffice]

    @extend_schema(responses=OfficeReportDetailSerializer)
    def get(self, request, pk: int):
        return office_report_response(request, get_report_for_office(request.user, pk, queryset=_reports()))


def office_report_response(request, report: Report, http_status: int = status.HTTP_200_OK) -> Response:
    now = timezone.now()
    countdown = selectors.countdown(report, now)
    report.countdown = countdown.text if countdown else None
    report.overdue = selectors.is_overdue(report, now)
    report.can_answer = can_answer(request.user, report)
    report.timeline = selectors.office_timeline(report)
    report.request_list = list(selectors.report_requests(report))
    report.photos_list = list(selectors.report_photos(report))
    data = OfficeReportDetailSerializer(report, context={"request": request}).data
    return Response(data, status=http_status)


@extend_schema(tags=["office"])
class Answer(APIView):
    """The organization's answer (photos «after» for done and no-violation):
    it goes to the editorial team for checking."""

    permission_classes = [CanAnswer]
    parser_classes = MULTIPART

    @extend_schema(
        request={"multipart/form-data": AnswerSerializer}, responses={201: AnswerCreatedSerializer}
    )
    def post(self, request, pk: int):
        report = get_report_for_staff(request.user, pk, queryset=_reports())
        data = AnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        form = AnswerForm(
            {
                "outcome": fields["outcome"],
                "text": fields["text"],
                "planned_date": fields.get("planned_date") or "",
            },
            form_files(request),
            report=report,
        )
        if not form.is_valid():
            raise form_errors(form)
        reply = services.answer(
            request.user,
            report.pk,
            form.cleaned_data["outcome"],
            form.cleaned_data["text"],
            photos=form.cleaned_data["photos"],
            planned_date=form.cleaned_data.get("planned_date"),
        )
        return Response(AnswerCreatedSerializer(reply).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["office"])
class RequestRedirect(APIView):
    """The report is not the organization's: ask the editorial team to send it elsewhere."""

    permission_classes = [CanAnswer]

    @extend_schema(request=RedirectRequestSerializer, responses={201: OrganizationRequestSerializer})
    def post(self, request, pk: int):
        report = get_report_for_staff(request.user, pk)
        data = RedirectRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        made = services.request_redirect(
            request.user,
            report.pk,
            data.validated_data["reason"],
            suggested=data.validated_data.get("suggested_organization"),
        )
        return Response(OrganizationRequestSerializer(made).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["office"])
class RequestPostponement(APIView):
    """Ask for a later deadline (a planned date, for seasonal works)."""

    permission_classes = [CanAnswer]

    @extend_schema(request=PostponeRequestSerializer, responses={201: OrganizationRequestSerializer})
    def post(self, request, pk: int):
        report = get_report_for_staff(request.user, pk)
        data = PostponeRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        made = services.request_postponement(
            request.user, report.pk, data.validated_data["planned_date"], data.validated_data["reason"]
        )
        return Response(OrganizationRequestSerializer(made).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["office"])
class EscalationList(generics.ListAPIView):
    """The supervisor's escalations: overdue and repeatedly failed reports of
    the organizations under it, newest first."""

    permission_classes = [CanSupervise]
    serializer_class = EscalationSerializer

    def get_queryset(self):
        return selectors.escalations_to(self.request.user.organization)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        for event in page:
            event.reason_label = selectors.ESCALATION_REASONS.get(event.reason, event.reason)
        return page


@extend_schema(tags=["office"])
class SupervisedOrganizationList(generics.ListAPIView):
    """The organizations under the supervisor with their reports in work and
    the overdue among them, the most overdue first."""

    permission_classes = [CanSupervise]
    serializer_class = SupervisedOrganizationSerializer

    def get_queryset(self):
        return selectors.supervised_counts(self.request.user.organization)
